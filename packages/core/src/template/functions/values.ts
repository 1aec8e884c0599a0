/*
 * What Sprig's functions need to know about Go values: their Go type and kind names, emptiness (Sprig's
 * `empty`, which follows text/template's truth), reflect.DeepEqual, and spf13/cast's lenient number
 * conversions. Argument checking lives in arguments.ts.
 */
import { GoFloat, type GoFunction, GoObject, type GoValue } from "../model.js";

/** True for a Go map[string]interface{}. */
export function isGoMap(value: GoValue | undefined): value is Map<string, GoValue> {
  return value instanceof Map;
}

/** True for a Go slice. */
export function isGoList(value: GoValue | undefined): value is GoValue[] {
  return Array.isArray(value);
}

/** Go's reflect Kind name of a value (`string`, `int`, `float64`, `slice`, `map`, `struct`, `invalid` for nil). */
export function goKindName(value: GoValue): string {
  if (value === null) return "invalid";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return "int";
  if (value instanceof GoFloat) return "float64";
  if (Array.isArray(value)) return "slice";
  if (value instanceof Map) return "map";
  if (value instanceof GoObject) return "struct";
  return "func";
}

/** Sprig's `empty`: nil, "", 0, 0.0, false, an empty list or map; a struct never is. */
export function isEmpty(value: GoValue | undefined): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === "string") return value.length === 0;
  if (typeof value === "boolean") return !value;
  if (typeof value === "number") return value === 0;
  if (value instanceof GoFloat) return value.value === 0;
  if (Array.isArray(value)) return value.length === 0;
  if (value instanceof Map) return value.size === 0;
  return false;
}

/** reflect.DeepEqual over template values: an int never equals a float64, functions only when the same. */
export function deepEqual(a: GoValue, b: GoValue): boolean {
  if (a === b) return typeof a !== "function";
  if (a === null || b === null) return false;
  if (a instanceof GoFloat) return b instanceof GoFloat && a.value === b.value;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, index) => deepEqual(item, b[index] as GoValue));
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [key, item] of a) {
      if (!b.has(key) || !deepEqual(item, b.get(key) as GoValue)) return false;
    }
    return true;
  }
  if (a instanceof GoObject) {
    if (!(b instanceof GoObject) || a.typeName !== b.typeName) return false;
    const keys = Object.keys(a.fields);
    return (
      keys.length === Object.keys(b.fields).length &&
      keys.every((key) => key in b.fields && deepEqual(a.fields[key] as GoValue, b.fields[key] as GoValue))
    );
  }
  return false;
}

/** A map's keys in Go's printing order (sorted), which is also the order stages gives where Go's is random. */
export function sortedKeys(map: ReadonlyMap<string, GoValue>): string[] {
  return [...map.keys()].sort(compareGoStrings);
}

/** Compares strings as Go does (by UTF-8 bytes, which is code point order), not by UTF-16 units. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const left = [...a];
  const right = [...b];
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const difference = (left[index] as string).codePointAt(0)! - (right[index] as string).codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

// strconv.ParseInt(s, 0, 64): an optional sign, then 0x/0o/0b/0 prefixes, underscores only after a prefix.
const goIntegerLiteral =
  /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*|[1-9](?:_?[0-9])*)$/;

/** strconv.ParseInt(text, 0, 64), or undefined when Go would fail. */
export function parseGoInteger(text: string): number | undefined {
  if (!goIntegerLiteral.test(text)) return undefined;
  const negative = text.startsWith("-");
  const digits = text.replace(/^[+-]/, "").replaceAll("_", "");
  let value: bigint;
  if (/^0[xXbBoO]/.test(digits)) value = BigInt(`0${digits[1]?.toLowerCase()}${digits.slice(2)}`);
  else if (digits.length > 1 && digits.startsWith("0")) value = BigInt(`0o${digits.slice(1)}`);
  else value = BigInt(digits);
  if (negative) value = -value;
  if (value > 9223372036854775807n || value < -9223372036854775808n) return undefined;
  return Number(value);
}

/** strconv.ParseFloat(text, 64), or undefined when Go would fail. */
export function parseGoFloat(text: string): number | undefined {
  const plain = text.replaceAll("_", "");
  if (/^[+-]?(?:inf|infinity)$/i.test(plain)) return plain.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(plain)) return Number.NaN;
  if (/^[+-]?0[xX]/.test(plain)) return undefined;
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(plain)) return undefined;
  // Go allows underscores only between digits.
  if (text.includes("_") && !/^[+-]?[0-9]+(?:_[0-9]+)*(?:\.[0-9]+(?:_[0-9]+)*)?(?:[eE][+-]?[0-9]+)?$/.test(text)) {
    return undefined;
  }
  return Number(plain);
}

/** spf13/cast's ToInt64 as Sprig uses it: lenient, 0 for what it cannot read. */
export function castToInt(value: GoValue | undefined): number {
  if (typeof value === "number") return value;
  if (value instanceof GoFloat) return Number.isFinite(value.value) ? Math.trunc(value.value) : 0;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") return parseGoInteger(value) ?? 0;
  return 0;
}

/** spf13/cast's ToFloat64: lenient, 0 for what it cannot read. */
export function castToFloat(value: GoValue | undefined): number {
  if (typeof value === "number") return value;
  if (value instanceof GoFloat) return value.value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const parsed = parseGoFloat(value);
    return parsed === undefined || Number.isNaN(parsed) ? 0 : parsed;
  }
  return 0;
}

/** True for a function value. */
export function isGoFunction(value: GoValue): value is GoFunction {
  return typeof value === "function";
}
