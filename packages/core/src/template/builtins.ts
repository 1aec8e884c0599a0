/*
 * Go's predefined template functions (text/template/funcs.go, Go 1.22) except `and`/`or`, which
 * short-circuit and so live in exec. Errors read as Go's; exec prefixes "error calling NAME: ".
 */
import { GoArgumentError } from "./errors.js";
import { formatGoValue, goTypeName, sprintf } from "./format.js";
import { type FunctionMap, GoFloat, GoObject, type GoValue } from "./model.js";

/** Go's truth of a value: false, 0, a nil pointer or interface, an empty array, slice, map, or string. */
export function isTrue(value: GoValue | undefined): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.length > 0;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "boolean") return value;
  if (value instanceof GoFloat) return value.value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map) return value.size > 0;
  return true;
}

/** Builtins with Go's arity: [minimum, maximum or null for variadic]. */
export const builtinArity: Readonly<Record<string, readonly [number, number | null]>> = {
  and: [1, null],
  or: [1, null],
  not: [1, 1],
  len: [1, 1],
  index: [1, null],
  slice: [1, null],
  print: [0, null],
  printf: [1, null],
  println: [0, null],
  eq: [1, null],
  ne: [2, 2],
  lt: [2, 2],
  le: [2, 2],
  gt: [2, 2],
  ge: [2, 2],
  html: [0, null],
  js: [0, null],
  urlquery: [0, null],
  call: [1, null],
};

/** fmt.Sprint: operands separated by a space when neither side is a string. */
export function sprint(args: readonly GoValue[]): string {
  let out = "";
  args.forEach((arg, index) => {
    if (index > 0 && typeof arg !== "string" && typeof args[index - 1] !== "string") out += " ";
    out += formatGoValue(arg);
  });
  return out;
}

function indexArgument(index: GoValue, length: number): number {
  if (typeof index !== "number") {
    if (index === null) throw new Error("cannot index slice/array with nil");
    throw new Error(`cannot index slice/array with type ${goTypeName(index)}`);
  }
  if (index < 0 || index > length) throw new Error(`index out of range: ${index}`);
  return index;
}

function index(args: readonly GoValue[]): GoValue {
  let item = args[0] ?? null;
  if (item === null) throw new Error("index of untyped nil");
  for (const key of args.slice(1)) {
    if (item === null) throw new Error("index of nil pointer");
    if (Array.isArray(item) || typeof item === "string") {
      const position = indexArgument(key, item.length);
      if (position === item.length) throw new Error(`index out of range: ${position}`);
      item = typeof item === "string" ? (new TextEncoder().encode(item)[position] ?? 0) : (item[position] as GoValue);
    } else if (item instanceof Map) {
      if (typeof key !== "string") {
        if (key === null) throw new Error("value is nil; should be of type string");
        throw new Error(`value has type ${goTypeName(key)}; should be string`);
      }
      item = item.has(key) ? (item.get(key) as GoValue) : null;
    } else {
      throw new Error(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

function slice(args: readonly GoValue[]): GoValue {
  const item = args[0] ?? null;
  const indexes = args.slice(1);
  if (item === null) throw new Error("slice of untyped nil");
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let bytes: Uint8Array | null = null;
  let length: number;
  if (typeof item === "string") {
    if (indexes.length === 3) throw new Error("cannot 3-index slice a string");
    bytes = new TextEncoder().encode(item);
    length = bytes.length;
  } else if (Array.isArray(item)) {
    length = item.length;
  } else {
    throw new Error(`can't slice item of type ${goTypeName(item)}`);
  }
  const bounds = [0, length, length];
  indexes.forEach((key, position) => {
    bounds[position] = indexArgument(key, length);
  });
  const [low = 0, high = length, max = length] = bounds;
  if (low > high) throw new Error(`invalid slice index: ${low} > ${high}`);
  if (indexes.length === 3 && high > max) throw new Error(`invalid slice index: ${high} > ${max}`);
  if (bytes !== null) return new TextDecoder().decode(bytes.slice(low, high));
  return (item as GoValue[]).slice(low, high);
}

function length(args: readonly GoValue[]): GoValue {
  const item = args[0] ?? null;
  if (item === null) throw new Error("len of nil pointer");
  if (typeof item === "string") return new TextEncoder().encode(item).length;
  if (Array.isArray(item)) return item.length;
  if (item instanceof Map) return item.size;
  throw new Error(`len of type ${goTypeName(item)}`);
}

type Kind = "bool" | "int" | "float" | "string" | "invalid" | "other";

function basicKind(value: GoValue): Kind {
  if (value === null) return "invalid";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return "int";
  if (value instanceof GoFloat) return "float";
  if (typeof value === "string") return "string";
  return "other";
}

const incompatible = "incompatible types for comparison";
const invalidType = "invalid type for comparison";

function primitive(value: GoValue): unknown {
  return value instanceof GoFloat ? value.value : value;
}

function equal(args: readonly GoValue[]): boolean {
  const first = args[0] ?? null;
  if (args.length < 2) throw new Error("missing argument for comparison");
  const firstKind = basicKind(first);
  for (const other of args.slice(1)) {
    const otherKind = basicKind(other);
    let truth = false;
    if (firstKind !== otherKind) {
      if (first !== null && other !== null) throw new Error(incompatible);
    } else if (firstKind === "other") {
      if (first instanceof GoObject && other instanceof GoObject && first.typeName === other.typeName) {
        truth = structEqual(first, other);
      } else if (Array.isArray(first) || first instanceof Map || first instanceof GoObject) {
        throw new Error(
          `non-comparable types ${formatGoValue(first)}: ${goTypeName(first)}, ${goTypeName(other)}: ${formatGoValue(other)}`,
        );
      } else {
        truth = first === other;
      }
    } else if (firstKind === "invalid") {
      truth = true;
    } else {
      truth = primitive(first) === primitive(other);
    }
    if (truth) return true;
  }
  return false;
}

/** Go's == on structs: same type, every field equal (fields of basic kinds, nil, or structs). */
function structEqual(first: GoObject, second: GoObject): boolean {
  if (first === second) return true;
  if (first.typeName !== second.typeName) return false;
  return Object.keys(first.fields).every((name) => {
    const a = first.fields[name] ?? null;
    const b = second.fields[name] ?? null;
    if (a instanceof GoObject && b instanceof GoObject) return structEqual(a, b);
    return basicKind(a) === basicKind(b) && primitive(a) === primitive(b);
  });
}

function lessThan(first: GoValue, second: GoValue): boolean {
  const firstKind = basicKind(first);
  const secondKind = basicKind(second);
  if (firstKind === "invalid" || firstKind === "other" || secondKind === "invalid" || secondKind === "other") {
    throw new Error(invalidType);
  }
  if (firstKind !== secondKind) throw new Error(incompatible);
  if (firstKind === "bool") throw new Error(invalidType);
  return (primitive(first) as number | string) < (primitive(second) as number | string);
}

/** Go's template.HTMLEscapeString. */
export function htmlEscape(text: string): string {
  return text.replace(/[<>&'"\0]/g, (char) =>
    char === "\0" ? "\uFFFD" : ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&#39;", '"': "&#34;" }[char] as string),
  );
}

/** Go's template.JSEscapeString. */
export function jsEscape(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const named: Record<string, string> = {
      "\\": "\\\\",
      "'": "\\'",
      '"': '\\"',
      "<": "\\u003C",
      ">": "\\u003E",
      "&": "\\u0026",
      "=": "\\u003D",
    };
    if (named[char] !== undefined) out += named[char];
    else if (code < 0x20) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else if (code < 0x80 || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(char)) out += char;
    else out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return out;
}

/** Go's url.QueryEscape. */
export function queryEscape(text: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(char)) out += char;
    else if (char === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function escaperText(args: readonly GoValue[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  // Go prints a nil argument of the escapers as the template would: <no value>.
  return sprint(args.map((arg) => (arg === null ? "<no value>" : arg)));
}

/** The builtins other than and/or, as functions over Go values. */
export const builtinFunctions: FunctionMap = {
  not: (args) => !isTrue(args[0] ?? null),
  len: length,
  index,
  slice,
  print: (args) => sprint(args),
  printf: (args) => {
    const format = args[0];
    if (typeof format !== "string") {
      throw new GoArgumentError(`wrong type for value; expected string; got ${goTypeName(format ?? null)}`);
    }
    return sprintf(format, args.slice(1));
  },
  println: (args) => `${args.map((arg) => formatGoValue(arg)).join(" ")}\n`,
  eq: (args) => equal(args),
  ne: (args) => !equal(args),
  lt: (args) => lessThan(args[0] ?? null, args[1] ?? null),
  le: (args) => lessThan(args[0] ?? null, args[1] ?? null) || equal(args),
  gt: (args) => !(lessThan(args[0] ?? null, args[1] ?? null) || equal(args)),
  ge: (args) => !lessThan(args[0] ?? null, args[1] ?? null),
  html: (args) => htmlEscape(escaperText(args)),
  js: (args) => jsEscape(escaperText(args)),
  urlquery: (args) => queryEscape(escaperText(args)),
  call: (args, context) => {
    const target = args[0] ?? null;
    if (target === null) throw new Error("call of nil");
    if (typeof target !== "function") throw new Error(`non-function of type ${goTypeName(target)}`);
    return target(args.slice(1), context);
  },
};
