import type { ConfigSetting } from "./config/model.js";
import { createProblem } from "./config/problems.js";
import { ConfigError, UsageError } from "./errors.js";
import {
  type PluginSettingDefinition,
  type PluginSettingType,
  type PluginSettingValue,
  settingValueHasType,
} from "./plugin.js";

/** Where a host reads plugin settings from, strongest first. */
export interface PluginSettingSources {
  /** `name=value` texts of `--setting` (a repeated `string[]` setting adds up). */
  flags: readonly string[];
  /** The command's environment: `STAGES_<NAME>` (settingEnvironmentName). */
  env: Readonly<Record<string, string | undefined>>;
  /** `settings:` of the stages.yaml meta, with positions. */
  config: Readonly<Record<string, ConfigSetting>>;
}

/** The variable of a setting: `STAGES_` and the name upper-cased, `.` and `-` turned into `_`. */
export function settingEnvironmentName(name: string): string {
  return `STAGES_${name.toUpperCase().replace(/[.-]/g, "_")}`;
}

/**
 * The value of every declared setting, from flags, environment, config and defaults (first found
 * wins), each checked against its declared type. A flag or variable of the wrong type is a
 * UsageError naming it; every problem in the config (an undeclared name, a wrong type) is collected
 * into one ConfigError located at its value. Undeclared `STAGES_*` variables are not settings (the
 * CLI's own, e.g. STAGES_LOCK), so they are ignored.
 */
export function resolvePluginSettings(
  definitions: ReadonlyMap<string, PluginSettingDefinition>,
  sources: PluginSettingSources,
): Record<string, PluginSettingValue | undefined> {
  const flagged = new Map<string, string[]>();
  for (const flag of sources.flags) {
    const equals = flag.indexOf("=");
    const name = equals === -1 ? flag : flag.slice(0, equals);
    if (equals === -1 || !definitions.has(name)) {
      throw new UsageError(
        equals === -1 ? `--setting "${flag}" is not name=value` : `--setting ${name}: no loaded plugin declares it`,
        { hint: `settings: ${[...definitions.keys()].join(", ") || "none"} (see stages plugins)` },
      );
    }
    flagged.set(name, [...(flagged.get(name) ?? []), flag.slice(equals + 1)]);
  }
  const problems = Object.entries(sources.config)
    .filter(([name]) => !definitions.has(name))
    .map(([name, setting]) =>
      createProblem(
        "error",
        setting.position,
        `no loaded plugin declares the setting "${name}"`,
        `settings: ${[...definitions.keys()].join(", ") || "none"}`,
      ),
    );
  const values: [string, PluginSettingValue | undefined][] = [];
  for (const [name, definition] of definitions) {
    const flags = flagged.get(name);
    const variable = settingEnvironmentName(name);
    const fromEnv = sources.env[variable];
    const configured = Object.hasOwn(sources.config, name) ? sources.config[name] : undefined;
    let value: PluginSettingValue | undefined;
    if (flags !== undefined) {
      const texts = definition.type === "string[]" ? [flags.join(",")] : flags.slice(-1);
      value = fromText(texts[0] ?? "", definition.type, `--setting ${name}`);
    } else if (fromEnv !== undefined) {
      value = fromText(fromEnv, definition.type, variable);
    } else if (configured !== undefined) {
      value = fromConfig(configured.value, definition.type);
      if (value === undefined) {
        problems.push(
          createProblem(
            "error",
            configured.position,
            `setting "${name}" must be ${article(definition.type)}, not ${JSON.stringify(configured.value)}`,
            definition.description,
          ),
        );
      }
    } else value = definition.default;
    values.push([name, value]);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.fromEntries(values);
}

function article(type: PluginSettingType): string {
  return type === "string[]" ? "a list of strings" : `a ${type}`;
}

/** A flag's or variable's text as a value of the type: `string[]` is comma-separated. */
function fromText(text: string, type: PluginSettingType, source: string): PluginSettingValue {
  if (type === "string") return text;
  if (type === "string[]")
    return text
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "");
  if (type === "boolean") {
    // The words of every STAGES_* boolean (option-conventions in the CLI).
    if (/^(true|1|yes|on)$/i.test(text)) return true;
    if (/^(false|0|no|off|)$/i.test(text)) return false;
    throw new UsageError(`${source} is "${text}", not a boolean`, { hint: "give true or false (1/0, yes/no, on/off)" });
  }
  const number = Number(text);
  if (text.trim() === "" || !Number.isFinite(number))
    throw new UsageError(`${source} is "${text}", not a number`, { hint: "give a number, e.g. 30000" });
  return number;
}

/** A config value as the type (a single string stands for a list of one); undefined when it is not. */
function fromConfig(value: ConfigSetting["value"], type: PluginSettingType): PluginSettingValue | undefined {
  if (type === "string[]" && typeof value === "string") return [value];
  return settingValueHasType(value, type) ? value : undefined;
}
