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

/** A JSON object's members in order (a JavaScript object would put integer-like keys first). */
class Members {
  constructor(readonly entries: [string, JsonValue][]) {}
}

type JsonValue = string | number | boolean | null | JsonValue[] | Members;

function toJsonValue(value: GoValue): JsonValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return value;
  if (value instanceof GoFloat) {
    if (!Number.isFinite(value.value)) {
      const name = Number.isNaN(value.value) ? "NaN" : value.value > 0 ? "+Inf" : "-Inf";
      throw new UnsupportedValue(`json: unsupported value: ${name}`);
    }
    return value.value;
  }
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Map) {
    return new Members(sortedKeys(value).map((key) => [key, toJsonValue(value.get(key) as GoValue)]));
  }
  if (value instanceof GoObject) {
    return new Members(Object.entries(value.fields).map(([key, field]) => [key, toJsonValue(field)]));
  }
  throw new UnsupportedValue("json: unsupported type: func()");
}

/**
 * json.Marshal (or MarshalIndent with `indent`) of a value. `escapeHtml` false is an Encoder with
 * SetEscapeHTML(false). Throws Go's message for what JSON cannot hold (a function, NaN).
 */
export function marshalJson(value: GoValue, options: { indent?: string; escapeHtml?: boolean } = {}): string {
  const text = stringify(toJsonValue(value), options.indent ?? "", "");
  const escaped = text.replace(/[\u2028\u2029]/g, (character) => (character === "\u2028" ? "\\u2028" : "\\u2029"));
  if (options.escapeHtml === false) return escaped;
  return escaped.replace(/[<>&]/g, (character) => `\\u00${character.charCodeAt(0).toString(16)}`);
}

function stringify(value: JsonValue, indent: string, current: string): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const inner = current + indent;
  const separator = indent === "" ? "," : `,\n${inner}`;
  const open = indent === "" ? "" : `\n${inner}`;
  const close = indent === "" ? "" : `\n${current}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[${open}${value.map((item) => stringify(item, indent, inner)).join(separator)}${close}]`;
  }
  if (value.entries.length === 0) return "{}";
  const colon = indent === "" ? ":" : ": ";
  const members = value.entries.map(([key, item]) => `${JSON.stringify(key)}${colon}${stringify(item, indent, inner)}`);
  return `{${open}${members.join(separator)}${close}}`;
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
