/*
 * werf reads `branch: /REGEXP/` and `tag: /REGEXP/` with Go's regexp package (RE2 syntax) and matches
 * whole names. JavaScript reads most of that syntax alike; this file translates the few RE2-only forms
 * (`(?P<name>`, a leading `(?i)`, `\A`, `\z`, `\Q...\E`, `[[:alpha:]]`, `\x{41}`, a leading `]` in a
 * class) and refuses what RE2 refuses but JavaScript would read differently (lookaround,
 * backreferences, `\k`, `\u`, `\c`) or what stages does not translate (`\p{...}`, `(?U)`, inline
 * flags after the start), so that a pattern never silently means something else here.
 */

export type GoRegexpResult = { ok: true; regexp: RegExp } | { ok: false; problem: string };

const posixClasses: Readonly<Record<string, string>> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

/** Escapes that mean the same in RE2 and in a JavaScript regexp without the `u` flag. */
const sameEscapes = new Set(["d", "D", "s", "S", "w", "W", "f", "t", "n", "r", "v"]);

class Refused extends Error {}

/**
 * Compiles a Go regular expression that must match a whole name (werf wraps it in `^...$`; stages in
 * `^(?:...)$`, so that `/main|master/` means either name, not "starts with main or ends with master").
 */
export function compileGoRegexp(source: string): GoRegexpResult {
  try {
    const { pattern, flags } = translate(source);
    return { ok: true, regexp: new RegExp(`^(?:${pattern})$`, flags) };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, problem: error.message };
    const message = error instanceof Error ? error.message : String(error);
    // "Invalid regular expression: /^(?:a**)$/: Nothing to repeat" → "Nothing to repeat".
    const reason = message.slice(message.lastIndexOf(": ") + 2);
    return { ok: false, problem: reason.charAt(0).toLowerCase() + reason.slice(1) };
  }
}

/**
 * Compiles a Go regular expression that matches anywhere in a text, as Go's regexp.Compile (Sprig's
 * regex functions); the result has the `g` flag for global search. A leading `(?m)` or `(?s)` applies.
 */
export function compileGoRegexpUnanchored(source: string): GoRegexpResult {
  try {
    const { pattern, flags } = translate(source, true);
    return { ok: true, regexp: new RegExp(pattern, `${flags}g`) };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, problem: error.message };
    const message = error instanceof Error ? error.message : String(error);
    const reason = message.slice(message.lastIndexOf(": ") + 2);
    return { ok: false, problem: reason.charAt(0).toLowerCase() + reason.slice(1) };
  }
}

function translate(source: string, lineFlags = false): { pattern: string; flags: string } {
  let flags = "";
  let index = 0;
  const leading = /^\(\?([imsU]+)\)/.exec(source);
  if (leading !== null) {
    const letters = leading[1] as string;
    if (letters.includes("U"))
      throw new Refused("the ungreedy flag (?U) is not supported; write lazy repetitions (*?, +?)");
    // (?m) and (?s) change only how ^, $ and . treat line breaks, which names never hold (texts do).
    if (letters.includes("i")) flags = "i";
    if (lineFlags && letters.includes("m")) flags += "m";
    if (lineFlags && letters.includes("s")) flags += "s";
    index = leading[0].length;
  }
  let out = "";
  while (index < source.length) {
    const char = source[index] as string;
    if (char === "\\") {
      const [text, next] = escapeSequence(source, index, false);
      out += text;
      index = next;
    } else if (char === "[") {
      const [text, next] = characterClass(source, index);
      out += text;
      index = next;
    } else if (char === "(" && source[index + 1] === "?") {
      const [text, next] = group(source, index);
      out += text;
      index = next;
    } else if (char === "{") {
      const counts = /^\{(\d+)(?:,(\d*))?\}/.exec(source.slice(index));
      if (counts !== null && (Number(counts[1]) > 1000 || Number(counts[2] ?? 0) > 1000)) {
        throw new Refused(`invalid repeat count ${counts[0]}: Go allows at most 1000`);
      }
      out += char;
      index += 1;
    } else {
      out += char;
      index += 1;
    }
  }
  return { pattern: out, flags };
}

function group(source: string, index: number): [string, number] {
  const rest = source.slice(index);
  if (rest.startsWith("(?:")) return ["(?:", index + 3];
  if (rest.startsWith("(?=") || rest.startsWith("(?!")) {
    throw new Refused(`lookahead ${rest.slice(0, 3)} is not supported by Go regexps`);
  }
  if (rest.startsWith("(?<=") || rest.startsWith("(?<!")) {
    throw new Refused(`lookbehind ${rest.slice(0, 4)} is not supported by Go regexps`);
  }
  const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
  if (named !== null) return [`(?<${named[1]}>`, index + named[0].length];
  if (rest.startsWith("(?P=") || rest.startsWith("(?P>")) {
    throw new Refused(`${rest.slice(0, 4)}: Go regexps have no backreferences or recursion`);
  }
  if (/^\(\?[imsU-]+[:)]/.test(rest)) {
    throw new Refused(`inline flags ${/^\(\?[imsU-]+[:)]/.exec(rest)?.[0]} are supported only as (?i) at the start`);
  }
  throw new Refused(`unknown group syntax ${rest.slice(0, 3)}`);
}

/** One escape at `source[index]` (a backslash); `inClass` inside [...]. Returns the JavaScript text and the next index. */
function escapeSequence(source: string, index: number, inClass: boolean): [string, number] {
  const letter = source[index + 1];
  if (letter === undefined) throw new Refused("trailing backslash at the end");
  if (/[0-9]/.test(letter)) {
    throw new Refused(
      `\\${letter}: Go regexps have no backreferences; write the character itself instead of an octal escape`,
    );
  }
  if (letter === "Q") {
    const end = source.indexOf("\\E", index + 2);
    const literal = source.slice(index + 2, end === -1 ? source.length : end);
    return [literal.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&"), end === -1 ? source.length : end + 2];
  }
  if (letter === "x") {
    const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(source.slice(index + 2));
    if (braced !== null) {
      const code = Number.parseInt(braced[1] as string, 16);
      if (code > 0xffff) throw new Refused(`\\x{${braced[1]}}: characters beyond U+FFFF are not supported`);
      return [`\\u${code.toString(16).padStart(4, "0")}`, index + 2 + braced[0].length];
    }
    const short = /^[0-9A-Fa-f]{2}/.exec(source.slice(index + 2));
    if (short === null) throw new Refused("\\x needs two hex digits or {hex}");
    return [`\\x${short[0]}`, index + 4];
  }
  if (letter === "a") return ["\\x07", index + 2];
  if (sameEscapes.has(letter)) return [`\\${letter}`, index + 2];
  if (!inClass && (letter === "b" || letter === "B")) return [`\\${letter}`, index + 2];
  if (!inClass && letter === "A") return ["^", index + 2];
  if (!inClass && letter === "z") return ["$", index + 2];
  if (letter === "p" || letter === "P") {
    throw new Refused(
      `Unicode classes \\${letter} are not supported by stages; write the characters as a class, e.g. [a-z]`,
    );
  }
  if (/[A-Za-z]/.test(letter) || letter.charCodeAt(0) > 0x7f) {
    throw new Refused(`invalid escape \\${letter}${inClass ? " in a character class" : ""}`);
  }
  // Escaped punctuation is itself in both syntaxes.
  return [`\\${letter}`, index + 2];
}

/** A character class at `source[index]` ("["). Returns the JavaScript text and the index after "]". */
function characterClass(source: string, index: number): [string, number] {
  let position = index + 1;
  let out = "[";
  if (source[position] === "^") {
    out += "^";
    position += 1;
  }
  const whole = /^\[:(\^?)([a-z]+):\]\]/.exec(source.slice(position));
  if (whole !== null && out === "[" && whole[1] === "^") {
    // [[:^alpha:]]: the whole class is one negated POSIX class.
    const ranges = posixClasses[whole[2] as string];
    if (ranges === undefined) throw new Refused(`unknown POSIX class [:^${whole[2]}:]`);
    return [`[^${ranges}]`, position + whole[0].length];
  }
  let first = true;
  while (position < source.length) {
    const char = source[position] as string;
    if (char === "]" && !first) return [`${out}]`, position + 1];
    first = false;
    if (char === "]") {
      // Go reads a "]" right after "[" or "[^" as a literal.
      out += "\\]";
      position += 1;
    } else if (char === "\\") {
      const [text, next] = escapeSequence(source, position, true);
      out += text;
      position = next;
    } else if (char === "[" && source[position + 1] === ":") {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(source.slice(position));
      if (posix === null) {
        out += "\\[";
        position += 1;
        continue;
      }
      const ranges = posixClasses[posix[2] as string];
      if (ranges === undefined) throw new Refused(`unknown POSIX class ${posix[0]}`);
      if (posix[1] === "^")
        throw new Refused(`a negated POSIX class ${posix[0]} is supported only alone: [${posix[0]}]`);
      out += ranges;
      position += posix[0].length;
    } else if (char === "[") {
      out += "\\[";
      position += 1;
    } else {
      out += char;
      position += 1;
    }
  }
  throw new Refused("missing closing ] of a character class");
}
