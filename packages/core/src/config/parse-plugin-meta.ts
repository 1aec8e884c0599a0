import { isMap, isScalar, isSeq, type Node } from "yaml";
import { type AdapterChoice, type AdapterKind, adapterKinds, type ConfigSetting } from "./model.js";
import { readSection, type SectionSpec, sectionValue } from "./read-section.js";
import { describeNode, isNullNode, type YamlContext } from "./yaml-context.js";
import { readTextList } from "./yaml-values.js";

const adaptersSpec: SectionSpec = { where: "under adapters", word: "key", known: adapterKinds };

/**
 * `adapters:` of the meta: which registered adapter (by the name a plugin gave it) the CLI uses for
 * each kind; `transfer` takes a list, composed by capability. The names are checked by the CLI once
 * the plugins are loaded, at the position kept here.
 */
export function parseAdapters(
  context: YamlContext,
  node: Node | null,
): Partial<Record<AdapterKind, AdapterChoice>> | null {
  if (isNullNode(node)) return null;
  const section = readSection(context, node as Node, "adapters", adaptersSpec);
  if (section === null) return null;
  const adapters: Partial<Record<AdapterKind, AdapterChoice>> = {};
  for (const kind of adapterKinds) {
    const value = sectionValue(section, kind);
    if (value === null) continue;
    const names = readTextList(context, value, `adapters.${kind}`);
    if (names.length === 0) continue;
    if (kind !== "transfer" && names.length > 1) {
      context.error(value, `adapters.${kind} names one adapter, not a list`, `write ${kind}: <name>`);
      continue;
    }
    if (names.some((name) => name.trim() === "")) {
      context.error(value, `adapters.${kind} has an empty name`, "name an adapter a plugin registers");
      continue;
    }
    adapters[kind] = { names, position: context.position(value) };
  }
  return adapters;
}

/**
 * `settings:` of the meta: plugin settings by name, as written (a scalar or a list of scalars). Their
 * types are declared by plugins, so the CLI checks them once the plugins are loaded.
 */
export function parseSettings(context: YamlContext, node: Node | null): Record<string, ConfigSetting> | null {
  if (isNullNode(node)) return null;
  if (!isMap(node)) {
    context.error(
      node as Node,
      `settings must be a mapping, not ${describeNode(node)}`,
      "write settings: {name: value}",
    );
    return null;
  }
  // Collected as pairs: a "__proto__" key must become a property, not a prototype.
  const settings: [string, ConfigSetting][] = [];
  for (const entry of context.entries(node)) {
    const value = entry.value;
    if (isNullNode(value)) continue;
    const read = settingValue(context, value as Node);
    if (read === undefined) {
      context.error(
        value as Node,
        `setting "${entry.key}" must be a string, number, boolean or list of strings, not ${describeNode(value)}`,
        null,
      );
      continue;
    }
    settings.push([entry.key, { value: read, position: context.position(value as Node) }]);
  }
  return Object.fromEntries(settings);
}

function settingValue(context: YamlContext, node: Node): ConfigSetting["value"] | undefined {
  if (isScalar(node)) {
    const value = node.value;
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : undefined;
  }
  if (isSeq(node)) {
    const items = node.items.map((item) => context.resolve(item as Node | null));
    const values = items.map((item) => (isScalar(item) ? item.value : undefined));
    return values.every((value) => typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      ? (values as (string | number | boolean)[])
      : undefined;
  }
  return undefined;
}
