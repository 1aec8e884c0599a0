/*
 * Sprig's string functions (strings.go, functions.go of Masterminds/sprig v3.2.3, the version werf
 * links, with goutils and xstrings for the word functions). Pipeline-friendly order as Sprig's: the
 * string comes last (`"foo" | trimSuffix "o"`).
 */
import { formatGoValue, quoteGo } from "../format.js";
import type { FunctionMap, GoFunction, GoValue } from "../model.js";
import { expectArity, intArgument, stringArgument } from "./arguments.js";
import { stringList } from "./convert.js";
import {
  byteLength,
  goLower,
  goTitle,
  goUpper,
  isGoSpace,
  isLetterRune,
  isLowerRune,
  isNumberRune,
  isPunctRune,
  isUpperRune,
  lowerRune,
  sliceBytes,
  trimCutset,
  trimGoSpace,
  upperRune,
} from "./text.js";

/** Sprig's strval: a string as is, anything else as fmt's %v. */
export function stringValue(value: GoValue): string {
  return typeof value === "string" ? value : formatGoValue(value);
}

/** A one-string function. */
function unary(transform: (text: string) => string): GoFunction {
  return (args, context) => {
    expectArity(context.name, args, 1);
    return transform(stringArgument(args[0]));
  };
}

/** A two-string function whose Sprig order is (argument, subject). */
function binary<T extends GoValue>(transform: (argument: string, subject: string) => T): GoFunction {
  return (args, context) => {
    expectArity(context.name, args, 2);
    return transform(stringArgument(args[0]), stringArgument(args[1]));
  };
}

function abbreviate(width: number, text: string): string {
  if (width < 4 || byteLength(text) <= width) return text;
  return `${sliceBytes(text, 0, width - 3)}...`;
}

function abbreviateBoth(left: number, right: number, text: string): string {
  // goutils.AbbreviateFull over bytes.
  if (right < 4 || (left > 0 && right < 7)) return text;
  const length = byteLength(text);
  if (length <= right) return text;
  let offset = Math.min(left, length);
  if (length - offset < right - 3) offset = length - (right - 3);
  if (offset <= 4) return `${sliceBytes(text, 0, right - 3)}...`;
  if (right < 7) return text;
  if (offset + right - 3 < length) return `...${abbreviate(right - 3, sliceBytes(text, offset))}`;
  return `...${sliceBytes(text, length - (right - 3))}`;
}

function truncate(count: number, text: string): string {
  const length = byteLength(text);
  if (count < 0 && length + count > 0) return sliceBytes(text, length + count);
  if (count >= 0 && length > count) return sliceBytes(text, 0, count);
  return text;
}

function substring(start: number, end: number, text: string): string {
  if (start < 0) return sliceBytes(text, 0, end);
  if (end < 0 || end > byteLength(text)) return sliceBytes(text, start);
  return sliceBytes(text, start, end);
}

/** goutils.WrapCustom (words split at " ", long words left whole). */
export function wrapWords(text: string, width: number, newline: string): string {
  if (text === "") return "";
  const line = newline === "" ? "\n" : newline;
  const limit = Math.max(1, width);
  const characters = [...text];
  let offset = 0;
  let out = "";
  while (characters.length - offset > limit) {
    if (characters[offset] === " ") {
      offset += 1;
      continue;
    }
    const window = characters.slice(offset, limit + offset + 1);
    const space = window.lastIndexOf(" ");
    if (space >= 0) {
      out += characters.slice(offset, offset + space).join("") + line;
      offset += space + 1;
      continue;
    }
    const next = characters.indexOf(" ", limit + offset);
    if (next === -1) {
      out += characters.slice(offset).join("");
      offset = characters.length;
    } else {
      out += characters.slice(offset, next).join("") + line;
      offset = next + 1;
    }
  }
  return out + characters.slice(offset).join("");
}

/** goutils.Uncapitalize with whitespace delimiters. */
function uncapitalize(text: string): string {
  let afterSpace = true;
  let out = "";
  for (const character of text) {
    out += afterSpace ? lowerRune(character) : character;
    afterSpace = isGoSpace(character);
  }
  return out;
}

/** goutils.Initials with whitespace delimiters. */
function initials(text: string): string {
  let afterSpace = true;
  let out = "";
  for (const character of text) {
    if (isGoSpace(character)) afterSpace = true;
    else if (afterSpace) {
      out += character;
      afterSpace = false;
    }
  }
  return out;
}

/** goutils.SwapCase. */
function swapCase(text: string): string {
  return [...text]
    .map((character) =>
      isUpperRune(character) ? lowerRune(character) : isLowerRune(character) ? upperRune(character) : character,
    )
    .join("");
}

// xstrings' connectors: words separated by "-", "_" or white space.
function isConnector(character: string): boolean {
  return character === "-" || character === "_" || isGoSpace(character);
}

/** xstrings.ToCamelCase of v1.3.3 (upper camel case, as Sprig's `camelcase`). */
export function camelCase(text: string): string {
  const characters = [...text];
  if (characters.length === 0) return "";
  let out = "";
  let index = 0;
  let current = "";
  while (index < characters.length) {
    current = characters[index] as string;
    index += 1;
    if (!isConnector(current)) {
      current = upperRune(current);
      break;
    }
    out += current;
  }
  if (index >= characters.length) return isConnector(current) ? out : out + current;
  while (index < characters.length) {
    const previous = current;
    current = characters[index] as string;
    index += 1;
    if (isConnector(current) && isConnector(previous)) {
      out += previous;
      continue;
    }
    if (isConnector(previous)) current = upperRune(current);
    else {
      current = lowerRune(current);
      out += previous;
    }
  }
  return out + current;
}

type WordType = "number" | "upper" | "alphabet" | "connector" | "punct" | "other";

// xstrings' isAlphabet: a letter outside the CJK scripts.
function isAlphabet(character: string): boolean {
  return (
    isLetterRune(character) &&
    !/^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]$/u.test(character)
  );
}

/** xstrings' nextWord over an array of runes from `start`: the word's type and end. */
function nextWord(characters: readonly string[], start: number): { type: WordType; end: number } {
  const first = characters[start] as string;
  let end = start + 1;
  const at = (index: number) => characters[index] as string;
  if (isConnector(first)) {
    while (end < characters.length && isConnector(at(end))) end += 1;
    return { type: "connector", end };
  }
  if (isPunctRune(first)) {
    while (end < characters.length && isPunctRune(at(end))) end += 1;
    return { type: "punct", end };
  }
  if (isUpperRune(first)) {
    if (end >= characters.length) return { type: "upper", end };
    if (isUpperRune(at(end))) {
      while (end < characters.length && isUpperRune(at(end))) end += 1;
      // "HTTPStatus" is "HTTP" and "Status".
      if (end < characters.length && isAlphabet(at(end))) end -= 1;
    } else if (isAlphabet(at(end))) {
      while (end < characters.length && isAlphabet(at(end)) && !isUpperRune(at(end))) end += 1;
    }
    return { type: "upper", end };
  }
  if (isAlphabet(first)) {
    while (end < characters.length && isAlphabet(at(end)) && !isUpperRune(at(end))) end += 1;
    return { type: "alphabet", end };
  }
  if (isNumberRune(first)) {
    while (end < characters.length && isNumberRune(at(end))) end += 1;
    return { type: "number", end };
  }
  while (
    end < characters.length &&
    !isConnector(at(end)) &&
    !isAlphabet(at(end)) &&
    !isNumberRune(at(end)) &&
    !isPunctRune(at(end))
  ) {
    end += 1;
  }
  return { type: "other", end };
}

/** xstrings' camelCaseToLowerCase (snakecase, kebabcase) of v1.3.3. */
export function lowerCaseWords(text: string, connector: string): string {
  const characters = [...text];
  if (characters.length === 0) return "";
  let out = "";
  const lower = (type: WordType, word: string) => {
    if (type !== "upper" && type !== "connector") {
      out += word;
      return;
    }
    for (const character of word) {
      out += isConnector(character) ? connector : isUpperRune(character) ? lowerRune(character) : character;
    }
  };
  let position = 0;
  const take = () => {
    if (position >= characters.length) return { type: undefined, word: "" };
    const { type, end } = nextWord(characters, position);
    const word = characters.slice(position, end).join("");
    position = end;
    return { type, word };
  };
  let { type, word } = take();
  while (position < characters.length) {
    if (type !== "connector") lower(type as WordType, word);
    const previous = type;
    const last = word;
    ({ type, word } = take());
    if (previous === "number") {
      while (type === "alphabet" || type === "number") {
        lower(type, word);
        ({ type, word } = take());
      }
      if (type !== undefined && type !== "punct" && type !== "connector") out += connector;
    } else if (previous === "connector") {
      lower(previous, last);
    } else if (previous === "punct") {
      // nothing
    } else {
      if (type !== "number") {
        if (type !== "connector" && type !== "punct") out += connector;
        continue;
      }
      if (position >= characters.length) continue;
      const number = word;
      ({ type, word } = take());
      if (type !== "alphabet") {
        lower("number", number);
        if (type !== "connector" && type !== "punct") out += connector;
        continue;
      }
      out += connector;
      lower("number", number);
      while (type === "alphabet" || type === "number") {
        lower(type, word);
        ({ type, word } = take());
      }
      if (type !== undefined && type !== "connector" && type !== "punct") out += connector;
    }
  }
  if (type !== undefined) lower(type, word);
  return out;
}

/** Sprig's `quote`: each non-nil argument as Go's %q of its string value, space separated. */
function quote(args: readonly GoValue[]): string {
  return args
    .filter((value) => value !== null)
    .map((value) => quoteGo(stringValue(value)))
    .join(" ");
}

function indent(spaces: number, text: string): string {
  if (spaces < 0) throw new Error("strings: negative Repeat count");
  const pad = " ".repeat(spaces);
  return pad + text.replaceAll("\n", `\n${pad}`);
}

/** Go's strings.Split (an empty separator splits into runes). */
export function goSplit(text: string, separator: string, limit = -1): string[] {
  if (limit === 0) return [];
  if (separator === "") {
    const characters = [...text];
    if (limit < 0 || limit >= characters.length) return characters;
    return [...characters.slice(0, limit - 1), characters.slice(limit - 1).join("")];
  }
  const parts = text.split(separator);
  if (limit < 0 || parts.length <= limit) return parts;
  return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(separator)];
}

function indexedParts(parts: readonly string[]): Map<string, GoValue> {
  return new Map(parts.map((part, index) => [`_${index}`, part]));
}

// Outside the object literal: a property named toString is not typed from the FunctionMap context.
const toStringFunction: GoFunction = (args, context) => {
  expectArity(context.name, args, 1);
  return stringValue(args[0] as GoValue);
};

/** Sprig's string functions. */
export function stringFunctions(): FunctionMap {
  return {
    abbrev: (args, context) => {
      expectArity(context.name, args, 2);
      return abbreviate(intArgument(args[0]), stringArgument(args[1]));
    },
    abbrevboth: (args, context) => {
      expectArity(context.name, args, 3);
      return abbreviateBoth(intArgument(args[0]), intArgument(args[1]), stringArgument(args[2]));
    },
    trunc: (args, context) => {
      expectArity(context.name, args, 2);
      return truncate(intArgument(args[0]), stringArgument(args[1]));
    },
    trim: unary(trimGoSpace),
    upper: unary(goUpper),
    lower: unary(goLower),
    title: unary(goTitle),
    untitle: unary(uncapitalize),
    substr: (args, context) => {
      expectArity(context.name, args, 3);
      return substring(intArgument(args[0]), intArgument(args[1]), stringArgument(args[2]));
    },
    repeat: (args, context) => {
      expectArity(context.name, args, 2);
      const count = intArgument(args[0]);
      if (count < 0) throw new Error("strings: negative Repeat count");
      return stringArgument(args[1]).repeat(count);
    },
    trimall: binary((cutset, text) => trimCutset(text, cutset)),
    trimAll: binary((cutset, text) => trimCutset(text, cutset)),
    trimSuffix: binary((suffix, text) =>
      suffix !== "" && text.endsWith(suffix) ? text.slice(0, -suffix.length) : text,
    ),
    trimPrefix: binary((prefix, text) => (text.startsWith(prefix) ? text.slice(prefix.length) : text)),
    nospace: unary((text) => [...text].filter((character) => !isGoSpace(character)).join("")),
    initials: unary(initials),
    swapcase: unary(swapCase),
    snakecase: unary((text) => lowerCaseWords(text, "_")),
    camelcase: unary(camelCase),
    kebabcase: unary((text) => lowerCaseWords(text, "-")),
    wrap: (args, context) => {
      expectArity(context.name, args, 2);
      return wrapWords(stringArgument(args[1]), intArgument(args[0]), "\n");
    },
    wrapWith: (args, context) => {
      expectArity(context.name, args, 3);
      return wrapWords(stringArgument(args[2]), intArgument(args[0]), stringArgument(args[1]));
    },
    contains: binary((part, text) => text.includes(part)),
    hasPrefix: binary((prefix, text) => text.startsWith(prefix)),
    hasSuffix: binary((suffix, text) => text.endsWith(suffix)),
    quote: (args) => quote(args),
    squote: (args) =>
      args
        .filter((value) => value !== null)
        .map((value) => `'${formatGoValue(value)}'`)
        .join(" "),
    cat: (args) =>
      args
        .filter((value) => value !== null)
        .map((value) => formatGoValue(value))
        .join(" "),
    indent: (args, context) => {
      expectArity(context.name, args, 2);
      return indent(intArgument(args[0]), stringArgument(args[1]));
    },
    nindent: (args, context) => {
      expectArity(context.name, args, 2);
      return `\n${indent(intArgument(args[0]), stringArgument(args[1]))}`;
    },
    replace: (args, context) => {
      expectArity(context.name, args, 3);
      const old = stringArgument(args[0]);
      const replacement = stringArgument(args[1]);
      const text = stringArgument(args[2]);
      // strings.Replace with an empty old inserts the replacement around every rune.
      if (old === "") return [...text].map((character) => replacement + character).join("") + replacement;
      return text.split(old).join(replacement);
    },
    plural: (args, context) => {
      expectArity(context.name, args, 3);
      const one = stringArgument(args[0]);
      const many = stringArgument(args[1]);
      return intArgument(args[2]) === 1 ? one : many;
    },
    toString: toStringFunction,
    split: binary((separator, text) => indexedParts(goSplit(text, separator))),
    splitList: binary((separator, text) => goSplit(text, separator)),
    splitn: (args, context) => {
      expectArity(context.name, args, 3);
      const separator = stringArgument(args[0]);
      const limit = intArgument(args[1]);
      return indexedParts(goSplit(stringArgument(args[2]), separator, limit));
    },
    toStrings: (args, context) => {
      expectArity(context.name, args, 1);
      return stringList(args[0] as GoValue);
    },
    join: (args, context) => {
      expectArity(context.name, args, 2);
      const separator = stringArgument(args[0]);
      return stringList(args[1] as GoValue).join(separator);
    },
  };
}
