/*
 * The patterns of BuildKit's `${V#p}`, `${V%p}` and `${V/p/r}` (shell-lexer.ts): `*` any string (shortest
 * or longest), `?` one character, `\` escapes `*`, `?` and `\` (and is dropped before `}` and `/`); no
 * bracket expressions. BuildKit turns them into Go regular expressions, whose `.` is any character but
 * a newline; a replace-all is Go's Regexp.ReplaceAllString.
 */

/** A pattern BuildKit refuses (an escape of anything but `*`, `?`, `\`). */
export class ShellPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShellPatternError";
  }
}

export const byteOrderMark = "\ufeff";
const letterPattern = /^\p{L}$/u;
const digitPattern = /^\p{Nd}$/u;

/** Go's unicode.IsDigit. */
export function isDigit(character: string): boolean {
  const code = character.charCodeAt(0);
  return code < 0x80 ? code >= 0x30 && code <= 0x39 : digitPattern.test(character);
}

/** A character of a variable name for BuildKit's lexer and of a group name for Go's regexp: a letter, digit or `_`. */
export function isNameCharacter(character: string): boolean {
  const code = character.charCodeAt(0);
  if (code < 0x80) {
    return (
      (code >= 0x30 && code <= 0x39) ||
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x61 && code <= 0x7a) ||
      code === 0x5f
    );
  }
  return letterPattern.test(character) || digitPattern.test(character);
}

/** The regular expression of a pattern (global, so that replaceMatches can walk it). */
export function compileShellPattern(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  const characters = [...pattern];
  // BuildKit reads the pattern with a new text/scanner, which skips a byte order mark at its start.
  if (characters[0] === byteOrderMark) characters.shift();
  let source = anchored ? "^" : "";
  for (let index = 0; index < characters.length; index++) {
    let character = characters[index] ?? "";
    if (character === "*") {
      source += greedy ? "[^\\n]*" : "[^\\n]*?";
      continue;
    }
    if (character === "?") {
      source += "[^\\n]";
      continue;
    }
    if (character === "\\") {
      const following = characters[index + 1];
      if (following === "}" || following === "/") continue;
      index++;
      if (following !== "*" && following !== "?" && following !== "\\") {
        throw new ShellPatternError(
          `invalid pattern (${pattern}) in substitution: invalid escape '\\${following ?? ""}'`,
        );
      }
      source += "\\";
      character = following;
    } else if ("[]{}.+()|^$".includes(character)) source += "\\";
    source += character;
  }
  return new RegExp(source, "gu");
}

/** `${V#p}` (`##` greedy): the value without the match of the pattern at its start. */
export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const regex = compileShellPattern(pattern, greedy, true);
  const match = regex.exec(value);
  return match === null ? value : value.slice(match.index + match[0].length);
}

/** `${V%p}` (`%%` greedy): the value without the match of the pattern at its end. */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  // The shortest match at the end is the shortest match at the start of both reversed.
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}

function reverse(text: string): string {
  return [...text].reverse().join("");
}

// Reverses a pattern but keeps each `\x` pair in order.
function reversePattern(pattern: string): string {
  const characters = [...pattern];
  const pieces: string[] = [];
  for (let index = 0; index < characters.length; index++) {
    const character = characters[index] ?? "";
    if (character === "\\" && index !== characters.length - 1) {
      pieces.push(character + (characters[index + 1] ?? ""));
      index++;
    } else pieces.push(character);
  }
  return pieces.reverse().join("");
}

/**
 * `${V//p/r}`: Go's Regexp.ReplaceAllString (`$0`/`${0}` the match, `$$` a dollar, other `$name` empty,
 * an empty match right after a match not replaced); `${V/p/r}`: the first match replaced literally.
 */
export function replaceMatches(value: string, regex: RegExp, replacement: string, all: boolean): string {
  if (!all) {
    regex.lastIndex = 0;
    const match = regex.exec(value);
    if (match === null) return value;
    return value.slice(0, match.index) + replacement + value.slice(match.index + match[0].length);
  }
  let result = "";
  let lastMatchEnd = 0;
  let searchPosition = 0;
  while (searchPosition <= value.length) {
    regex.lastIndex = searchPosition;
    const match = regex.exec(value);
    if (match === null) break;
    const matchStart = match.index;
    const matchEnd = matchStart + match[0].length;
    result += value.slice(lastMatchEnd, matchStart);
    if (matchEnd > lastMatchEnd || matchStart === 0) result += expandReplacement(replacement, match[0]);
    lastMatchEnd = matchEnd;
    const code = value.codePointAt(searchPosition);
    const width = code === undefined ? 0 : code > 0xffff ? 2 : 1;
    if (searchPosition + width > matchEnd) searchPosition += width;
    else if (searchPosition + 1 > matchEnd) searchPosition++;
    else searchPosition = matchEnd;
  }
  return result + value.slice(lastMatchEnd);
}

function expandReplacement(template: string, match: string): string {
  let result = "";
  const characters = [...template];
  for (let index = 0; index < characters.length; index++) {
    const character = characters[index];
    if (character !== "$") {
      result += character;
      continue;
    }
    if (characters[index + 1] === "$") {
      result += "$";
      index++;
      continue;
    }
    let cursor = index + 1;
    const brace = characters[cursor] === "{";
    if (brace) cursor++;
    let name = "";
    while (cursor < characters.length && isNameCharacter(characters[cursor] ?? "")) name += characters[cursor++];
    const closed = !brace || characters[cursor] === "}";
    if (name === "" || !closed) {
      result += "$";
      continue;
    }
    if (brace) cursor++;
    index = cursor - 1;
    // No group can exist (every parenthesis is escaped): only the whole match has a value.
    if (name === "0") result += match;
  }
  return result;
}
