/*
 * Go's encoding/json over template values, for Sprig's toJson, toPrettyJson, toRawJson and fromJson.
 * Go escapes <, > and & (and U+2028, U+2029) unless told not to, sorts map keys, writes struct fields
 * in their order, and decodes every JSON number as a float64.
 */

import type { FunctionMap } from "../model.js";
import { GoFloat, GoObject, type GoValue } from "../model.js";
import { expectArity, stringArgument } from "./arguments.js";
import { sortedKeys } from "./values.js";

class UnsupportedValue extends Error {}

function toPlain(value: GoValue): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return value;
  if (value instanceof GoFloat) {
    if (!Number.isFinite(value.value)) {
      throw new UnsupportedValue(
        `json: unsupported value: ${value.value > 0 ? "+Inf" : value.value < 0 ? "-Inf" : "NaN"}`,
      );
    }
    return value.value;
  }
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const key of sortedKeys(value)) out[key] = toPlain(value.get(key) as GoValue);
    return out;
  }
  if (value instanceof GoObject) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value.fields)) out[key] = toPlain(field);
    return out;
  }
  throw new UnsupportedValue("json: unsupported type: func()");
}

/**
 * json.Marshal (or MarshalIndent with `indent`) of a value. `escapeHtml` false is an Encoder with
 * SetEscapeHTML(false). Throws Go's message for what JSON cannot hold (a function, NaN).
 */
export function marshalJson(value: GoValue, options: { indent?: string; escapeHtml?: boolean } = {}): string {
  // JavaScript's JSON orders integer-like keys first; Go orders all keys as strings, so keys are
  // written in order through a replacer-free pass that keeps insertion order only for non-index keys.
  const text = stringifyOrdered(toPlain(value), options.indent ?? "", "");
  const escaped = text.replace(/[\u2028\u2029]/g, (character) => (character === "\u2028" ? "\\u2028" : "\\u2029"));
  if (options.escapeHtml === false) return escaped;
  return escaped.replace(/[<>&]/g, (character) => `\\u00${character.charCodeAt(0).toString(16)}`);
}

function stringifyOrdered(value: unknown, indent: string, current: string): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const inner = current + indent;
  const separator = indent === "" ? "," : `,\n${inner}`;
  const open = indent === "" ? "" : `\n${inner}`;
  const close = indent === "" ? "" : `\n${current}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[${open}${value.map((item) => stringifyOrdered(item, indent, inner)).join(separator)}${close}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  const colon = indent === "" ? ":" : ": ";
  return `{${open}${entries
    .map(([key, item]) => `${JSON.stringify(key)}${colon}${stringifyOrdered(item, indent, inner)}`)
    .join(separator)}${close}}`;
}

/** json.Unmarshal into interface{}: objects are maps, numbers float64. Throws on invalid JSON. */
export function unmarshalJson(text: string): GoValue {
  return fromPlain(JSON.parse(text) as unknown);
}

function fromPlain(value: unknown): GoValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return new GoFloat(value);
  if (Array.isArray(value)) return value.map(fromPlain);
  return new Map(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, fromPlain(item)]));
}

/** Sprig's JSON functions (the plain ones give "" or nil on failure, the must* ones fail). */
export function jsonFunctions(): FunctionMap {
  const encode = (indent: string | undefined, escapeHtml: boolean, must: boolean) =>
    ((args, context) => {
      expectArity(context.name, args, 1);
      try {
        return marshalJson(args[0] as GoValue, { indent, escapeHtml });
      } catch (error) {
        if (must || !(error instanceof UnsupportedValue)) throw error;
        return "";
      }
    }) satisfies FunctionMap[string];
  return {
    toJson: encode(undefined, true, false),
    mustToJson: encode(undefined, true, true),
    toPrettyJson: encode("  ", true, false),
    mustToPrettyJson: encode("  ", true, true),
    toRawJson: encode(undefined, false, true),
    mustToRawJson: encode(undefined, false, true),
    fromJson: (args, context) => {
      expectArity(context.name, args, 1);
      try {
        return unmarshalJson(stringArgument(args[0]));
      } catch (error) {
        if (error instanceof SyntaxError) return null;
        throw error;
      }
    },
    mustFromJson: (args, context) => {
      expectArity(context.name, args, 1);
      return unmarshalJson(stringArgument(args[0]));
    },
  };
}
