import { isMap, isScalar, isSeq, type Node } from "yaml";
import { pathPatternProblem } from "../path-rules.js";
import { describeNode, isNullNode, type YamlContext } from "./yaml-context.js";

/*
 * Scalar types follow werf, whose config is Go structs read by gopkg.in/yaml.v2:
 * - a directive werf reads into a Go string (from, cacheVersion, add, to, owner, WORKDIR, USER, ...)
 *   takes any scalar as written: `cacheVersion: 1.10` is "1.10", `owner: 1000` is "1000" (`readText`);
 * - a directive werf reads with `InterfaceToStringArray` (shell stages, stageDependencies,
 *   include/excludePaths, EXPOSE, VOLUME) or as a command (CMD, ENTRYPOINT) takes a string or a list
 *   of strings and nothing else: `setup: 5` or `EXPOSE: [8080]` is an error, not the text "5"
 *   (`readStringList`, `readStringOrList`);
 * - ENV and LABEL are werf's map[string]string: values are taken as written, `~` is "" (`readTextMap`);
 * - a boolean is `true`/`false`, or one of YAML 1.1's unquoted words (`yes`, `no`, `on`, `off`, ...)
 *   that werf's YAML 1.1 reader takes for booleans (`readBoolean`).
 */

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

/** The value of a string scalar; null for numbers, booleans, null and anything else. */
export function stringValue(node: Node | null): string | null {
  return isScalar(node) && typeof node.value === "string" ? node.value : null;
}

/** Reads a single value as a string (numbers and booleans as written, as werf does); null when absent or wrong. */
export function readText(context: YamlContext, node: Node | null, label: string, example?: string): string | null {
  if (isNullNode(node)) return null;
  const text = scalarText(node);
  if (text === null) {
    context.error(node as Node, `${label} must be a string, not ${describeNode(node)}`, example ?? null);
  }
  return text;
}

/** How to write a number or boolean scalar as a string: quote it. */
export function quoteHint(node: Node | null, key: string | null): string | null {
  const text = scalarText(node);
  if (text === null) return null;
  const quoted = JSON.stringify(text);
  return key === null ? `quote it: ${quoted}` : `quote it to run it as a command: ${key}: ${quoted}`;
}

/**
 * Reads a string or a list of strings (werf's `InterfaceToStringArray`), or null when the value is
 * neither: a number or a boolean is an error, never turned into text.
 */
export function readStringOrList(
  context: YamlContext,
  node: Node | null,
  label: string,
): { kind: "string"; value: string } | { kind: "list"; value: string[] } | null {
  if (isNullNode(node)) return null;
  const single = stringValue(node);
  if (single !== null) return { kind: "string", value: single };
  if (!isSeq(node)) {
    const key = label.slice(label.lastIndexOf(".") + 1);
    const hint = isScalar(node) ? quoteHint(node, /^[a-z]/.test(key) && label.startsWith("shell.") ? key : null) : null;
    context.error(node as Node, `${label} must be a string or a list of strings, not ${describeNode(node)}`, hint);
    return null;
  }
  const values: string[] = [];
  for (const item of node.items) {
    const resolved = context.resolve(item as Node | null);
    const text = stringValue(resolved);
    if (text === null) {
      context.error(
        (resolved ?? node) as Node,
        `each item of ${label} must be a string, not ${describeNode(resolved)}`,
        isMap(resolved)
          ? 'quote an item that contains ": "'
          : isNullNode(resolved)
            ? "remove the empty item or quote it"
            : quoteHint(resolved, null),
      );
      continue;
    }
    values.push(text);
  }
  return { kind: "list", value: values };
}

/** Reads a string or a list of strings into a list; an absent (or wrong) value is an empty list. */
export function readTextList(context: YamlContext, node: Node | null, label: string): string[] {
  const read = readStringOrList(context, node, label);
  if (read === null) return [];
  return read.kind === "string" ? [read.value] : read.value;
}

/**
 * Reads include/exclude paths or stageDependencies like `readTextList`, and reports a pattern that is
 * no glob (werf stops on it too: an unclosed [ or {, an empty class, a trailing \) at its item.
 */
export function readPathPatterns(context: YamlContext, node: Node | null, label: string): string[] {
  const patterns = readTextList(context, node, label);
  if (patterns.length === 0) return patterns;
  const items = isSeq(node) ? node.items.map((item) => context.resolve(item as Node | null)) : [node];
  for (const item of items) {
    const pattern = stringValue(item);
    const problem = pattern === null ? null : pathPatternProblem(pattern);
    if (problem !== null) {
      context.error(
        item as Node,
        `${label} "${pattern}" is not a valid glob: ${problem}`,
        "escape a literal [ { or \\ with a backslash, e.g. \\[",
      );
    }
  }
  return patterns;
}

/** YAML 1.1's words for booleans, which werf (gopkg.in/yaml.v2) reads as true and false when unquoted. */
const yaml11Booleans: Readonly<Record<string, boolean>> = Object.fromEntries([
  ...["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"].map((word) => [word, true] as const),
  ...["n", "N", "no", "No", "NO", "off", "Off", "OFF"].map((word) => [word, false] as const),
]);

/** Reads `true` or `false` (or an unquoted YAML 1.1 word such as `yes`); null when absent or wrong. */
export function readBoolean(context: YamlContext, node: Node | null, label: string): boolean | null {
  if (isNullNode(node)) return null;
  if (isScalar(node) && typeof node.value === "boolean") return node.value;
  if (isScalar(node) && node.type === "PLAIN" && typeof node.value === "string") {
    const word = yaml11Booleans[node.value];
    if (word !== undefined) return word;
  }
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
