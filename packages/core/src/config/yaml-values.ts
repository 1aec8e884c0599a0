import { isMap, isScalar, isSeq, type Node } from "yaml";
import { describeNode, isNullNode, type YamlContext } from "./yaml-context.js";

/**
 * The text of a scalar as the user wrote it: `1.10` stays "1.10", `true` stays "true".
 * Null for anything that is not a non-null scalar.
 */
export function scalarText(node: Node | null): string | null {
  if (!isScalar(node) || node.value === null) return null;
  if (typeof node.value === "string") return node.value;
  if (typeof node.value === "number" || typeof node.value === "boolean" || typeof node.value === "bigint") {
    return node.source ?? String(node.value);
  }
  return null;
}

/** Reads a single value as a string (numbers and booleans as written); null when absent or wrong. */
export function readText(context: YamlContext, node: Node | null, label: string, example?: string): string | null {
  if (isNullNode(node)) return null;
  const text = scalarText(node);
  if (text === null) {
    context.error(node as Node, `${label} must be a string, not ${describeNode(node)}`, example ?? null);
  }
  return text;
}

/** Reads a string or a list of strings into a list; an absent value is an empty list. */
export function readTextList(context: YamlContext, node: Node | null, label: string): string[] {
  if (isNullNode(node)) return [];
  const single = scalarText(node);
  if (single !== null) return [single];
  if (!isSeq(node)) {
    context.error(node as Node, `${label} must be a string or a list of strings, not ${describeNode(node)}`, null);
    return [];
  }
  const values: string[] = [];
  for (const item of node.items) {
    const resolved = context.resolve(item as Node | null);
    const text = scalarText(resolved);
    if (text === null) {
      context.error(
        (resolved ?? node) as Node,
        `each item of ${label} must be a string, not ${describeNode(resolved)}`,
        isMap(resolved) ? 'quote an item that contains ": "' : "remove the empty item or quote it",
      );
      continue;
    }
    values.push(text);
  }
  return values;
}

/** Reads `true` or `false`; null when absent or wrong. */
export function readBoolean(context: YamlContext, node: Node | null, label: string): boolean | null {
  if (isNullNode(node)) return null;
  if (isScalar(node) && typeof node.value === "boolean") return node.value;
  const hint =
    isScalar(node) && typeof node.value === "string" && /^(true|false|yes|no|on|off)$/i.test(node.value)
      ? "write true or false, without quotes"
      : "write true or false";
  context.error(node as Node, `${label} must be a boolean, not ${describeNode(node)}`, hint);
  return null;
}

/** Reads a mapping of names to single values (numbers and booleans as written, null as ""). */
export function readTextMap(context: YamlContext, node: Node | null, label: string): Record<string, string> {
  // Collected as pairs: a "__proto__" key must become a property, not a prototype.
  const values: [string, string][] = [];
  if (isNullNode(node)) return {};
  if (!isMap(node)) {
    context.error(
      node as Node,
      `${label} must be a mapping, not ${describeNode(node)}`,
      `write ${label}: {NAME: value}`,
    );
    return {};
  }
  for (const entry of context.entries(node)) {
    if (entry.key === "") {
      context.error(entry.keyNode, `${label} has an empty name`, null);
      continue;
    }
    if (isNullNode(entry.value)) {
      values.push([entry.key, ""]);
      continue;
    }
    const text = scalarText(entry.value);
    if (text === null) {
      context.error(
        entry.value as Node,
        `${label} "${entry.key}" must be a single value, not ${describeNode(entry.value)}`,
        "quote the value to keep it as text",
      );
      continue;
    }
    values.push([entry.key, text]);
  }
  return Object.fromEntries(values);
}
