/*
 * Go's fmt over template values: `formatGoValue` is `%v`, `sprintf` is fmt.Sprintf with Go's verbs,
 * flags, width/precision and its error forms (`%!d(string=x)`, `%!(EXTRA ...)`, `%!s(MISSING)`).
 * Printing in templates and Sprig's string functions both go through here, so both read as Go does.
 */
import { type CallContext, GoFloat, GoObject, type GoValue } from "./model.js";

/** Go's `%v` of a value, as fmt.Sprint prints it. */
export function formatGoValue(value: GoValue): string {
  return formatArgument(value, "v", defaultFlags());
}

/** Go's type name of a value (`%T`), as it appears in fmt's error forms. */
export function goTypeName(value: GoValue): string {
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "int";
  if (typeof value === "boolean") return "bool";
  if (value instanceof GoFloat) return "float64";
  if (Array.isArray(value)) return "[]interface {}";
  if (value instanceof Map) return "map[string]interface {}";
  if (value instanceof GoObject) return value.typeName;
  return "func()";
}

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  /** `%+v`: struct field names. */
  plusV: boolean;
  /** `%#v`: Go syntax. */
  sharpV: boolean;
  width: number | undefined;
  precision: number | undefined;
}

function defaultFlags(): Flags {
  return {
    plus: false,
    minus: false,
    sharp: false,
    space: false,
    zero: false,
    plusV: false,
    sharpV: false,
    width: undefined,
    precision: undefined,
  };
}

/** Go's fmt.Sprintf. */
export function sprintf(format: string, args: readonly GoValue[]): string {
  let out = "";
  let argIndex = 0;
  let reordered = false;
  let afterIndex = false;
  const length = format.length;
  let i = 0;
  while (i < length) {
    const start = i;
    while (i < length && format[i] !== "%") i++;
    if (i > start) out += format.slice(start, i);
    if (i >= length) break;
    i++; // the %
    const flags = defaultFlags();
    // Flags.
    for (; i < length; i++) {
      const c = format[i];
      if (c === "#") flags.sharp = true;
      else if (c === "0") flags.zero = !flags.minus;
      else if (c === "+") flags.plus = true;
      else if (c === "-") {
        flags.minus = true;
        flags.zero = false;
      } else if (c === " ") flags.space = true;
      else break;
    }
    // Argument index, then width.
    const index = parseArgumentIndex(format, i, argIndex, args.length);
    i = index.next;
    argIndex = index.argIndex;
    afterIndex = index.found;
    let goodIndex = index.ok;
    if (!index.ok || index.found) reordered = true;
    let badWidth = false;
    if (i < length && format[i] === "*") {
      i++;
      const taken = intFromArgument(args, argIndex);
      argIndex = taken.argIndex;
      if (!taken.ok) badWidth = true;
      else {
        flags.width = taken.value;
        if (taken.value < 0) {
          flags.width = -taken.value;
          flags.minus = true;
          flags.zero = false;
        }
      }
      afterIndex = false;
    } else {
      const number = parseNumber(format, i);
      if (number.found) {
        flags.width = number.value;
        i = number.next;
        if (afterIndex) badWidth = true; // "%[3]2d"
      }
    }
    let badPrecision = false;
    if (i + 1 <= length && format[i] === ".") {
      i++;
      if (afterIndex) badPrecision = true;
      const precisionIndex = parseArgumentIndex(format, i, argIndex, args.length);
      i = precisionIndex.next;
      argIndex = precisionIndex.argIndex;
      afterIndex = precisionIndex.found;
      if (precisionIndex.found) reordered = true;
      if (i < length && format[i] === "*") {
        i++;
        const taken = intFromArgument(args, argIndex);
        argIndex = taken.argIndex;
        flags.precision = taken.value;
        if (taken.value < 0) flags.precision = undefined;
        if (!taken.ok) badPrecision = true;
        afterIndex = false;
      } else {
        const number = parseNumber(format, i);
        flags.precision = number.found ? number.value : 0;
        i = number.next;
      }
    }
    if (!afterIndex) {
      const verbIndex = parseArgumentIndex(format, i, argIndex, args.length);
      i = verbIndex.next;
      argIndex = verbIndex.argIndex;
      afterIndex = verbIndex.found;
      if (!verbIndex.ok || verbIndex.found) reordered = true;
      if (!verbIndex.ok) goodIndex = false;
    }
    if (i >= length) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (badWidth) out += "%!(BADWIDTH)";
    if (badPrecision) out += "%!(BADPREC)";
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (!goodIndex) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argIndex] as GoValue;
    argIndex++;
    if (verb === "v") {
      if (flags.sharp) {
        flags.sharp = false;
        flags.sharpV = true;
      }
      if (flags.plus) {
        flags.plus = false;
        flags.plusV = true;
      }
    }
    out += formatArgument(arg, verb, flags);
  }
  if (!reordered && argIndex < args.length) {
    out += "%!(EXTRA ";
    out += args
      .slice(argIndex)
      .map((arg) => (arg === null ? "<nil>" : `${goTypeName(arg)}=${formatArgument(arg, "v", defaultFlags())}`))
      .join(", ");
    out += ")";
  }
  return out;
}

function parseNumber(format: string, start: number): { value: number; next: number; found: boolean } {
  let i = start;
  let value = 0;
  while (i < format.length && format[i] !== undefined && (format[i] as string) >= "0" && (format[i] as string) <= "9") {
    value = value * 10 + Number(format[i]);
    if (value > 1e6) return { value: 0, next: i + 1, found: false };
    i++;
  }
  return { value, next: i, found: i > start };
}

function parseArgumentIndex(
  format: string,
  start: number,
  argIndex: number,
  count: number,
): { argIndex: number; next: number; found: boolean; ok: boolean } {
  if (start >= format.length || format[start] !== "[") return { argIndex, next: start, found: false, ok: true };
  const close = format.indexOf("]", start + 1);
  if (close < 0) return { argIndex, next: format.length, found: false, ok: false };
  const text = format.slice(start + 1, close);
  const number = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(number) || number < 1 || number > count)
    return { argIndex, next: close + 1, found: false, ok: false };
  return { argIndex: number - 1, next: close + 1, found: true, ok: true };
}

function intFromArgument(args: readonly GoValue[], argIndex: number): { value: number; argIndex: number; ok: boolean } {
  if (argIndex >= args.length) return { value: 0, argIndex, ok: false };
  const arg = args[argIndex];
  if (typeof arg === "number") return { value: arg, argIndex: argIndex + 1, ok: Math.abs(arg) <= 1e6 };
  return { value: 0, argIndex: argIndex + 1, ok: false };
}

/** Go's bad-verb form; the value inside is printed with %v under the same flags, as Go does. */
function badVerb(value: GoValue, verb: string, flags: Flags = defaultFlags()): string {
  if (value === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(value)}=${formatArgument(value, "v", flags)})`;
}

/** An element of a slice, map or struct: a nil one prints `<nil>` whatever the verb, unpadded. */
function formatElement(value: GoValue, verb: string, flags: Flags): string {
  if (value === null || value === undefined) return flags.sharpV ? "interface {}(nil)" : "<nil>";
  return formatArgument(value, verb, flags);
}

function formatArgument(value: GoValue, verb: string, flags: Flags): string {
  if (verb === "T") return pad(goTypeName(value), flags);
  if (value instanceof GoObject && !flags.sharpV) {
    const text = methodText(value, verb);
    if (text !== undefined) return formatString(text, verb === "v" ? "s" : verb, flags);
  }
  if (value === null || value === undefined) {
    return verb === "v" ? pad("<nil>", flags) : badVerb(null, verb);
  }
  if (typeof value === "boolean") {
    return verb === "t" || verb === "v" ? pad(String(value), flags) : badVerb(value, verb, flags);
  }
  if (typeof value === "number") return formatInteger(value, verb, flags);
  if (value instanceof GoFloat) return formatFloat(value.value, verb, flags);
  if (typeof value === "string") return formatString(value, verb, flags);
  if (Array.isArray(value)) {
    if (flags.sharpV) {
      return `[]interface {}{${value.map((element) => formatElement(element, verb, flags)).join(", ")}}`;
    }
    return `[${value.map((element) => formatElement(element, verb, flags)).join(" ")}]`;
  }
  if (value instanceof Map) {
    const keys = [...value.keys()].sort(compareKeys);
    if (flags.sharpV) {
      return `map[string]interface {}{${keys
        .map((key) => `${formatArgument(key, verb, flags)}:${formatElement(value.get(key) ?? null, verb, flags)}`)
        .join(", ")}}`;
    }
    return `map[${keys
      .map((key) => `${formatArgument(key, verb, flags)}:${formatElement(value.get(key) ?? null, verb, flags)}`)
      .join(" ")}]`;
  }
  if (value instanceof GoObject) {
    const entries = Object.entries(value.fields);
    if (flags.sharpV) {
      return `${value.typeName}{${entries.map(([name, field]) => `${name}:${formatElement(field, verb, flags)}`).join(", ")}}`;
    }
    return `{${entries
      .map(([name, field]) => (flags.plusV ? `${name}:` : "") + formatElement(field, verb, flags))
      .join(" ")}}`;
  }
  // A function value: Go prints its address; there is none to print here.
  return verb === "v" || verb === "p" ? pad("0x0", flags) : badVerb(value, verb, flags);
}

/** Nothing calls back into templates from fmt: a method that would is a plain Go method here. */
const methodContext: CallContext = {
  position: { file: "", line: 0, column: 0 },
  name: "String",
  executeTemplate: () => "",
  executeText: () => "",
};

/**
 * Go's fmt handleMethods: for %v %s %q %x %X (not %#v), an error prints its Error() and a
 * fmt.Stringer its String() (Error first, as Go's type switch), at every depth (elements too).
 */
function methodText(value: GoObject, verb: string): string | undefined {
  if (verb !== "v" && verb !== "s" && verb !== "q" && verb !== "x" && verb !== "X") return undefined;
  for (const name of ["Error", "String"]) {
    const method = value.methods[name];
    if (method === undefined) continue;
    const text = method([], { ...methodContext, name });
    if (typeof text === "string") return text;
  }
  return undefined;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Pads to the width with spaces (or zeros when the 0 flag is set), counting runes as Go does. */
function pad(text: string, flags: Flags): string {
  if (flags.width === undefined) return text;
  const runes = [...text].length;
  if (runes >= flags.width) return text;
  const fill = (flags.zero && !flags.minus ? "0" : " ").repeat(flags.width - runes);
  return flags.minus ? text + fill : fill + text;
}

function formatString(value: string, verb: string, flags: Flags): string {
  switch (verb) {
    case "v":
      if (flags.sharpV) return pad(quoteGo(value, false), flags);
      return pad(truncate(value, flags.precision), flags);
    case "s":
      return pad(truncate(value, flags.precision), flags);
    case "q": {
      const text = truncate(value, flags.precision);
      if (flags.sharp && canBackquote(text)) return pad(`\`${text}\``, flags);
      return pad(quoteGo(text, flags.plus), flags);
    }
    case "x":
    case "X":
      return pad(hexBytes(new TextEncoder().encode(value), verb, flags), flags);
    default:
      return badVerb(value, verb, flags);
  }
}

function truncate(value: string, precision: number | undefined): string {
  if (precision === undefined) return value;
  return [...value].slice(0, precision).join("");
}

function hexBytes(bytes: Uint8Array, verb: string, flags: Flags): string {
  const limit = flags.precision === undefined ? bytes.length : Math.min(flags.precision, bytes.length);
  const digits = verb === "x" ? "0123456789abcdef" : "0123456789ABCDEF";
  const prefix = verb === "x" ? "0x" : "0X";
  let out = "";
  for (let i = 0; i < limit; i++) {
    if (flags.space && i > 0) out += " ";
    if (flags.sharp && (flags.space || i === 0)) out += prefix;
    const byte = bytes[i] as number;
    out += (digits[byte >> 4] as string) + (digits[byte & 15] as string);
  }
  return out;
}

function canBackquote(text: string): boolean {
  for (const char of text) {
    if (char === "`" || char === "\uFFFD") return false;
    const code = char.codePointAt(0) ?? 0;
    if ((code < 0x20 && char !== "\t") || code === 0x7f) return false;
  }
  return true;
}

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's strconv.Quote (or QuoteToASCII when `asciiOnly`). */
export function quoteGo(value: string, asciiOnly = false): string {
  let out = '"';
  for (const char of value) out += escapeRune(char, '"', asciiOnly);
  return `${out}"`;
}

/** Go's strconv.QuoteRune. */
export function quoteRuneGo(code: number, asciiOnly = false): string {
  const valid = code >= 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
  return `'${escapeRune(String.fromCodePoint(valid ? code : 0xfffd), "'", asciiOnly)}'`;
}

function escapeRune(char: string, quote: string, asciiOnly: boolean): string {
  const code = char.codePointAt(0) ?? 0;
  if (char === quote || char === "\\") return `\\${char}`;
  if (asciiOnly ? code < 0x80 && printable.test(char) : printable.test(char)) return char;
  switch (char) {
    case "\x07":
      return "\\a";
    case "\b":
      return "\\b";
    case "\f":
      return "\\f";
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
    case "\v":
      return "\\v";
  }
  if (code < 0x20 || code === 0x7f) return `\\x${hex(code, 2)}`;
  if (code < 0x10000) return `\\u${hex(code, 4)}`;
  return `\\U${hex(code, 8)}`;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}

function formatInteger(value: number, verb: string, flags: Flags): string {
  switch (verb) {
    case "v":
    case "d":
      return integerDigits(value, 10, flags, "");
    case "b":
      return integerDigits(value, 2, flags, flags.sharp ? "0b" : "");
    case "o":
      // Go's # adds a leading 0 only when the digits do not start with one.
      return integerDigits(value, 8, flags, flags.sharp && value !== 0 ? "0" : "");
    case "O":
      return integerDigits(value, 8, flags, "0o");
    case "x":
      return integerDigits(value, 16, flags, flags.sharp ? "0x" : "");
    case "X":
      return integerDigits(value, 16, flags, flags.sharp ? "0X" : "").toUpperCase();
    case "c":
      return pad(String.fromCodePoint(validRune(value)), flags);
    case "q":
      return pad(quoteRuneGo(value, flags.plus), flags);
    case "U": {
      const unsigned = value < 0 ? BigInt.asUintN(64, BigInt(value)) : BigInt(value);
      let text = `U+${unsigned
        .toString(16)
        .toUpperCase()
        .padStart(flags.precision ?? 4, "0")}`;
      if (flags.sharp && value >= 0 && value <= 0x10ffff && printable.test(String.fromCodePoint(validRune(value)))) {
        text += ` '${String.fromCodePoint(value)}'`;
      }
      return pad(text, flags);
    }
    default:
      return badVerb(value, verb, flags);
  }
}

function validRune(value: number): number {
  return value >= 0 && value <= 0x10ffff && !(value >= 0xd800 && value <= 0xdfff) ? value : 0xfffd;
}

function integerDigits(value: number, base: number, flags: Flags, prefix: string): string {
  const negative = value < 0;
  let digits = Math.abs(value).toString(base);
  let precision = flags.precision;
  if (precision === undefined && flags.zero && flags.width !== undefined && !flags.minus) {
    precision = flags.width;
    if (negative || flags.plus || flags.space) precision--;
    precision -= prefix.length;
  }
  if (precision !== undefined) {
    if (precision === 0 && value === 0) digits = "";
    else if (digits.length < precision) digits = "0".repeat(precision - digits.length) + digits;
  }
  const sign = negative ? "-" : flags.plus ? "+" : flags.space ? " " : "";
  // Zero padding was turned into precision above; what is left pads with spaces.
  return pad(sign + prefix + digits, { ...flags, zero: false });
}

/** Decimal digits and decimal point position of a float, as strconv's decimal: 0.d1d2... × 10^dp. */
function decimalDigits(value: number, significant: number | undefined): { digits: string; dp: number } {
  if (value === 0) return { digits: "", dp: 0 };
  if (significant === undefined) {
    // The shortest digits that read back as the same float (JavaScript and Go agree on these).
    const [mantissa = "", exponent = "0"] = value.toExponential().split("e");
    return { digits: mantissa.replace(".", "").replace("-", "").replace(/0+$/, ""), dp: Number(exponent) + 1 };
  }
  return roundDigits(exactDecimal(value), significant);
}

/** The exact decimal expansion of a finite non-negative float. */
function exactDecimal(value: number): { digits: string; dp: number } {
  const { mantissa, exponent } = floatBits(value);
  const power = exponent - 52;
  let digits: string;
  let dp: number;
  if (power >= 0) {
    digits = (mantissa << BigInt(power)).toString();
    dp = digits.length;
  } else {
    digits = (mantissa * 5n ** BigInt(-power)).toString();
    dp = digits.length + power;
  }
  return { digits: digits.replace(/0+$/, ""), dp };
}

/** Rounds to `count` significant digits, half to even on an exact tie, as strconv's decimal.Round. */
function roundDigits(decimal: { digits: string; dp: number }, count: number): { digits: string; dp: number } {
  const { digits, dp } = decimal;
  if (count < 0) return { digits: "", dp: 0 };
  if (count >= digits.length) return decimal;
  const next = digits[count] as string;
  let up: boolean;
  if (next === "5" && count + 1 === digits.length) up = count > 0 && Number(digits[count - 1]) % 2 === 1;
  else up = next >= "5";
  if (!up) return { digits: digits.slice(0, count).replace(/0+$/, ""), dp };
  const kept = [...digits.slice(0, count)].map(Number);
  let i = kept.length - 1;
  while (i >= 0 && kept[i] === 9) i--;
  if (i < 0) return { digits: "1", dp: dp + 1 };
  kept[i] = (kept[i] as number) + 1;
  return { digits: kept.slice(0, i + 1).join(""), dp };
}

function formatExponent(digits: string, dp: number, precision: number, upper: boolean, zero: boolean): string {
  // precision digits after the point; digits holds at least what is needed (padded with zeros).
  const all = (digits || "0").padEnd(precision + 1, "0");
  let text = all[0] as string;
  if (precision > 0) text += `.${all.slice(1, precision + 1)}`;
  const exponent = zero ? 0 : dp - 1;
  const sign = exponent < 0 ? "-" : "+";
  text += `${upper ? "E" : "e"}${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  return text;
}

function formatFixed(digits: string, dp: number, precision: number): string {
  let integer = "";
  if (dp > 0) integer = digits.slice(0, dp).padEnd(dp, "0");
  else integer = "0";
  let fraction = "";
  for (let i = 0; i < precision; i++) {
    const position = dp + i;
    fraction += position >= 0 && position < digits.length ? digits[position] : "0";
  }
  return precision > 0 ? `${integer}.${fraction}` : integer;
}

/** strconv.FormatFloat(value, verb, precision, 64) for e, f, g (precision -1 = shortest). */
export function formatFloatGo(value: number, verb: "e" | "E" | "f" | "F" | "g" | "G", precision: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  const negative = value < 0 || Object.is(value, -0);
  const magnitude = Math.abs(value);
  const shortest = precision < 0;
  let body: string;
  const lower = verb.toLowerCase();
  if (lower === "e") {
    const decimal = decimalDigits(magnitude, shortest ? undefined : precision + 1);
    const digitsAfter = shortest ? Math.max(decimal.digits.length - 1, 0) : precision;
    body = formatExponent(decimal.digits, decimal.dp, digitsAfter, verb === "E", magnitude === 0);
  } else if (lower === "f") {
    if (shortest) {
      const decimal = decimalDigits(magnitude, undefined);
      body = formatFixed(decimal.digits, decimal.dp, Math.max(decimal.digits.length - decimal.dp, 0));
    } else {
      body = fixedWithPrecision(magnitude, precision);
    }
  } else {
    let digitsWanted = precision;
    if (digitsWanted === 0) digitsWanted = 1;
    const decimal = decimalDigits(magnitude, shortest ? undefined : digitsWanted);
    const nd = decimal.digits.length;
    const dp = magnitude === 0 ? 1 : decimal.dp;
    let eprec = shortest ? nd : digitsWanted;
    let prec = shortest ? nd : digitsWanted;
    if (eprec > nd && nd >= dp) eprec = nd;
    if (shortest) eprec = 6;
    const exponent = dp - 1;
    if (magnitude !== 0 && (exponent < -4 || exponent >= eprec)) {
      if (prec > nd) prec = nd;
      body = formatExponent(decimal.digits, decimal.dp, Math.max(prec - 1, 0), verb === "G", false);
    } else {
      if (prec > dp) prec = nd;
      body = formatFixed(decimal.digits, magnitude === 0 ? 1 : decimal.dp, Math.max(prec - dp, 0));
    }
  }
  return (negative ? "-" : "") + body;
}

function fixedWithPrecision(magnitude: number, precision: number): string {
  if (magnitude === 0) return formatFixed("", 1, precision);
  const exact = exactDecimal(magnitude);
  const rounded = roundDigits(exact, exact.dp + precision);
  return formatFixed(rounded.digits, rounded.digits === "" ? 1 : rounded.dp, precision);
}

function formatFloat(value: number, verb: string, flags: Flags): string {
  let text: string;
  // Go's %v is %g; the sharp flag's digit count below follows the verb Go formats with.
  const goVerb = verb === "v" ? "g" : verb;
  switch (verb) {
    case "v":
    case "g":
    case "G":
      text = formatFloatGo(value, goVerb as "g" | "G", flags.precision ?? -1);
      break;
    case "e":
    case "E":
    case "f":
    case "F":
      text = formatFloatGo(value, verb, flags.precision ?? 6);
      break;
    case "x":
    case "X":
      text = hexFloat(value, verb === "X", flags.precision ?? -1);
      break;
    case "b":
      text = binaryFloat(value);
      break;
    default:
      return badVerb(new GoFloat(value), verb, flags);
  }
  if (flags.sharp && verb !== "b" && Number.isFinite(value)) text = sharpFloat(text, goVerb, flags.precision ?? -1);
  if (!text.startsWith("-") && !text.startsWith("+")) {
    if (flags.plus) text = `+${text}`;
    else if (flags.space) text = ` ${text}`;
  } else if (text === "+Inf" && !flags.plus) {
    text = flags.space ? " Inf" : "+Inf";
  }
  if (flags.zero && !flags.minus && flags.width !== undefined && Number.isFinite(value)) {
    const sign = /^[-+ ]/.test(text) ? (text[0] as string) : "";
    const rest = sign ? text.slice(1) : text;
    const fill = flags.width - text.length;
    if (fill > 0) return sign + "0".repeat(fill) + rest;
    return text;
  }
  return pad(text, { ...flags, zero: false });
}

/** The # flag on floats, as Go's fmt: always a decimal point; %g and %v keep trailing zeros. */
function sharpFloat(text: string, verb: string, precision: number): string {
  let digits = 0;
  if (verb === "g" || verb === "G" || verb === "x" || verb === "X") digits = precision === -1 ? 6 : precision;
  const sign = /^[-+]/.test(text) ? (text[0] as string) : "";
  let number = sign ? text.slice(1) : text;
  let tail = "";
  const exponentAt = verb === "x" || verb === "X" ? number.search(/[pP]/) : number.search(/[eEpP]/);
  if (exponentAt >= 0) {
    tail = number.slice(exponentAt);
    number = number.slice(0, exponentAt);
  }
  let sawNonzero = false;
  for (const char of number) {
    if (char === ".") continue;
    if (char !== "0") sawNonzero = true;
    if (sawNonzero) digits--;
  }
  if (!number.includes(".")) {
    if (number === "0") digits--;
    number += ".";
  }
  if (digits > 0) number += "0".repeat(digits);
  return sign + number + tail;
}

function floatBits(value: number): { negative: boolean; mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  let exponent = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  if (exponent === 0) exponent++;
  else mantissa |= 1n << 52n;
  return { negative, mantissa, exponent: exponent - 1023 };
}

/** strconv.FormatFloat(value, 'b', -1, 64): mantissa "p" binary exponent. */
function binaryFloat(value: number): string {
  const { negative, mantissa, exponent } = floatBits(value);
  const power = exponent - 52;
  return `${negative ? "-" : ""}${mantissa}p${power >= 0 ? "+" : ""}${power}`;
}

/** strconv.FormatFloat(value, 'x', precision, 64): hexadecimal mantissa and binary exponent. */
function hexFloat(value: number, upper: boolean, precision: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  const mask = (1n << 64n) - 1n;
  let { negative, mantissa, exponent } = floatBits(value);
  if (mantissa === 0n) exponent = 0;
  mantissa <<= 8n;
  while (mantissa !== 0n && (mantissa & (1n << 60n)) === 0n) {
    mantissa <<= 1n;
    exponent--;
  }
  if (precision >= 0 && precision < 15) {
    const shift = BigInt(precision * 4);
    const extra = (mantissa << shift) & ((1n << 60n) - 1n);
    mantissa >>= 60n - shift;
    if ((extra | (mantissa & 1n)) > 1n << 59n) mantissa++;
    mantissa <<= 60n - shift;
    if ((mantissa & (1n << 61n)) !== 0n) {
      mantissa >>= 1n;
      exponent++;
    }
  }
  const digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  let out = `${negative ? "-" : ""}0${upper ? "X" : "x"}${(mantissa >> 60n) & 1n}`;
  mantissa = (mantissa << 4n) & mask;
  if (precision < 0 && mantissa !== 0n) {
    out += ".";
    while (mantissa !== 0n) {
      out += digits[Number((mantissa >> 60n) & 15n)];
      mantissa = (mantissa << 4n) & mask;
    }
  } else if (precision > 0) {
    out += ".";
    for (let i = 0; i < precision; i++) {
      out += digits[Number((mantissa >> 60n) & 15n)];
      mantissa = (mantissa << 4n) & mask;
    }
  }
  const sign = exponent < 0 ? "-" : "+";
  return `${out}${upper ? "P" : "p"}${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
}
