/*
 * BuildKit's shell lexer (frontend/dockerfile/shell/lex.go), rewritten from its documented behaviour and
 * test vectors: variable expansion of one word (`ProcessWord`) and of a word list split on unquoted
 * whitespace (`ProcessWords`, used for EXPOSE). Checked against BuildKit's vectors and against
 * BuildKit's own answers to generated words (test/vectors/buildkit/shell).
 *
 * Supported as BuildKit supports them: `$V`, `${V}`, `${V:-w}`, `${V-w}`, `${V:+w}`, `${V+w}`,
 * `${V:?m}`, `${V?m}`, `${V#p}`, `${V##p}`, `${V%p}`, `${V%%p}`, `${V/p/r}`, `${V//p/r}`; single quotes
 * (literal), double quotes (`$` expands, the escape character escapes `"`, `$` and itself), the escape
 * character (`\` or `` ` ``) outside quotes; positional and special parameters (`$1`, `$@`, ...) are
 * ordinary names the lookup does not know. Its quirks too: in a list, `${V:-w}` (any form with a nested
 * word) clears the word being built (`a${V:-b}` is `b`).
 *
 * `unknown: "keep"` leaves an undefined variable in the output, which is then a template in this same
 * syntax: expanding it again with the rest of the environment gives what one expansion with both would
 * give (the Dockerfile's ARG/ENV first, the base image's ENV at build time; see model.ts), errors
 * included. To stay exact the template may hold `${+word}` (always empty: it expands `word` only for
 * the errors BuildKit would raise there) and, in a list, `${/P/word}` with P = `*` (exactly `word`).
 * Two cases are refused instead (ShellLexError): a pattern or replacement applied to a known variable
 * that needs a kept one (`${KNOWN#$KEPT}`), and, with quotes off, a kept pattern whose text needs quotes.
 */
import { StageBuildError } from "../errors.js";
import { normalizePorts } from "./instruction-values.js";
import type { DockerfileConfigChange, DockerfileLocation, DockerfileStep } from "./model.js";
import {
  byteOrderMark,
  compileShellPattern,
  isDigit,
  isNameCharacter,
  replaceMatches,
  ShellPatternError,
  trimPrefix,
  trimSuffix,
} from "./shell-pattern.js";

/** The value of a variable, or undefined when it is not set (set and empty is ""). */
export type VariableLookup = (name: string) => string | undefined;

/** How to expand. */
export interface ExpandOptions {
  /** The Dockerfile's escape character. */
  escape: "\\" | "`";
  /** An undefined variable expands to "" (default), or is kept in a template (see the module comment). */
  unknown?: "empty" | "keep";
  /**
   * false: quotes are ordinary characters (BuildKit's SkipProcessQuotes, with which it expands the body
   * of a COPY/ADD here-document, always with the escape `\`). Default true.
   */
  quotes?: boolean;
}

/** The result of one expansion: the value, or a template when some variable was kept. */
export interface Expansion {
  value: string;
  /** The names of the kept variables, in order of appearance, without duplicates; empty when `value` is plain. */
  kept: string[];
}

/** A word BuildKit refuses (unterminated quote or brace, bad substitution, `${V:?}` of an unset V). */
export class ShellLexError extends Error {
  /** Where in the text (UTF-16 offset) the faulty construct starts. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = "ShellLexError";
    this.offset = offset;
  }
}

/** Expands one word as BuildKit's ProcessWord: variables replaced, quotes and escapes removed. */
export function expandWord(text: string, lookup: VariableLookup, options: ExpandOptions): Expansion {
  const lexer = new Lexer(text, lookup, options);
  const parts = lexer.word(undefined, false);
  if (!hasKept(parts)) return { value: literalOf(parts), kept: [] };
  return { value: emit(parts, lexer.context("top", false)), kept: namesOf(parts) };
}

/**
 * Expands and splits on unquoted whitespace as BuildKit's ProcessWords (quotes and escapes removed,
 * empty words dropped). With kept variables every word is a template; expanding each one with
 * `expandWords` again and concatenating the lists gives the one-pass result.
 */
export function expandWords(
  text: string,
  lookup: VariableLookup,
  options: ExpandOptions,
): { words: string[]; kept: string[] } {
  const lexer = new Lexer(text, lookup, options);
  const words = lexer.words();
  if (!hasKept(words.flat())) return { words: words.map(literalOf), kept: [] };
  return { words: words.map((parts) => emit(parts, lexer.context("top", true))), kept: namesOf(words.flat()) };
}

/** A template that expands (with any lookup) to exactly `literal`, as one word or as one word of expandWords. */
export function escapeTemplate(literal: string, escapeCharacter: "\\" | "`"): string {
  const context: Context = { kind: "top", escape: escapeCharacter, words: true, quotes: true, offset: 0 };
  return emit([{ type: "literal", text: literal }], context);
}

/**
 * Finishes a step with `late: true` against the base image's environment; a step with late false is
 * returned as is. Throws StageBuildError when the Dockerfile's words fail only now (`${V:?}` of a
 * variable the image does not set, an EXPOSE that is not a port).
 */
export function completeStep(step: DockerfileStep, env: VariableLookup, escapeCharacter: "\\" | "`"): DockerfileStep {
  if (!step.late) return step;
  const attempt = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (!(error instanceof ShellLexError)) throw error;
      return fail(step.location, error.message);
    }
  };
  const options: ExpandOptions = { escape: escapeCharacter, unknown: "empty" };
  const word = (text: string) => attempt(() => expandWord(text, env, options).value);
  const list = (text: string) => attempt(() => expandWords(text, env, options).words);
  // BuildKit expands a COPY/ADD here-document with quotes as ordinary characters and `\` as the escape,
  // whatever the Dockerfile's escape character.
  const bodyOptions: ExpandOptions = { escape: "\\", unknown: "empty", quotes: false };
  const body = (text: string) => attempt(() => expandWord(text, env, bodyOptions).value);
  switch (step.op) {
    case "run":
      return { ...step, args: step.args.map(([name, value]) => [name, word(value)]), late: false };
    case "copy":
      return {
        ...step,
        sources: step.sources.map(word),
        heredocs: step.heredocs.map((heredoc) =>
          heredoc.expand ? { ...heredoc, content: body(heredoc.content) } : heredoc,
        ),
        destination: word(step.destination),
        chown: step.chown === null ? null : word(step.chown),
        late: false,
      };
    case "config":
      return { ...step, change: completeChange(step.change, word, list, step.location), late: false };
  }
}

function fail(location: DockerfileLocation, message: string): never {
  throw new StageBuildError(`${location.file}:${location.line}: ${message}`, {
    hint: "the step expands variables of the base image's environment (docker image inspect shows it)",
  });
}

function completeChange(
  change: DockerfileConfigChange,
  word: (text: string) => string,
  list: (text: string) => string[],
  location: DockerfileLocation,
): DockerfileConfigChange {
  switch (change.keyword) {
    case "ENV":
      return { ...change, env: change.env.map(([name, value]) => [word(name), word(value)]) };
    case "LABEL":
      return { ...change, labels: change.labels.map(([name, value]) => [word(name), word(value)]) };
    case "WORKDIR":
      return { ...change, path: word(change.path) };
    case "USER":
      return { ...change, user: word(change.user) };
    case "EXPOSE": {
      // Each template is one word of BuildKit's ProcessWords; the ports are normalized once known.
      const ports = normalizePorts(change.ports.flatMap(list));
      return { ...change, ports: typeof ports === "string" ? fail(location, ports) : ports };
    }
    case "VOLUME":
      return { ...change, paths: change.paths.map(word) };
    case "STOPSIGNAL":
      return { ...change, signal: word(change.signal) };
    default:
      return change;
  }
}

// ---------------------------------------------------------------------------------------------------
// The lexer: a recursive descent over code points, producing parts (literal text and kept expressions).

type Part =
  | { type: "literal"; text: string }
  /**
   * A kept variable expression; `bare` is the `$NAME` form (braces are added when a name character
   * follows); `fallible` when expanding it later may fail (`${V?}`, a pattern made of kept variables).
   * Name "" is not a variable: `${+word}` (a guard, or `${+}` to clear a word; see `words()`).
   * `names`: the variables the expression holds (its own and those of its words).
   */
  | { type: "kept"; name: string; expression: string; bare: boolean; fallible: boolean; names: string[] }
  /** A double-quoted section of a word of expandWords (its kept values must not be split again). */
  | { type: "quoted"; parts: Part[] };

// Go's unicode.IsSpace: what ProcessWords splits on.
const spacePattern = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;
// POSIX special parameters; `0` is read as a number first.
const specialParameters = new Set(["@", "*", "#", "?", "-", "$", "!", "0"]);
/** `${+}`: always empty (no variable has an empty name); clears the word being built, as any `${V+w}`. */
const emptyWord = "$" + "{+}";

function isSpace(character: string): boolean {
  const code = character.charCodeAt(0);
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return spacePattern.test(character);
}

class Lexer {
  /** Counts nested words (`${V:-word}` and the like); see `words()` for why. */
  nestedWords = 0;
  private readonly characters: string[];
  private readonly offsets: number[];
  private position = 0;
  private readonly keep: boolean;
  private readonly escape: string;
  private readonly quotes: boolean;
  /** Expanding for expandWords: a word carried out of `${V:-word}` must not clear (see `carried`). */
  private list = false;

  constructor(
    text: string,
    private readonly lookup: VariableLookup,
    options: ExpandOptions,
  ) {
    this.characters = [];
    this.offsets = [];
    let offset = 0;
    for (const character of text) {
      this.characters.push(character);
      this.offsets.push(offset);
      offset += character.length;
    }
    this.offsets.push(offset);
    // Go's text/scanner skips a byte order mark at the start.
    if (this.characters[0] === byteOrderMark) this.position = 1;
    this.keep = options.unknown === "keep";
    this.escape = options.escape;
    this.quotes = options.quotes ?? true;
  }

  private peek(): string | undefined {
    return this.characters[this.position];
  }
  private next(): string | undefined {
    const character = this.characters[this.position];
    if (character !== undefined) this.position++;
    return character;
  }
  private offset(): number {
    return this.offsets[this.position] ?? 0;
  }

  /** A word up to `stop` (consumed) or the end; `raw` keeps escape characters (patterns of `#`, `%`, `/`). */
  word(stop: string | undefined, raw: boolean): Part[] {
    const parts: Part[] = [];
    for (let character = this.peek(); character !== undefined; character = this.peek()) {
      if (character === stop) {
        this.next();
        return parts;
      }
      if (character === "$") parts.push(...this.dollar());
      else if (character === "'" && this.quotes) {
        const text = this.singleQuote();
        if (text !== "") addLiteral(parts, text);
      } else if (character === '"' && this.quotes) parts.push(...this.doubleQuote(raw));
      else if (character === "<") addLiteral(parts, this.heredocMarker());
      else {
        this.next();
        if (character === this.escape) {
          if (raw) addLiteral(parts, character);
          const escaped = this.next();
          if (escaped === undefined) break;
          addLiteral(parts, escaped);
        } else addLiteral(parts, character);
      }
    }
    if (stop !== undefined) {
      throw new ShellLexError(`unexpected end of statement while looking for matching ${stop}`, this.offset());
    }
    return parts;
  }

  /**
   * The words of ProcessWords. BuildKit's nested words (`${V:-word}`) share the buffer of the word being
   * built and clear it: `a${V:-b}` gives the single word `b`. We do the same, so EXPOSE agrees.
   */
  words(): Part[][] {
    this.list = true;
    const words: Part[][] = [];
    let current: Part[] = [];
    const finishWord = () => {
      if (current.length > 0) words.push(current);
      current = [];
    };
    // Kept values may hold whitespace that ends a word before the clear: they stay, then `${+}` clears.
    const clearWord = () => {
      if (hasKept(current)) current.push(guardOf([], this.context("brace", false)));
      else current = [];
    };
    for (let character = this.peek(); character !== undefined; character = this.peek()) {
      const nestedBefore = this.nestedWords;
      if (character === "$") {
        const parts = this.dollar();
        if (this.nestedWords !== nestedBefore) clearWord();
        // An expanded value is split on whitespace, wherever its parts came from.
        for (const part of flatten(parts)) {
          if (part.type !== "literal") {
            current.push(part);
            continue;
          }
          for (const piece of part.text) {
            if (isSpace(piece)) finishWord();
            else addLiteral(current, piece);
          }
        }
      } else if (character === "'" && this.quotes) {
        const text = this.singleQuote();
        if (text !== "") addLiteral(current, text);
      } else if (character === '"' && this.quotes) {
        const parts = this.doubleQuote(false);
        if (this.nestedWords !== nestedBefore) clearWord();
        if (!isBlank(parts)) current.push({ type: "quoted", parts });
      } else if (character === "<") addLiteral(current, this.heredocMarker());
      else {
        this.next();
        if (character === this.escape) {
          const escaped = this.next();
          if (escaped === undefined) break;
          addLiteral(current, escaped);
        } else if (isSpace(character)) finishWord();
        else addLiteral(current, character);
      }
    }
    finishWord();
    return words;
  }

  private singleQuote(): string {
    const start = this.offset();
    this.next();
    let text = "";
    for (;;) {
      const character = this.next();
      if (character === undefined) {
        throw new ShellLexError("unexpected end of statement while looking for matching single-quote", start);
      }
      if (character === "'") return text;
      text += character;
    }
  }

  private doubleQuote(raw: boolean): Part[] {
    const start = this.offset();
    this.next();
    const parts: Part[] = [];
    for (;;) {
      const character = this.peek();
      if (character === undefined) {
        throw new ShellLexError("unexpected end of statement while looking for matching double-quote", start);
      }
      if (character === '"') {
        this.next();
        return parts;
      }
      if (character === "$") {
        parts.push(...this.dollar());
        continue;
      }
      this.next();
      let text = character;
      if (character === this.escape) {
        if (raw) addLiteral(parts, character);
        const following = this.peek();
        if (following === undefined) continue;
        // Only these are escaped inside double quotes; any other escape character stays.
        if (following === '"' || following === "$" || following === this.escape) text = this.next() ?? "";
      }
      addLiteral(parts, text);
    }
  }

  // `<<` followed by blanks is kept together (BuildKit's heredoc marker): it never splits words.
  private heredocMarker(): string {
    this.next();
    if (this.peek() !== "<") return "<";
    this.next();
    let text = "<<";
    for (let character = this.peek(); character === " " || character === "\t" || character === "\r"; ) {
      text += this.next();
      character = this.peek();
    }
    return text;
  }

  private name(): string {
    let name = "";
    for (let character = this.peek(); character !== undefined; character = this.peek()) {
      if (name === "" && isDigit(character)) {
        for (let digit = this.peek(); digit !== undefined && isDigit(digit); digit = this.peek()) {
          name += this.next();
        }
        return name;
      }
      if (name === "" && specialParameters.has(character)) {
        this.next();
        return character;
      }
      if (!isNameCharacter(character)) break;
      name += this.next();
    }
    return name;
  }

  private nested(stop: string, raw: boolean, missing: string, start: number): Part[] {
    this.nestedWords++;
    try {
      return this.word(stop, raw);
    } catch (error) {
      if (this.peek() === undefined) throw new ShellLexError(`syntax error: missing '${missing}'`, start);
      throw error;
    }
  }

  private dollar(): Part[] {
    const start = this.offset();
    this.next();
    if (this.peek() !== "{") {
      const name = this.name();
      if (name === "") return [literal("$")];
      const value = this.lookup(name);
      if (value !== undefined) return [literal(value)];
      return this.keptOrEmpty(name, `$${name}`, true, false);
    }
    this.next();
    const first = this.peek();
    if (first === undefined) throw new ShellLexError("syntax error: missing '}'", start);
    if (first === "{" || first === "}" || first === ":")
      throw new ShellLexError("syntax error: bad substitution", start);
    const name = this.name();
    const operator = this.next();
    if (operator === undefined) throw new ShellLexError("syntax error: missing '}'", start);
    if (operator === "}") {
      const value = this.lookupName(name);
      if (value !== undefined) return [literal(value)];
      return this.keptOrEmpty(name, `\${${name}}`, false, false);
    }
    if (operator === "/") return this.replace(name, start);
    if (!":+-?#%".includes(operator)) throw unsupported(operator, start);

    let modifier: string = operator;
    let written: string = operator;
    const nullIsUnset = operator === ":";
    if (nullIsUnset) {
      const next = this.next();
      if (next === undefined) throw new ShellLexError("syntax error: missing '}'", start);
      modifier = next;
      written += next;
      if (modifier === "#" || modifier === "%") throw unsupported(written, start);
    }
    const pattern = modifier === "#" || modifier === "%";
    const word = this.nested("}", pattern, "}", start);
    if (!"+-?#%".includes(modifier)) throw unsupported(written, start);

    const value = this.lookupName(name);
    if (value === undefined && this.keep && name !== "") {
      let fallible = modifier === "?" || containsFallible(word);
      if (pattern) {
        // BuildKit refuses a bad pattern whatever the value: a known one is checked now.
        if (hasKept(word)) fallible = true;
        else this.applyPattern(modifier, literalOf(word), "", start);
      }
      const context = this.context(pattern ? "raw" : "brace", false, start);
      return this.keptOrEmpty(name, `\${${name}${written}${emit(word, context)}}`, false, fallible, word);
    }
    const unset = value === undefined || (nullIsUnset && value === "");
    // A word BuildKit expands and then drops still fails if it fails: a guard keeps what may fail later.
    const guard = containsFallible(word) ? [guardOf(word, this.context("brace", false))] : [];
    switch (modifier) {
      case "-":
        return unset ? this.carried(word, start) : [...guard, literal(value ?? "")];
      case "+":
        return unset ? guard : this.carried(word, start);
      case "?": {
        if (value === undefined || unset) {
          const message =
            literalOf(word) || (value === undefined ? "is not allowed to be unset" : "is not allowed to be empty");
          throw new ShellLexError(`${name}: ${message}`, start);
        }
        return [...guard, literal(value)];
      }
      default:
        return [literal(this.applyPattern(modifier, this.patternText(word, start), value ?? "", start))];
    }
  }

  private applyPattern(modifier: string, pattern: string, value: string, start: number): string {
    const greedy = pattern.startsWith(modifier);
    const text = greedy ? pattern.slice(modifier.length) : pattern;
    return this.pattern(start, () =>
      modifier === "%" ? trimSuffix(text, value, greedy) : trimPrefix(text, value, greedy),
    );
  }

  private replace(name: string, start: number): Part[] {
    const all = this.peek() === "/";
    if (all) this.next();
    const pattern = this.nested("/", true, "/' in $" + "{}", start);
    const replacement = this.nested("}", true, "}", start);
    const value = this.lookupName(name);
    if (value === undefined && this.keep && name !== "") {
      const fallible = hasKept(pattern) || containsFallible(replacement);
      if (!hasKept(pattern)) this.pattern(start, () => compileShellPattern(literalOf(pattern), true, false));
      const raw = this.context("raw", false, start);
      // An empty pattern is written `${+}` (empty too) so that `/` + pattern + `/` is not read as `//`.
      const expression = `\${${name}${all ? "//" : "/"}${emit(pattern, raw) || emptyWord}/${emit(replacement, raw)}}`;
      return this.keptOrEmpty(name, expression, false, fallible, [...pattern, ...replacement]);
    }
    const regex = this.pattern(start, () => compileShellPattern(this.patternText(pattern, start), true, false));
    return [literal(replaceMatches(value ?? "", regex, this.patternText(replacement, start), all))];
  }

  private pattern<T>(start: number, run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof ShellPatternError) throw new ShellLexError(error.message, start);
      throw error;
    }
  }

  // A pattern is applied to a known value: it cannot wait for a variable expanded later.
  private patternText(parts: Part[], start: number): string {
    if (hasKept(parts)) {
      const names = namesOf(parts);
      const subject = names.length > 0 ? names.join(", ") : "a variable the Dockerfile does not define";
      throw new ShellLexError(
        `cannot apply this pattern substitution before ${subject} is known: define it in the Dockerfile (ARG or ENV)`,
        start,
      );
    }
    return literalOf(parts);
  }

  // No variable has an empty name (`${+word}` is always empty): the guards rely on it.
  private lookupName(name: string): string | undefined {
    return name === "" ? undefined : this.lookup(name);
  }

  /** Where literal text of a template goes, for `emit`. */
  context(kind: Context["kind"], words: boolean, offset = 0): Context {
    return { kind, escape: this.escape, words, quotes: this.quotes, offset };
  }

  /**
   * A word BuildKit expanded as part of `${V:-word}`: its `${...}` forms cleared only the word's own
   * buffer. Written bare in a word of expandWords, they would clear that word, so the word is carried
   * whole by `${/P/word}` with the pattern P = `*` (in "", the empty match of `*` is replaced by
   * `word`), which clears once, where `${V:-word}` itself did.
   */
  private carried(word: Part[], start: number): Part[] {
    if (!this.list || !flatten(word).some((part) => part.type === "kept" && !part.bare && !isSimple(part))) return word;
    const expression = `\${/*/${emit(word, this.context("raw", false, start))}}`;
    return [
      { type: "kept", name: "", expression, bare: false, fallible: containsFallible(word), names: namesOf(word) },
    ];
  }

  private keptOrEmpty(name: string, expression: string, bare: boolean, fallible: boolean, inner: Part[] = []): Part[] {
    if (!this.keep) return [];
    return [{ type: "kept", name, expression, bare, fallible, names: [...new Set([name, ...namesOf(inner)])] }];
  }
}

function hasKept(parts: Part[]): boolean {
  return flatten(parts).some((part) => part.type === "kept");
}

/** The kept variables of parts, in order, once each. */
function namesOf(parts: Part[]): string[] {
  return [...new Set(flatten(parts).flatMap((part) => (part.type === "kept" ? part.names : [])))];
}

function containsFallible(parts: Part[]): boolean {
  return flatten(parts).some((part) => part.type === "kept" && part.fallible);
}

function isBlank(parts: Part[]): boolean {
  return flatten(parts).every((part) => part.type === "literal" && part.text === "");
}

// `${NAME}`: no nested word, so it clears nothing.
function isSimple(part: Extract<Part, { type: "kept" }>): boolean {
  return part.expression === `\${${part.name}}`;
}

// `${+word}`: expands `word` (so its errors happen) and gives "" (no variable has an empty name).
function guardOf(word: Part[], context: Context): Part {
  const expression = `\${+${emit(word, context)}}`;
  return { type: "kept", name: "", expression, bare: false, fallible: containsFallible(word), names: namesOf(word) };
}

function literal(text: string): Part {
  return { type: "literal", text };
}

// Consecutive literal text is one part.
function addLiteral(parts: Part[], text: string): void {
  const last = parts[parts.length - 1];
  if (last?.type === "literal") last.text += text;
  else if (text !== "") parts.push(literal(text));
}

function unsupported(modifier: string, start: number): ShellLexError {
  return new ShellLexError(`unsupported modifier (${modifier}) in substitution`, start);
}

function flatten(parts: Part[]): Part[] {
  return parts.flatMap((part) => (part.type === "quoted" ? flatten(part.parts) : [part]));
}

function literalOf(parts: Part[]): string {
  return flatten(parts)
    .map((part) => (part.type === "literal" ? part.text : ""))
    .join("");
}

// ---------------------------------------------------------------------------------------------------
// Templates: literal text escaped for where it goes, kept expressions as written.

interface Context {
  /** top: a whole word; brace: the word of `${V:-...}`; raw: a pattern or replacement (escapes are kept there). */
  kind: "top" | "brace" | "raw";
  escape: string;
  /** Whitespace must not split (a word of expandWords). */
  words: boolean;
  /** Quotes are special (see ExpandOptions.quotes). */
  quotes: boolean;
  /** Where the expression being written starts, for a refusal. */
  offset: number;
}

function emit(parts: Part[], context: Context): string {
  const items = context.kind === "raw" ? flatten(parts) : parts;
  // Built from the end: a bare `$NAME` gets braces when a name character follows it.
  let text = "";
  for (let index = items.length - 1; index >= 0; index--) {
    const part = items[index];
    if (part === undefined) continue;
    if (part.type === "literal") text = escapeLiteral(part.text, context) + text;
    else if (part.type === "quoted") text = `"${emitQuoted(part.parts, context.escape)}"${text}`;
    else text = keptExpression(part, text) + text;
  }
  return text;
}

function keptExpression(part: Extract<Part, { type: "kept" }>, following: string): string {
  const next = following[0];
  return part.bare && next !== undefined && isNameCharacter(next) ? `\${${part.name}}` : part.expression;
}

function emitQuoted(parts: Part[], escapeCharacter: string): string {
  let text = "";
  for (const part of flatten(parts)) {
    if (part.type === "kept") text += part.bare ? `\${${part.name}}` : part.expression;
    else if (part.type === "literal") {
      for (const character of part.text) {
        text +=
          character === '"' || character === "$" || character === escapeCharacter
            ? escapeCharacter + character
            : character;
      }
    }
  }
  return text;
}

function escapeLiteral(text: string, context: Context): string {
  let result = "";
  if (context.kind === "raw") {
    // Escape characters stay in a raw word, so the only way to write a special character is quoting.
    if (!context.quotes && /[$}/\\`]/.test(text)) {
      throw new ShellLexError(
        "cannot keep this pattern substitution for later: its pattern holds a character only quotes could keep, and quotes are not read here",
        context.offset,
      );
    }
    if (!context.quotes) return text;
    let open = false;
    for (const character of text) {
      if (character === "'") {
        if (open) result += "'";
        open = false;
        result += `"'"`;
      } else if (
        character === "$" ||
        character === '"' ||
        character === "}" ||
        character === "/" ||
        character === context.escape
      ) {
        if (!open) result += "'";
        open = true;
        result += character;
      } else result += character;
    }
    return open ? `${result}'` : result;
  }
  for (const character of text) {
    const special =
      character === "$" ||
      (context.quotes && (character === "'" || character === '"')) ||
      character === context.escape ||
      character === byteOrderMark ||
      (context.kind === "brace" && character === "}") ||
      (context.words && isSpace(character));
    result += special ? context.escape + character : character;
  }
  return result;
}
