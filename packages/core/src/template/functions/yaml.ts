/*
 * YAML as werf's template functions read and write it: gopkg.in/yaml.v2 (werf's pkg/config/parser.go
 * registers its own toYaml and fromYaml over yaml.v2, replacing Helm's). toYaml is yaml.v2's Marshal
 * with the trailing newline trimmed: block style, 2-space indent, sequences in a mapping not indented,
 * map keys in yaml.v2's order (numbers inside keys compared as numbers), strings plain when they read
 * back as strings, double-quoted when they would read as something else ("true", "1", ""), single-
 * quoted when plain is not allowed (": ", a leading "-"), literal blocks (`|-`) for multi-line text,
 * and plain or quoted text longer than 80 columns folded at spaces, as yaml.v2 v2.4 does.
 * fromYaml is Unmarshal into map[string]interface{} with YAML 1.1 scalars (yes/no/on/off are booleans,
 * 0755 is octal; timestamps stay strings), as yaml.v2 resolves them.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type Node, parseAllDocuments } from "yaml";
import { formatFloatGo, formatGoValue } from "../format.js";
import { type FunctionMap, GoFloat, GoObject, type GoValue } from "../model.js";
import { expectArity, stringArgument } from "./arguments.js";
import { parseGoFloat, parseGoInteger } from "./values.js";

// ---------------------------------------------------------------------------------------------
// Resolving plain scalars (yaml.v2 resolve.go)

const boolTrue = new Set(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]);
const boolFalse = new Set(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]);
const nulls = new Set(["", "~", "null", "Null", "NULL"]);
const specialFloats: Readonly<Record<string, number>> = {
  ".nan": Number.NaN,
  ".NaN": Number.NaN,
  ".NAN": Number.NaN,
  ".inf": Infinity,
  ".Inf": Infinity,
  ".INF": Infinity,
  "+.inf": Infinity,
  "+.Inf": Infinity,
  "+.INF": Infinity,
  "-.inf": -Infinity,
  "-.Inf": -Infinity,
  "-.INF": -Infinity,
};
const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** A plain scalar's value and whether yaml.v2 reads it as a string ("str"), a timestamp, or another type. */
function resolvePlain(text: string): {
  value: GoValue;
  tag: "str" | "bool" | "null" | "int" | "float" | "timestamp" | "merge";
} {
  if (boolTrue.has(text)) return { value: true, tag: "bool" };
  if (boolFalse.has(text)) return { value: false, tag: "bool" };
  if (nulls.has(text)) return { value: null, tag: "null" };
  if (text in specialFloats) return { value: new GoFloat(specialFloats[text] as number), tag: "float" };
  if (text === "<<") return { value: text, tag: "merge" };
  const first = text[0] ?? "";
  if (first === ".") {
    const parsed = parseGoFloat(text);
    if (parsed !== undefined && !/[a-zA-Z]/.test(text.replace(/e/i, "")))
      return { value: new GoFloat(parsed), tag: "float" };
    return { value: text, tag: "str" };
  }
  if (!/^[-+0-9]/.test(first)) return { value: text, tag: "str" };
  if (isTimestamp(text)) return { value: text, tag: "timestamp" };
  const plain = text.replaceAll("_", "");
  const integer = parseGoInteger(plain);
  if (integer !== undefined) return { value: integer, tag: "int" };
  if (/^\+?[0-9]+$/.test(plain) || /^\+?0[xX][0-9a-fA-F]+$/.test(plain)) {
    // Beyond int64: yaml.v2 reads a uint64; JavaScript holds it approximately.
    const unsigned = BigInt(plain.replace(/^\+/, ""));
    if (unsigned <= 18446744073709551615n) return { value: Number(unsigned), tag: "int" };
  }
  if (yamlStyleFloat.test(plain)) {
    const parsed = Number(plain);
    if (!Number.isNaN(parsed)) return { value: new GoFloat(parsed), tag: "float" };
  }
  const binary = /^(-?)0b([01]+)$/.exec(plain);
  if (binary !== null) {
    const value = Number.parseInt(binary[2] as string, 2);
    return { value: binary[1] === "-" ? -value : value, tag: "int" };
  }
  return { value: text, tag: "str" };
}

// yaml.v2's timestamp formats: 2006-1-2T15:4:5.999999999Z07:00, with "t" or " ", or a date alone.
function isTimestamp(text: string): boolean {
  if (!/^[0-9]{4}-/.test(text)) return false;
  const date = "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}";
  const time = String.raw`[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]{1,9})?`;
  const zone = "(?:Z|[+-][0-9]{2}:[0-9]{2})";
  const forms = [new RegExp(`^${date}[Tt]${time}${zone}$`), new RegExp(`^${date} ${time}$`), new RegExp(`^${date}$`)];
  if (!forms.some((form) => form.test(text))) return false;
  const [year, month, day] = text
    .slice(0, 10)
    .split(/[-Tt ]/)
    .map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

/** A string that reads back as a string when written plain (yaml.v2's canUsePlain before style checks). */
function readsAsString(text: string): boolean {
  const { tag } = resolvePlain(text);
  if (tag !== "str") return false;
  // yaml.v2 also quotes YAML 1.1 base 60 floats (1:20).
  return !/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(text);
}

// ---------------------------------------------------------------------------------------------
// Reading (yaml.v2 Unmarshal into map[string]interface{})

function toGoValue(node: unknown, document: Document, top: boolean): GoValue {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return toGoValue(node.resolve(document), document, top);
  if (isScalar(node)) {
    const text = String(node.value ?? "");
    if (node.type !== "PLAIN" || node.tag === "tag:yaml.org,2002:str") return text;
    const resolved = resolvePlain(text);
    return resolved.tag === "timestamp" ? text : resolved.value;
  }
  if (isSeq(node)) return node.items.map((item) => toGoValue(item, document, false));
  if (isMap(node)) {
    const map = new Map<string, GoValue>();
    const merged: Map<string, GoValue>[] = [];
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      if (isScalar(key) && key.type === "PLAIN" && key.value === "<<") {
        const value = toGoValue(pair.value, document, false);
        for (const source of Array.isArray(value) ? value : [value]) {
          if (source instanceof Map) merged.push(source);
        }
        continue;
      }
      map.set(keyText(key, document, top), toGoValue(pair.value, document, false));
    }
    for (const source of merged) for (const [key, value] of source) if (!map.has(key)) map.set(key, value);
    return map;
  }
  return null;
}

/** A key as a string: its text at the top (yaml.v2 reads it into a string), its value's %v below. */
function keyText(key: unknown, document: Document, top: boolean): string {
  if (isScalar(key)) {
    const text = String(key.value ?? "");
    if (top || key.type !== "PLAIN") return text;
    const resolved = resolvePlain(text);
    return resolved.tag === "str" || resolved.tag === "timestamp" ? text : formatGoValue(resolved.value);
  }
  return formatGoValue(toGoValue(key, document, false));
}

function kindTag(node: unknown): string {
  if (isSeq(node)) return "!!seq";
  if (isScalar(node)) {
    const text = String(node.value ?? "");
    if (node.type !== "PLAIN") return `!!str \`${text}\``;
    const { tag } = resolvePlain(text);
    return `!!${tag === "timestamp" ? "timestamp" : tag} \`${text}\``;
  }
  return "!!map";
}

/** werf's fromYaml: a YAML mapping as a map (an empty document is an empty map); anything else fails. */
export function parseYamlMap(text: string): Map<string, GoValue> {
  const documents = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: false });
  const document = (Array.isArray(documents) ? documents[0] : undefined) as Document | undefined;
  if (document === undefined) return new Map();
  const error = document.errors[0];
  if (error !== undefined) {
    const line = error.linePos?.[0].line;
    throw new Error(`yaml: ${line === undefined ? "" : `line ${line}: `}${error.message.split("\n")[0]}`);
  }
  let contents: unknown = document.contents;
  if (isAlias(contents)) contents = contents.resolve(document);
  if (contents === null || contents === undefined) return new Map();
  if (isScalar(contents) && contents.type === "PLAIN" && resolvePlain(String(contents.value ?? "")).tag === "null") {
    return new Map();
  }
  if (!isMap(contents)) {
    const line = document.range === undefined ? 1 : lineOf(text, (contents as Node).range?.[0] ?? 0);
    throw new Error(
      `yaml: unmarshal errors:\n  line ${line}: cannot unmarshal ${kindTag(contents)} into map[string]interface {}`,
    );
  }
  return toGoValue(contents, document, true) as Map<string, GoValue>;
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length;
}

// ---------------------------------------------------------------------------------------------
// Writing (yaml.v2 Marshal: its emitter, block style, for the values templates hold)

const bestIndent = 2;
const bestWidth = 80;

/** yaml.v2's keyList order for string keys: letters before other runes, digit runs as numbers. */
export function compareYamlKeys(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  const isLetter = (character: string) => /^\p{L}$/u.test(character);
  const isDigit = (character: string | undefined) => character !== undefined && /^\p{Nd}$/u.test(character);
  for (let index = 0; index < left.length && index < right.length; index += 1) {
    const x = left[index] as string;
    const y = right[index] as string;
    if (x === y) continue;
    const xLetter = isLetter(x);
    const yLetter = isLetter(y);
    if (xLetter && yLetter) return (x.codePointAt(0) as number) - (y.codePointAt(0) as number);
    if (xLetter || yLetter) return yLetter ? -1 : 1;
    let xNumber = 0n;
    let yNumber = 0n;
    if (x === "0" || y === "0") {
      for (let back = index - 1; back >= 0 && isDigit(left[back]); back -= 1) {
        if (left[back] !== "0") {
          xNumber = 1n;
          yNumber = 1n;
          break;
        }
      }
    }
    let xEnd = index;
    for (; xEnd < left.length && isDigit(left[xEnd]); xEnd += 1)
      xNumber = xNumber * 10n + BigInt((left[xEnd] as string).codePointAt(0)! - 48);
    let yEnd = index;
    for (; yEnd < right.length && isDigit(right[yEnd]); yEnd += 1)
      yNumber = yNumber * 10n + BigInt((right[yEnd] as string).codePointAt(0)! - 48);
    if (xNumber !== yNumber) return xNumber < yNumber ? -1 : 1;
    if (xEnd !== yEnd) return xEnd - yEnd;
    return (x.codePointAt(0) as number) - (y.codePointAt(0) as number);
  }
  return left.length - right.length;
}

interface ScalarAnalysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

const isBreak = (character: string | undefined) =>
  character === "\r" ||
  character === "\n" ||
  character === "\u0085" ||
  character === "\u2028" ||
  character === "\u2029";
const isSpace = (character: string | undefined) => character === " ";
const isBlank = (character: string | undefined) => character === " " || character === "\t";

function isPrintable(character: string): boolean {
  const code = character.codePointAt(0) as number;
  return (
    code === 0x0a ||
    (code >= 0x20 && code <= 0x7e) ||
    code === 0x85 ||
    (code >= 0xa0 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** yaml_emitter_analyze_scalar. */
function analyzeScalar(value: string): ScalarAnalysis {
  const characters = [...value];
  if (characters.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  let blockIndicators = value.startsWith("---") || value.startsWith("...");
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  for (const [index, character] of characters.entries()) {
    const next = characters[index + 1];
    const followedByWhitespace = next === undefined || isBlank(next) || isBreak(next);
    if (index === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(character)) blockIndicators = true;
      else if ((character === "?" || character === ":" || character === "-") && followedByWhitespace)
        blockIndicators = true;
    } else if (character === ":" && followedByWhitespace) blockIndicators = true;
    else if (character === "#" && precededByWhitespace) blockIndicators = true;
    if (!isPrintable(character)) specialCharacters = true;
    if (isSpace(character)) {
      if (index === 0) leadingSpace = true;
      if (index === characters.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(character)) {
      lineBreaks = true;
      if (index === 0) leadingBreak = true;
      if (index === characters.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(character) || isBreak(character);
  }
  const analysis = { multiline: lineBreaks, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) analysis.blockPlainAllowed = false;
  if (trailingSpace) analysis.blockAllowed = false;
  if (breakSpace) {
    analysis.blockPlainAllowed = false;
    analysis.singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    analysis.blockPlainAllowed = false;
    analysis.singleQuotedAllowed = false;
    analysis.blockAllowed = false;
  }
  if (lineBreaks) analysis.blockPlainAllowed = false;
  if (blockIndicators) analysis.blockPlainAllowed = false;
  return analysis;
}

type ScalarStyle = "plain" | "single" | "double" | "literal";

/** The emitter's output with libyaml's column bookkeeping. */
class Emitter {
  out = "";
  column = 0;
  whitespace = true;
  indention = true;

  put(text: string): void {
    this.out += text;
    this.column += [...text].length;
  }

  putBreak(): void {
    this.out += "\n";
    this.column = 0;
  }

  writeIndent(indent: number): void {
    const target = Math.max(indent, 0);
    if (!this.indention || this.column > target || (this.column === target && !this.whitespace)) this.putBreak();
    while (this.column < target) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }

  writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    this.put(indicator);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  plain(value: string, indent: number, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(" ");
    const characters = [...value];
    let spaces = false;
    for (const [index, character] of characters.entries()) {
      if (isSpace(character)) {
        if (allowBreaks && !spaces && this.column > bestWidth && !isSpace(characters[index + 1])) {
          this.writeIndent(indent);
        } else this.put(character);
        spaces = true;
      } else {
        this.put(character);
        this.indention = false;
        spaces = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  singleQuoted(value: string, indent: number, allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    const characters = [...value];
    let spaces = false;
    for (const [index, character] of characters.entries()) {
      if (isSpace(character)) {
        if (
          allowBreaks &&
          !spaces &&
          this.column > bestWidth &&
          index > 0 &&
          index < characters.length - 1 &&
          !isSpace(characters[index + 1])
        ) {
          this.writeIndent(indent);
        } else this.put(character);
        spaces = true;
      } else {
        if (character === "'") this.put("'");
        this.put(character);
        this.indention = false;
        spaces = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  doubleQuoted(value: string, indent: number, allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    const characters = [...value];
    let spaces = false;
    for (const [index, character] of characters.entries()) {
      if (
        !isPrintable(character) ||
        character === "\ufeff" ||
        isBreak(character) ||
        character === '"' ||
        character === "\\"
      ) {
        this.put(`\\${escapeDouble(character)}`);
        spaces = false;
      } else if (isSpace(character)) {
        if (allowBreaks && !spaces && this.column > bestWidth && index > 0 && index < characters.length - 1) {
          this.writeIndent(indent);
          if (isSpace(characters[index + 1])) this.put("\\");
        } else this.put(character);
        spaces = true;
      } else {
        this.put(character);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  literal(value: string, indent: number): void {
    this.writeIndicator("|", true, false, false);
    const characters = [...value];
    if (isSpace(characters[0]) || isBreak(characters[0])) this.writeIndicator(String(bestIndent), false, false, false);
    const last = characters[characters.length - 1];
    let chomp = "";
    if (!isBreak(last)) chomp = "-";
    else if (characters.length === 1 || isBreak(characters[characters.length - 2])) chomp = "+";
    if (chomp !== "") this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const character of characters) {
      if (isBreak(character)) {
        this.putBreak();
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent(indent);
        this.put(character);
        this.indention = false;
        breaks = false;
      }
    }
  }
}

function escapeDouble(character: string): string {
  const code = character.codePointAt(0) as number;
  const short: Readonly<Record<number, string>> = {
    0: "0",
    7: "a",
    8: "b",
    9: "t",
    10: "n",
    11: "v",
    12: "f",
    13: "r",
    27: "e",
    34: '"',
    92: "\\",
    133: "N",
    160: "_",
    8232: "L",
    8233: "P",
  };
  if (short[code] !== undefined) return short[code] as string;
  if (code <= 0xff) return `x${code.toString(16).toUpperCase().padStart(2, "0")}`;
  if (code <= 0xffff) return `u${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return `U${code.toString(16).toUpperCase().padStart(8, "0")}`;
}

class UnmarshalableValue extends Error {}

/** A scalar's text and the style yaml.v2's encoder asks for. */
function scalarOf(value: GoValue): { text: string; style: ScalarStyle } {
  if (value === null) return { text: "null", style: "plain" };
  if (typeof value === "boolean") return { text: String(value), style: "plain" };
  if (typeof value === "number") return { text: String(value), style: "plain" };
  if (value instanceof GoFloat) {
    const text = formatFloatGo(value.value, "g", -1);
    return {
      text: text === "+Inf" ? ".inf" : text === "-Inf" ? "-.inf" : text === "NaN" ? ".nan" : text,
      style: "plain",
    };
  }
  if (typeof value === "string") {
    if (value.includes("\n")) return { text: value, style: "literal" };
    return { text: value, style: readsAsString(value) ? "plain" : "double" };
  }
  throw new UnmarshalableValue("cannot marshal type: func()");
}

/** yaml_emitter_select_scalar_style for block context. */
function selectStyle(requested: ScalarStyle, analysis: ScalarAnalysis, text: string, simpleKey: boolean): ScalarStyle {
  let style = requested;
  if (simpleKey && analysis.multiline) style = "double";
  if (style === "plain") {
    if (!analysis.blockPlainAllowed) style = "single";
    if (text.length === 0 && simpleKey) style = "single";
  }
  if (style === "single" && !analysis.singleQuotedAllowed) style = "double";
  if (style === "literal" && (!analysis.blockAllowed || simpleKey)) style = "double";
  return style;
}

/** Entries of a mapping value (Go map or struct) in yaml.v2's order; undefined for a non-mapping. */
function mappingEntries(value: GoValue): [string, GoValue][] | undefined {
  if (value instanceof Map)
    return [...value.keys()].sort(compareYamlKeys).map((key) => [key, value.get(key) as GoValue]);
  // yaml.v2 names a struct's fields in lower case.
  if (value instanceof GoObject) return Object.entries(value.fields).map(([key, field]) => [key.toLowerCase(), field]);
  return undefined;
}

class Writer {
  readonly emitter = new Emitter();

  node(value: GoValue, indent: number, context: { mapping: boolean; sequence: boolean; root: boolean }): void {
    const emitter = this.emitter;
    const entries = mappingEntries(value);
    if (entries !== undefined) {
      if (entries.length === 0) {
        emitter.writeIndicator("{}", true, false, false);
        emitter.whitespace = false;
        return;
      }
      const inner = indent < 0 ? 0 : indent + bestIndent;
      for (const [key, item] of entries) {
        emitter.writeIndent(inner);
        this.scalar(key, inner, true);
        emitter.writeIndicator(":", false, false, false);
        this.node(item, inner, { mapping: true, sequence: false, root: false });
      }
      return;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) {
        emitter.writeIndicator("[]", true, false, false);
        emitter.whitespace = false;
        return;
      }
      // A sequence that is a mapping's value is not indented (yaml.v2's indentless sequences).
      const indentless = context.mapping && !emitter.indention;
      const inner = indent < 0 ? 0 : indentless ? indent : indent + bestIndent;
      for (const item of value) {
        emitter.writeIndent(inner);
        emitter.writeIndicator("-", true, false, true);
        this.node(item, inner, { mapping: false, sequence: true, root: false });
      }
      return;
    }
    this.scalar(value, indent < 0 ? bestIndent : indent + bestIndent, false, indent < 0 ? 0 : indent);
  }

  /** One scalar: a mapping key (`simpleKey`) or a value whose continuation lines go at `indent`. */
  scalar(value: GoValue, indent: number, simpleKey: boolean, parentIndent = indent): void {
    const { text, style: requested } = scalarOf(value);
    const style = selectStyle(requested, analyzeScalar(text), text, simpleKey);
    const emitter = this.emitter;
    // A key's continuation lines (it has none: keys do not wrap) go at the mapping's own indent.
    const lineIndent = simpleKey ? parentIndent : indent;
    switch (style) {
      case "plain":
        emitter.plain(text, lineIndent, !simpleKey);
        break;
      case "single":
        emitter.singleQuoted(text, lineIndent, !simpleKey);
        break;
      case "double":
        emitter.doubleQuoted(text, lineIndent, !simpleKey);
        break;
      case "literal":
        emitter.literal(text, lineIndent);
        break;
    }
  }
}

/** yaml.v2's Marshal of a value, without the trailing newline (werf's toYaml). Throws for a function. */
export function marshalYaml(value: GoValue): string {
  const writer = new Writer();
  writer.node(value, -1, { mapping: false, sequence: false, root: true });
  // The document end starts a new line unless one was just started (after a literal block's last
  // line break); werf trims the one trailing newline that leaves.
  writer.emitter.writeIndent(0);
  return writer.emitter.out.replace(/\n$/, "");
}

/** werf's toYaml and fromYaml. */
export function yamlFunctions(): FunctionMap {
  return {
    toYaml: (args, context) => {
      expectArity(context.name, args, 1);
      try {
        return marshalYaml(args[0] as GoValue);
      } catch (error) {
        // werf's toYaml gives "" when yaml.v2 cannot marshal the value.
        if (error instanceof UnmarshalableValue) return "";
        throw error;
      }
    },
    fromYaml: (args, context) => {
      expectArity(context.name, args, 1);
      return parseYamlMap(stringArgument(args[0]));
    },
  };
}
