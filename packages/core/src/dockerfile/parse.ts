/*
 * The Dockerfile parser: text → ParsedDockerfile, by BuildKit's parser rules (moby/buildkit
 * frontend/dockerfile/parser), checked against BuildKit's golden corpus (parse.test.ts).
 *
 * Why not the npm parser dockerfile-ast: it is an editor's parser and it splits instructions where
 * BuildKit does not (`ENV C a\\` followed by a line: BuildKit ends the instruction at the escaped
 * escape, dockerfile-ast joins the next line) and keeps comment lines inside continuations in its
 * arguments. The instruction text is what stage signatures are computed over and what the build runs,
 * so it has to be BuildKit's exactly; the rules are small enough to follow directly.
 */
import type { ConfigProblem } from "../config/model.js";
import { createProblem, sortProblems } from "../config/problems.js";
import { ConfigError } from "../errors.js";
import type {
  DockerfileFlag,
  DockerfileHeredoc,
  DockerfileInstruction,
  DockerfileLocation,
  ParsedDockerfile,
} from "./model.js";

/** Every instruction BuildKit knows. */
export const dockerfileKeywords = [
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
] as const;

const knownKeywords = new Set<string>(dockerfileKeywords);
/** Instructions whose arguments may be a JSON array (BuildKit's parseMaybeJSON and parseMaybeJSONToList). */
const jsonKeywords = new Set(["ADD", "COPY", "CMD", "ENTRYPOINT", "RUN", "SHELL", "VOLUME"]);
/** Instructions that may have here-documents. */
const heredocKeywords = new Set(["ADD", "COPY", "RUN"]);
/** Directives BuildKit reads at the top of the file; another name ends the directives. */
const knownDirectives = new Set(["escape", "syntax", "check"]);
const directivePattern = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const heredocPattern = /^(\d*)<<(-?)\s*([^<]*)$/;

/** Error text of BuildKit for a JSON array holding something other than strings. */
const notStringArray = "when using JSON array syntax, arrays must be comprised of strings only";

interface SourceLine {
  /** The line without its newline (and without a `\r` before it). */
  text: string;
  /** The line as written, newline included (here-document bodies keep it). */
  raw: string;
  /** 1-based. */
  number: number;
}

/** A logical line (continuations joined) with the source position of each of its characters. */
interface JoinedLine {
  text: string;
  positions: { line: number; column: number }[];
}

/** Parses a Dockerfile as BuildKit does; throws ConfigError with every problem found, in file order. */
export function parseDockerfile(text: string, file: string): ParsedDockerfile {
  const reading = readDockerfile(text, file);
  if (reading.problems.length > 0) throw new ConfigError(reading.problems);
  return reading.parsed!;
}

/**
 * What reading a Dockerfile found. A problem stops the reading only when nothing after it can be read
 * (no instructions at all); otherwise the instruction it is in is `flawed` (evaluation skips it, so
 * that it reports no second problem for the same cause) and the reading goes on.
 */
export interface DockerfileReading {
  /** Null when the reading stopped. */
  parsed: ParsedDockerfile | null;
  /** Every problem, in file order. */
  problems: ConfigProblem[];
  /** Instructions with a problem of their own (an ONBUILD's is the ONBUILD). */
  flawed: ReadonlySet<DockerfileInstruction>;
}

/** Parses a Dockerfile as BuildKit does, collecting every problem instead of stopping at the first. */
export function readDockerfile(text: string, file: string): DockerfileReading {
  const lines = splitLines(text);
  const problems: ConfigProblem[] = [];
  const flawed = new Set<DockerfileInstruction>();
  const report: Report = (line, column, message, hint) => {
    problems.push(createProblem("error", { file, line, column }, message, hint));
  };

  let escapeToken: "\\" | "`" = "\\";
  let syntax: string | null = null;
  let directivesDone = false;
  const seenDirectives = new Set<string>();
  // BuildKit offers every line to the directive parser until one is not a known directive.
  const readDirective = (line: SourceLine, content: string): void => {
    if (directivesDone) return;
    const match = directivePattern.exec(content);
    const name = match?.[1]?.toLowerCase();
    if (!match || name === undefined || !knownDirectives.has(name)) {
      directivesDone = true;
      return;
    }
    if (seenDirectives.has(name)) {
      report(line.number, 1, `only one ${name} parser directive can be used`, "remove the repeated directive");
      return;
    }
    seenDirectives.add(name);
    const value = match[2] ?? "";
    if (name === "escape") {
      // A bad escape character leaves `\\`: the rest is read as BuildKit's default would.
      if (value === "\\" || value === "`") escapeToken = value;
      else {
        report(
          line.number,
          1,
          `invalid escape character "${value}" in the escape directive`,
          "write # escape=\\ or # escape=`",
        );
      }
    } else if (name === "syntax") {
      syntax = value;
    }
  };

  const instructions: DockerfileInstruction[] = [];
  let index = 0;
  while (index < lines.length) {
    const first = lines[index++]!;
    const firstContent = trimLeft(first.text);
    readDirective(first, firstContent);
    if (isComment(first.text)) continue;
    const leading = first.text.length - firstContent.length;
    const joined: JoinedLine = { text: "", positions: [] };
    let ended = appendLine(joined, first, firstContent, leading, escapeToken);
    if (ended && joined.text.length === 0) continue;
    while (!ended && index < lines.length) {
      const next = lines[index++]!;
      readDirective(next, next.text);
      if (isComment(next.text)) continue;
      // An empty line inside a continuation is skipped (BuildKit warns about it).
      if (trimLeft(next.text).length === 0) continue;
      ended = appendLine(joined, next, next.text, 0, escapeToken);
    }
    const instructionProblems = problems.length;
    const instruction = parseInstruction(joined, 0, { file, firstLine: first.text, escapeToken, report });
    const heredocOwner = instruction.keyword === "ONBUILD" ? instruction.trigger : instruction;
    if (
      heredocOwner &&
      heredocKeywords.has(heredocOwner.keyword) &&
      heredocOwner.json === null &&
      joined.text.includes("<<")
    ) {
      const heredocs: DockerfileHeredoc[] = [];
      for (const found of heredocsOf(joined.text)) {
        let content = "";
        let terminated = false;
        while (index < lines.length) {
          const body = lines[index++]!;
          const candidate = found.chomp ? body.text.replace(/^\t+/, "") : body.text;
          if (candidate === found.name) {
            terminated = true;
            break;
          }
          content += body.raw;
        }
        if (!terminated) {
          report(
            first.number,
            instruction.location.column,
            `unterminated here-document <<${found.name}`,
            `end it with a line holding only ${found.name}`,
          );
          // It took the rest of the file: there is nothing left for the next ones.
          break;
        }
        heredocs.push({ ...found, content: found.chomp ? content.replace(/^\t+/gm, "") : content });
      }
      heredocOwner.heredocs = heredocs;
      if (heredocOwner !== instruction) instruction.heredocs = heredocs;
    }
    instruction.endLine = lines[index - 1]!.number;
    if (instruction.trigger) instruction.trigger.endLine = instruction.endLine;
    if (problems.length > instructionProblems) flawed.add(instruction);
    instructions.push(instruction);
  }

  if (instructions.length === 0) {
    report(1, 1, "the Dockerfile has no instructions", "start it with FROM <image>");
    return { parsed: null, problems: sortProblems(problems), flawed };
  }
  checkInstructions(instructions, report, flawed);
  return {
    parsed: { file, escape: escapeToken, syntax, text, instructions },
    problems: sortProblems(problems),
    flawed,
  };
}

type Report = (line: number, column: number, message: string, hint: string | null) => void;

/** Unknown instructions and instructions before the first FROM (BuildKit's instruction parser refuses both). */
function checkInstructions(
  instructions: readonly DockerfileInstruction[],
  report: Report,
  flawed: Set<DockerfileInstruction>,
): void {
  let seenFrom = false;
  let beforeFrom = false;
  for (const instruction of instructions) {
    const { line, column } = instruction.location;
    const fault = (at: DockerfileLocation, message: string, hint: string): void => {
      report(at.line, at.column, message, hint);
      flawed.add(instruction);
    };
    for (const checked of [instruction, instruction.trigger]) {
      if (checked && !knownKeywords.has(checked.keyword)) {
        const near = dockerfileKeywords.find((keyword) => editDistance(keyword, checked.keyword) <= 2);
        fault(
          checked.location,
          `unknown instruction ${checked.keyword}`,
          near ? `did you mean ${near}?` : `Dockerfile instructions are ${dockerfileKeywords.join(", ")}`,
        );
      }
    }
    const trigger = instruction.trigger;
    if (instruction.keyword === "ONBUILD" && !trigger) {
      fault(instruction.location, "ONBUILD needs an instruction to run later", "write ONBUILD <instruction>");
    }
    if (trigger && (trigger.keyword === "ONBUILD" || trigger.keyword === "FROM" || trigger.keyword === "MAINTAINER")) {
      fault(
        trigger.location,
        `${trigger.keyword} is not allowed as an ONBUILD trigger`,
        "ONBUILD takes any other instruction",
      );
    }
    if (instruction.keyword === "FROM") seenFrom = true;
    else if (!seenFrom && instruction.keyword !== "ARG" && knownKeywords.has(instruction.keyword)) {
      // The instructions before the first FROM have one cause (FROM is missing or late): one problem, at the first.
      if (!beforeFrom) {
        report(
          line,
          column,
          `${instruction.keyword} before the first FROM: there is no build stage yet`,
          "start the build stage with FROM <image>; only ARG may come before the first FROM",
        );
      }
      beforeFrom = true;
      flawed.add(instruction);
    }
  }
}

/** Levenshtein distance, for "did you mean" on a misspelt instruction. */
function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    for (let column = 1; column <= right.length; column++) {
      const substitution = previous[column - 1]! + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(Math.min(previous[column]! + 1, current[column - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length]!;
}

function splitLines(text: string): SourceLine[] {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const parts = body.split("\n");
  // A final newline does not start another line.
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts.map((line, position) => ({
    text: line.replace(/[\r\n]+$/, ""),
    raw: position < parts.length - 1 || body.endsWith("\n") ? `${line}\n` : line,
    number: position + 1,
  }));
}

function isSpace(character: string): boolean {
  return /^\s$/u.test(character);
}

function trimLeft(text: string): string {
  return text.replace(/^\s+/u, "");
}

function isComment(line: string): boolean {
  return trimLeft(line).startsWith("#");
}

/**
 * Appends one physical line to a logical line; returns true when it ends the instruction. A line
 * continues when it ends with the escape character (then spaces or tabs) that is not itself escaped.
 */
function appendLine(
  joined: JoinedLine,
  line: SourceLine,
  content: string,
  offset: number,
  escapeToken: string,
): boolean {
  let end = content.length;
  while (end > 0 && (content[end - 1] === " " || content[end - 1] === "\t")) end--;
  const continues = end > 0 && content[end - 1] === escapeToken && (end === 1 || content[end - 2] !== escapeToken);
  const kept = continues ? content.slice(0, end - 1) : content;
  joined.text += kept;
  for (let position = 0; position < kept.length; position++) {
    joined.positions.push({ line: line.number, column: offset + position + 1 });
  }
  return !continues;
}

/** Parses one logical line (from `start`) into an instruction: keyword, flags, arguments. */
function parseInstruction(
  joined: JoinedLine,
  start: number,
  context: { file: string; firstLine: string; escapeToken: string; report: Report },
): DockerfileInstruction {
  const { file, firstLine, escapeToken, report } = context;
  const line = joined.text;
  let from = start;
  while (from < line.length && isSpace(line[from]!)) from++;
  let keywordEnd = from;
  while (keywordEnd < line.length && !isSpace(line[keywordEnd]!)) keywordEnd++;
  const keyword = line.slice(from, keywordEnd).toUpperCase();
  const at = (offset: number): DockerfileLocation => {
    const position = joined.positions[Math.min(offset, joined.positions.length - 1)] ?? { line: 1, column: 1 };
    return { file, line: position.line, column: position.column };
  };
  let restStart = keywordEnd;
  while (restStart < line.length && isSpace(line[restStart]!)) restStart++;
  const location = at(from);

  const flags: DockerfileFlag[] = [];
  let argumentsStart = restStart;
  let trigger: DockerfileInstruction | null = null;
  if (keyword === "ONBUILD") {
    // ONBUILD's trigger keeps its own flags (BuildKit parses the rest as a line of its own).
    if (restStart < line.length) trigger = parseInstruction(joined, restStart, context);
  } else {
    const extracted = extractFlags(line, restStart, escapeToken);
    argumentsStart = extracted.rest;
    for (const word of extracted.words) {
      const body = word.text.slice(2);
      const equals = body.indexOf("=");
      flags.push({
        name: equals < 0 ? body : body.slice(0, equals),
        value: equals < 0 ? null : body.slice(equals + 1),
        location: at(word.start),
      });
    }
  }
  const text = line.slice(argumentsStart).trim();

  let json: string[] | null = null;
  if (jsonKeywords.has(keyword))
    json = parseJsonArray(text, () => report(location.line, location.column, notStringArray, null));
  else if (keyword === "HEALTHCHECK") {
    // The JSON form is the command after the type word (`HEALTHCHECK CMD ["a"]`).
    const command = text.replace(/^\S+\s*/u, "");
    json = parseJsonArray(command, () => report(location.line, location.column, notStringArray, null));
  }

  return {
    keyword,
    flags,
    json,
    text,
    heredocs: [],
    trigger,
    original: firstLine.trim(),
    location,
    endLine: location.line,
  };
}

/**
 * The elements of a JSON string array, null when the text is not a JSON array (then it is the shell
 * form) or, after `notStrings` reported it, an array of something else.
 */
function parseJsonArray(text: string, notStrings: () => void): string[] | null {
  if (!text.startsWith("[")) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(value)) return null;
  if (!value.every((element) => typeof element === "string")) {
    notStrings();
    return null;
  }
  return value as string[];
}

/**
 * BuildKit's extractBuilderFlags: the `--name[=value]` words at the start of the arguments (quotes
 * removed, `\` escapes the next character), up to the first word that does not start with `--` or
 * a lone `--`. Returns where the arguments start.
 */
function extractFlags(
  line: string,
  from: number,
  escapeToken: string,
): { words: { text: string; start: number }[]; rest: number } {
  const words: { text: string; start: number }[] = [];
  let position = from;
  while (position < line.length) {
    while (position < line.length && isSpace(line[position]!)) position++;
    if (position >= line.length) return { words, rest: line.length };
    if (line[position] !== "-" || line[position + 1] !== "-") return { words, rest: position };
    const start = position;
    let word = "";
    let quote: string | null = null;
    let blankOk = false;
    for (; position < line.length; position++) {
      const character = line[position]!;
      if (quote === null && isSpace(character)) break;
      if (quote === null && (character === "'" || character === '"')) {
        quote = character;
        blankOk = true;
        continue;
      }
      if (quote !== null && character === quote) {
        quote = null;
        continue;
      }
      if (character === escapeToken) {
        if (position + 1 === line.length) {
          quote = null;
          continue;
        }
        position++;
        word += line[position];
        continue;
      }
      word += character;
    }
    if (word === "--") {
      // A lone `--` ends the flags; what follows it is the arguments.
      return { words, rest: position };
    }
    if (blankOk || word.length > 0) words.push({ text: word, start });
  }
  return { words, rest: line.length };
}

/** The here-documents a RUN, COPY or ADD line opens, in order (BuildKit's heredocsFromLine). */
function heredocsOf(line: string): Omit<DockerfileHeredoc, "content">[] {
  const found: Omit<DockerfileHeredoc, "content">[] = [];
  for (const word of splitRawWords(line)) {
    const match = heredocPattern.exec(word);
    if (!match) continue;
    const chomp = match[2] === "-";
    const rest = match[3] ?? "";
    const unquoted = unquoteWord(rest);
    if (unquoted === null) continue;
    const quotes = (value: string) => (value.match(/["']/g) ?? []).length;
    found.push({ name: unquoted, expand: quotes(unquoted) === quotes(rest), chomp });
  }
  return found;
}

/** Splits a line into words at unquoted whitespace, keeping quotes and escapes as written (BuildKit lexes it with `\\`). */
function splitRawWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | null = null;
  for (let position = 0; position < line.length; position++) {
    const character = line[position]!;
    if (quote === null && isSpace(character)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    inWord = true;
    word += character;
    if (quote === null && character === "<" && line[position + 1] === "<") {
      // BuildKit's lexer keeps `<<` and the blanks after it in one word (a here-document marker).
      position++;
      word += "<";
      while (position + 1 < line.length && isSpace(line[position + 1]!)) word += line[++position];
    } else if (character === "\\" && quote !== "'" && position + 1 < line.length) {
      position++;
      word += line[position];
    } else if (quote === null && (character === "'" || character === '"')) quote = character;
    else if (quote !== null && character === quote) quote = null;
  }
  if (inWord) words.push(word);
  return words;
}

/** Removes shell quotes and escapes from one word; null when it is not exactly one word. */
function unquoteWord(text: string): string | null {
  let word = "";
  let quote: string | null = null;
  let started = false;
  for (let position = 0; position < text.length; position++) {
    const character = text[position]!;
    if (quote === null) {
      if (isSpace(character)) {
        if (started) return text.slice(position).trim() === "" ? word : null;
        continue;
      }
      started = true;
      if (character === "'" || character === '"') quote = character;
      else if (character === "\\" && position + 1 < text.length) word += text[++position];
      else word += character;
    } else if (character === quote) quote = null;
    else if (quote === '"' && character === "\\" && /["\\$`]/.test(text[position + 1] ?? "")) word += text[++position];
    else word += character;
  }
  return started ? word : null;
}

/**
 * BuildKit's parseWords: splits at unquoted whitespace, keeping quotes and escapes in the words (ARG,
 * ENV and LABEL arguments; the lexer removes them when it expands the word).
 */
export function splitDockerfileWords(text: string, escapeToken: "\\" | "`"): string[] {
  const words: string[] = [];
  const characters = [...text];
  let word = "";
  let inWord = false;
  let quote: string | null = null;
  let blankOk = false;
  for (let position = 0; position < characters.length; position++) {
    const character = characters[position]!;
    if (!inWord) {
      if (isSpace(character)) continue;
      inWord = true;
    }
    if (quote === null) {
      if (isSpace(character)) {
        if (blankOk || word.length > 0) words.push(word);
        word = "";
        blankOk = false;
        inWord = false;
        continue;
      }
      if (character === "'" || character === '"') {
        quote = character;
        blankOk = true;
      }
      if (character === escapeToken) {
        // An escape at the very end is dropped; otherwise it stays with the character it escapes.
        if (position + 1 === characters.length) continue;
        word += character;
        position++;
        word += characters[position];
        continue;
      }
      word += character;
      continue;
    }
    if (character === quote) quote = null;
    else if (character === escapeToken && quote !== "'") {
      if (position + 1 === characters.length) {
        quote = null;
        continue;
      }
      word += character;
      position++;
      word += characters[position];
      continue;
    }
    word += character;
  }
  if (inWord && (blankOk || word.length > 0)) words.push(word);
  return words;
}

/** ENV and LABEL arguments as BuildKit splits them: `k=v ...` pairs, or the legacy `k v` (rest of the line). */
export type NameValueForm = { legacy: boolean; pairs: [string, string][] };

/**
 * Splits ENV or LABEL arguments (BuildKit's parseNameVal); the values are as written (quotes kept).
 * Returns an error message instead when the arguments have neither form.
 */
export function splitNameValues(text: string, escapeToken: "\\" | "`", keyword: string): NameValueForm | string {
  const words = splitDockerfileWords(text, escapeToken);
  if (words.length === 0) return `${keyword} needs at least one argument`;
  if (!words[0]!.includes("=")) {
    const parts = /^([^\t\v\f\r ]+)[\t\v\f\r ]+([\s\S]*)$/u.exec(text);
    if (!parts) return `${keyword} needs a name and a value`;
    return { legacy: true, pairs: [[parts[1]!, parts[2]!]] };
  }
  const pairs: [string, string][] = [];
  for (const word of words) {
    const equals = word.indexOf("=");
    if (equals < 0) return `"${word}" is not name=value`;
    pairs.push([word.slice(0, equals), word.slice(equals + 1)]);
  }
  return { legacy: false, pairs };
}
