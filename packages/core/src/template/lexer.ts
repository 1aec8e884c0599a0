/*
 * The lexer of Go's text/template (text/template/parse/lex.go, Go 1.22): the same items, the same
 * trim-marker rules (`{{- ` and ` -}}` need the space) and the same error texts.
 */

export type ItemType =
  | "error"
  | "bool"
  | "char"
  | "charConstant"
  | "comment"
  | "complex"
  | "assign"
  | "declare"
  | "eof"
  | "field"
  | "identifier"
  | "leftDelim"
  | "leftParen"
  | "number"
  | "pipe"
  | "rawString"
  | "rightDelim"
  | "rightParen"
  | "space"
  | "string"
  | "text"
  | "variable"
  // Keywords.
  | "block"
  | "break"
  | "continue"
  | "dot"
  | "define"
  | "else"
  | "end"
  | "if"
  | "nil"
  | "range"
  | "template"
  | "with";

/** One lexed item: its type, text and offset (UTF-16 index) in the source. */
export interface Item {
  type: ItemType;
  value: string;
  offset: number;
}

const keywords: Record<string, ItemType> = {
  ".": "dot",
  block: "block",
  break: "break",
  continue: "continue",
  define: "define",
  else: "else",
  end: "end",
  if: "if",
  range: "range",
  nil: "nil",
  template: "template",
  with: "with",
};

const keywordTypes = new Set<ItemType>(Object.values(keywords));

/** Whether an item type is a keyword (printed `<name>` in errors, as Go does). */
export function isKeyword(type: ItemType): boolean {
  return keywordTypes.has(type);
}

const leftDelim = "{{";
const rightDelim = "}}";
const leftComment = "/*";
const rightComment = "*/";

function isSpace(char: string | undefined): boolean {
  return char === " " || char === "\t" || char === "\r" || char === "\n";
}

function isAlphaNumeric(char: string | undefined): boolean {
  if (char === undefined) return false;
  const code = char.charCodeAt(0);
  // ASCII first: the Unicode test is only for letters and digits beyond it.
  if (code < 0x80)
    return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  return /^[\p{L}\p{Nd}]$/u.test(char);
}

function hasLeftTrimMarker(text: string, at: number): boolean {
  return text[at] === "-" && isSpace(text[at + 1]);
}

function hasRightTrimMarker(text: string, at: number): boolean {
  return isSpace(text[at]) && text[at + 1] === "-";
}

/** Lexes a whole template source into items, ending with an `eof` or an `error` item. */
export function lex(input: string): Item[] {
  const items: Item[] = [];
  let start = 0;
  let position = 0;
  let parenDepth = 0;
  let insideAction = false;

  const emit = (type: ItemType): void => {
    items.push({ type, value: input.slice(start, position), offset: start });
    start = position;
  };
  const fail = (message: string): Item[] => {
    items.push({ type: "error", value: message, offset: start });
    return items;
  };
  const peekChar = (): string | undefined => {
    const char = input[position];
    if (char === undefined) return undefined;
    // A surrogate pair is one character (a rune), as Go reads runes.
    const code = char.charCodeAt(0);
    return code >= 0xd800 && code <= 0xdbff ? String.fromCodePoint(input.codePointAt(position) ?? code) : char;
  };
  const nextChar = (): string | undefined => {
    const char = peekChar();
    if (char !== undefined) position += char.length;
    return char;
  };
  const accept = (valid: string): boolean => {
    const char = peekChar();
    if (char !== undefined && valid.includes(char)) {
      position += char.length;
      return true;
    }
    return false;
  };
  const acceptRun = (valid: string): void => {
    while (accept(valid)) {
      // absorb
    }
  };
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (hasRightTrimMarker(input, position) && input.startsWith(rightDelim, position + 2)) {
      return { delim: true, trim: true };
    }
    if (input.startsWith(rightDelim, position)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  };
  const atTerminator = (): boolean => {
    const char = peekChar();
    if (char === undefined || isSpace(char)) return true;
    if (".,|:)(".includes(char)) return true;
    return input.startsWith(rightDelim, position);
  };
  const skipLeadingSpace = (): void => {
    while (isSpace(input[position])) position++;
    start = position;
  };
  const charDescription = (char: string | undefined): string => {
    const code = (char ?? "").codePointAt(0) ?? 0;
    const name = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
    // As Go's %#U: the character itself only when printable.
    return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(char ?? "") ? `${name} '${char}'` : name;
  };

  const scanNumber = (): boolean => {
    accept("+-");
    let digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (accept("oO")) digits = "01234567_";
      else if (accept("bB")) digits = "01_";
    }
    acceptRun(digits);
    if (accept(".")) acceptRun(digits);
    if (digits.length === 11 && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (digits.length === 23 && accept("pP")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    accept("i");
    if (isAlphaNumeric(peekChar())) {
      nextChar();
      return false;
    }
    return true;
  };

  for (;;) {
    if (!insideAction) {
      // Text up to the next left delimiter.
      const at = input.indexOf(leftDelim, position);
      if (at < 0) {
        position = input.length;
        if (position > start) emit("text");
        items.push({ type: "eof", value: "", offset: position });
        return items;
      }
      if (at > position || at > start) {
        position = at;
        let trimmedEnd = position;
        if (hasLeftTrimMarker(input, at + leftDelim.length)) {
          while (trimmedEnd > start && isSpace(input[trimmedEnd - 1])) trimmedEnd--;
        }
        if (trimmedEnd > start) items.push({ type: "text", value: input.slice(start, trimmedEnd), offset: start });
        start = position;
      }
      // The left delimiter.
      const trim = hasLeftTrimMarker(input, position + leftDelim.length);
      const afterMarker = trim ? 2 : 0;
      if (input.startsWith(leftComment, position + leftDelim.length + afterMarker)) {
        position += leftDelim.length + afterMarker;
        start = position;
        position += leftComment.length;
        const end = input.indexOf(rightComment, position);
        if (end < 0) return fail("unclosed comment");
        position = end + rightComment.length;
        const delimiter = atRightDelim();
        if (!delimiter.delim) return fail("comment ends before closing delimiter");
        emit("comment");
        if (delimiter.trim) position += 2;
        position += rightDelim.length;
        start = position;
        if (delimiter.trim) skipLeadingSpace();
        continue;
      }
      position += leftDelim.length;
      emit("leftDelim");
      position += afterMarker;
      start = position;
      parenDepth = 0;
      insideAction = true;
      continue;
    }
    // Inside an action.
    const delimiter = atRightDelim();
    if (delimiter.delim) {
      if (parenDepth !== 0) return fail("unclosed left paren");
      if (delimiter.trim) {
        position += 2;
        start = position;
      }
      position += rightDelim.length;
      emit("rightDelim");
      if (delimiter.trim) skipLeadingSpace();
      insideAction = false;
      continue;
    }
    const char = nextChar();
    if (char === undefined) return fail("unclosed action");
    if (isSpace(char)) {
      position -= 1;
      let spaces = 0;
      while (isSpace(input[position])) {
        position++;
        spaces++;
      }
      // A space followed by "-}}" belongs to the trim marker of the closing delimiter.
      if (hasRightTrimMarker(input, position - 1) && input.startsWith(rightDelim, position + 1)) {
        position--;
        if (spaces === 1) continue;
      }
      emit("space");
      continue;
    }
    switch (char) {
      case "=":
        emit("assign");
        continue;
      case ":":
        if (nextChar() !== "=") return fail("expected :=");
        emit("declare");
        continue;
      case "|":
        emit("pipe");
        continue;
      case '"': {
        for (;;) {
          const next = nextChar();
          if (next === "\\") {
            const escaped = nextChar();
            if (escaped !== undefined && escaped !== "\n") continue;
            return fail("unterminated quoted string");
          }
          if (next === undefined || next === "\n") return fail("unterminated quoted string");
          if (next === '"') break;
        }
        emit("string");
        continue;
      }
      case "`": {
        const end = input.indexOf("`", position);
        if (end < 0) return fail("unterminated raw quoted string");
        position = end + 1;
        emit("rawString");
        continue;
      }
      case "$": {
        if (atTerminator()) {
          emit("variable");
          continue;
        }
        while (isAlphaNumeric(peekChar())) nextChar();
        if (!atTerminator()) return fail(`bad character ${charDescription(peekChar())}`);
        emit("variable");
        continue;
      }
      case "'": {
        for (;;) {
          const next = nextChar();
          if (next === "\\") {
            const escaped = nextChar();
            if (escaped !== undefined && escaped !== "\n") continue;
            return fail("unterminated character constant");
          }
          if (next === undefined || next === "\n") return fail("unterminated character constant");
          if (next === "'") break;
        }
        emit("charConstant");
        continue;
      }
      case "(":
        parenDepth++;
        emit("leftParen");
        continue;
      case ")":
        emit("rightParen");
        parenDepth--;
        if (parenDepth < 0) return fail(`unexpected right paren ${charDescription(char)}`);
        continue;
    }
    if (char === ".") {
      const following = input[position];
      if (following === undefined || following < "0" || following > "9") {
        // A field, or dot alone.
        if (atTerminator()) {
          emit("dot");
          continue;
        }
        while (isAlphaNumeric(peekChar())) nextChar();
        if (!atTerminator()) return fail(`bad character ${charDescription(peekChar())}`);
        emit("field");
        continue;
      }
    }
    if (char === "." || char === "+" || char === "-" || (char >= "0" && char <= "9")) {
      position -= 1;
      if (!scanNumber()) return fail(`bad number syntax: ${JSON.stringify(input.slice(start, position))}`);
      const sign = peekChar();
      if (sign === "+" || sign === "-") {
        // Complex: 1+2i. No spaces, must end in 'i'.
        if (!scanNumber() || input[position - 1] !== "i") {
          return fail(`bad number syntax: ${JSON.stringify(input.slice(start, position))}`);
        }
        emit("complex");
      } else emit("number");
      continue;
    }
    if (isAlphaNumeric(char)) {
      while (isAlphaNumeric(peekChar())) nextChar();
      if (!atTerminator()) return fail(`bad character ${charDescription(peekChar())}`);
      const word = input.slice(start, position);
      // Own keys only: "toString" (Sprig's function) is on every object's prototype.
      const keyword = Object.hasOwn(keywords, word) ? keywords[word] : undefined;
      if (keyword !== undefined && word !== ".") emit(keyword);
      else if (word === "true" || word === "false") emit("bool");
      else emit("identifier");
      continue;
    }
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x7f && code >= 0x20 && code !== 0x7f) {
      emit("char");
      continue;
    }
    return fail(`unrecognized character in action: ${charDescription(char)}`);
  }
}
