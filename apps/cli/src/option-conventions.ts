import { UsageError } from "clipanion";
import { recordOptionVariable } from "./option-variables.js";

/**
 * What stages adds to a clipanion option: the name of its value in help (`--dir <path>`, where
 * clipanion 3.2.1 prints `--dir #0`) and a default from a `STAGES_*` environment variable (as werf reads
 * `WERF_*` for its flags).
 */
export interface OptionConventions {
  /** The value's name in help: `--dir <path>`. Options without one show `<value>`. */
  value?: string;
  /**
   * How the environment variable reads: a string; a boolean (`true|1|yes|on`, `false|0|no|off`); a
   * list (comma-separated, and werf's numbered variables `STAGES_TAG_CUSTOM_1`, `_2`...); or a string
   * option that may also be given bare (`--tag-git-branch[=<branch>]`: `true` means bare).
   */
  kind?: "string" | "boolean" | "list" | "optional-value";
  /**
   * The variable: derived from the option's first name (`--insecure-registry` reads
   * `STAGES_INSECURE_REGISTRY`), or false for none (`--force`, whose meaning differs per command: a
   * variable left set must not force a purge).
   */
  env?: string | false;
  /** The value is a secret (the lock URL has a password): an invalid one is never echoed. */
  secret?: boolean;
}

/** What help needs to know of an option clipanion recorded. */
interface RecordedConventions {
  value: string | undefined;
  optionalValue: boolean;
}

/** The part of clipanion's CommandBuilder that options use. */
interface OptionRecord {
  names: string[];
  description?: string;
}
interface Builder {
  options: OptionRecord[];
}
interface OptionState {
  options: { name: string; value: unknown }[];
}
interface TransformerContext {
  env: Record<string, string | undefined>;
}
interface OptionSpec {
  definition(builder: Builder, key: string): void;
  transformer(builder: Builder, key: string, state: OptionState, context: TransformerContext): unknown;
}

const recorded = new WeakMap<object, RecordedConventions>();
const restSynopses = new WeakMap<object, { tail: string; synopsis: string }>();

/** The `STAGES_*` variable of an option by stages' rule: `--insecure-registry` → `STAGES_INSECURE_REGISTRY`. */
export function environmentVariableOf(optionName: string): string {
  return `STAGES_${optionName.replace(/^-+/, "").replace(/[-.]/g, "_").toUpperCase()}`;
}

/**
 * An `Option.*` of clipanion with stages' conventions: `conventions(Option.String("--dir", {...}),
 * { value: "path" })`. The flag wins over the variable; an empty variable counts as unset.
 */
export function conventions<T>(option: T, settings: OptionConventions = {}): T {
  const spec = option as unknown as OptionSpec;
  const kind = settings.kind ?? "string";
  let names: string[] = [];
  let variable: string | undefined;
  return {
    ...spec,
    definition(builder: Builder, key: string) {
      spec.definition(builder, key);
      const record = builder.options.at(-1) as OptionRecord;
      names = record.names;
      const long = names.find((name) => name.startsWith("--")) ?? names[0] ?? key;
      variable = settings.env === false ? undefined : (settings.env ?? environmentVariableOf(long));
      if (variable !== undefined) recordOptionVariable(variable, long);
      if (variable !== undefined)
        record.description = `${record.description ? `${record.description} ` : ""}(env: ${variable})`;
      recorded.set(record, { value: settings.value, optionalValue: kind === "optional-value" });
    },
    transformer(builder: Builder, key: string, state: OptionState, context: TransformerContext) {
      const given = state.options.some((option) => names.includes(option.name));
      const fromEnvironment =
        given || variable === undefined ? [] : environmentValues(kind, variable, context.env, names[0] as string);
      if (fromEnvironment.length === 0) return spec.transformer(builder, key, state, context);
      try {
        return spec.transformer(builder, key, { ...state, options: [...state.options, ...fromEnvironment] }, context);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new UsageError(
          settings.secret ? `Invalid value in ${variable} (for ${names[0]})` : `${message} (from ${variable})`,
        );
      }
    },
  } as unknown as T;
}

/** The options an environment variable stands for, as if given on the command line. */
function environmentValues(
  kind: NonNullable<OptionConventions["kind"]>,
  variable: string,
  env: Record<string, string | undefined>,
  name: string,
): { name: string; value: unknown }[] {
  const raw = env[variable];
  if (kind === "list") {
    const numbered = Object.keys(env)
      .filter((key) => key.startsWith(`${variable}_`) && /^\d+$/.test(key.slice(variable.length + 1)))
      .sort((left, right) => Number(left.slice(variable.length + 1)) - Number(right.slice(variable.length + 1)))
      .map((key) => env[key] ?? "");
    return [...(raw ?? "").split(","), ...numbered]
      .map((value) => value.trim())
      .filter((value) => value !== "")
      .map((value) => ({ name, value }));
  }
  if (raw === undefined || raw === "") return [];
  if (kind === "boolean") return [{ name, value: booleanOf(raw, variable) }];
  if (kind === "optional-value") {
    const lower = raw.toLowerCase();
    if (falseWords.includes(lower)) return [];
    return [{ name, value: trueWords.includes(lower) ? true : raw }];
  }
  return [{ name, value: raw }];
}

const trueWords = ["true", "1", "yes", "on"];
const falseWords = ["false", "0", "no", "off"];

function booleanOf(raw: string, variable: string): boolean {
  const lower = raw.toLowerCase();
  if (trueWords.includes(lower)) return true;
  if (falseWords.includes(lower)) return false;
  throw new UsageError(`Invalid value in ${variable}: expected true or false (or 1/0, yes/no, on/off)`);
}

/**
 * `Option.Rest` shown as `synopsis` in usage lines instead of clipanion's `<NAME> ...` (it keeps the
 * name of the required positionals only): `rest(Option.Rest({ name: "REPO", required: 1 }),
 * "[IMAGE...] <REPO>")`.
 */
export function rest<T>(option: T, synopsis: string): T {
  const spec = option as unknown as OptionSpec & { definition(builder: Builder, key: string): void };
  return {
    ...spec,
    definition(builder: Builder, key: string) {
      let tail = "...";
      const recording = new Proxy(builder, {
        get(target, property, receiver) {
          if (property !== "addRest") return Reflect.get(target, property, receiver);
          return (rest: { name: string; required?: number }) => {
            tail = [...Array.from({ length: rest.required ?? 0 }, () => `<${rest.name}>`), "..."].join(" ");
            (target as unknown as { addRest(rest: object): void }).addRest(rest);
          };
        },
      });
      spec.definition(recording, key);
      restSynopses.set(builder, { tail, synopsis });
    },
  } as unknown as T;
}

/** The value name an option was given (`path` for `--dir`), if any. */
export function valueNameOf(record: object): string | undefined {
  return recorded.get(record)?.value;
}

/** How a command's positionals read (`[IMAGE...] <REPO>`), when declared with `rest`. */
export function synopsisOf(builder: object): string | undefined {
  return restSynopses.get(builder)?.synopsis;
}

/** A usage line or an option's definition with stages' value names instead of `#0`. */
export function withValueNames(text: string, builder: object, wholeDefinition: boolean): string {
  let result = text;
  for (const record of (builder as Builder & { options: (OptionRecord & { arity: number; hidden: boolean })[] })
    .options) {
    if (record.hidden) continue;
    const conventionsOfRecord = recorded.get(record);
    const base = record.names.join(",");
    let from: string;
    let to: string;
    if (record.arity > 0) {
      from = `${base}${Array.from({ length: record.arity }, (_, index) => ` #${index}`).join("")}`;
      to = `${base} <${conventionsOfRecord?.value ?? "value"}>`;
    } else if (conventionsOfRecord?.optionalValue && conventionsOfRecord.value) {
      from = base;
      to = `${base}[=<${conventionsOfRecord.value}>]`;
    } else continue;
    if (wholeDefinition) {
      if (result === from) return to;
    } else result = result.split(`[${from}]`).join(`[${to}]`).split(`<${from}>`).join(`<${to}>`);
  }
  if (!wholeDefinition) {
    const synopsis = restSynopses.get(builder);
    if (synopsis && result.endsWith(` ${synopsis.tail}`))
      result = `${result.slice(0, -synopsis.tail.length)}${synopsis.synopsis}`;
  }
  return result;
}
