/*
 * werf.yaml rendering (DESIGN §13): the config text as a Go template, with the partials of `.werf/`,
 * Sprig's and werf's functions, and werf's root data (`.Files`, `.Env`, `.Commit`), as werf's
 * pkg/config/parser.go renders it. Pure: files, environment and HEAD come in as data.
 */
import type { ConfigProblem } from "../config/model.js";
import { withOrigin } from "../config/problems.js";
import { compilePathPatterns, normalizePathPattern } from "../path-rules.js";
import { expectArity, stringArgument } from "./functions/arguments.js";
import { loadCiphers, mayNeedCiphers } from "./functions/ciphers.js";
import { loadEllipticCurves, mayNeedEllipticCurves } from "./functions/curves.js";
import type { HostLookup } from "./functions/network.js";
import { sprigFunctions } from "./functions/sprig.js";
import { werfFunctions } from "./functions/werf.js";
import { createTemplateSet } from "./index.js";
import {
  type FunctionMap,
  type GoFunction,
  GoObject,
  type GoValue,
  type RenderResult,
  type TemplatePosition,
  type TemplateSource,
} from "./model.js";

/**
 * The project's files as `.Files` reads them. Paths are relative to the project directory, POSIX,
 * already normalized and inside the project (rendering refuses others before asking). Synchronous,
 * because a Go template calls `.Files.Get` in the middle of an execution that cannot wait.
 */
export interface ConfigFileReader {
  /** The content of a regular file; null when there is none (missing, or a directory). */
  read(path: string): string | null;
  /** Whether a file or a directory exists. */
  exists(path: string): boolean;
  /** Whether a directory exists. */
  isDir(path: string): boolean;
  /** The regular files below a directory ("" is the project), recursively, as project-relative paths. */
  listFiles(directory: string): string[];
}

/** HEAD of the project's repository, as `.Commit` shows it. */
export interface HeadCommit {
  /** Full hex hash. */
  hash: string;
  /** The author date in ISO 8601 with the author's offset (git's `%aI`), the time werf reads. */
  date: string;
}

/** What renderWerfConfig renders. */
export interface WerfConfigInput {
  /** The config's name in errors (`werf.yaml`). */
  file: string;
  text: string;
  /** `.werf/**\/*.tmpl`, in a stable order, each named by its project-relative path (`.werf/_helpers.tmpl`). */
  partials: readonly TemplateSource[];
  files: ConfigFileReader;
  /** The environment variables the `env` function reads. */
  environment: Readonly<Record<string, string | undefined>>;
  /** werf's `--env` value, `.Env` ("" when not given). */
  env: string;
  /** HEAD; null outside a git repository, where `.Commit` is not set. */
  commit: HeadCommit | null;
  /** Functions added to (or replacing) Sprig's and werf's. */
  functions?: FunctionMap;
  /** Sprig's getHostByName resolver (core does no I/O); without it getHostByName fails saying so. */
  lookupHost?: HostLookup;
}

/** What rendering read: the rendered text depends on exactly these (and on the config and partials). */
export interface WerfConfigReads {
  /** Variables `env` read, with their values (null: unset). */
  env: Record<string, string | null>;
  /** Project files `.Files` read or looked at, and the partials, sorted. */
  files: string[];
}

/** A rendered werf.yaml. */
export interface WerfConfigRender extends RenderResult {
  read: WerfConfigReads;
  /** The template sources, for locating problems of the rendered text in them. */
  sources: readonly TemplateSource[];
}

/** werf's directory of partials; a partial's template name is its path inside it. */
export const werfTemplatesDirectory = ".werf";

/** Whether a config text needs rendering: a text without `{{` renders to itself. */
export function isTemplate(text: string): boolean {
  return text.includes("{{");
}

/**
 * Loads what rendering these sources may need beyond what core loads with itself: the elliptic
 * curves of genPrivateKey "ecdsa"/"ed25519" and of certificates over such keys, AES and scrypt of
 * encryptAES, decryptAES and derivePassword, when a source names one of those functions. Call it before renderWerfConfig; a config without them loads nothing.
 */
export async function prepareWerfConfigFunctions(input: Pick<WerfConfigInput, "text" | "partials">): Promise<void> {
  const texts = [input.text, ...input.partials.map((partial) => partial.text)];
  await Promise.all([
    mayNeedEllipticCurves(texts) ? loadEllipticCurves() : undefined,
    mayNeedCiphers(texts) ? loadCiphers() : undefined,
  ]);
}

/**
 * Renders a werf.yaml as werf does: partials first (their `define`s are everyone's, and each is a
 * template named by its path inside `.werf/`, for `include "dir/file.tmpl" .`), then the config.
 * Throws TemplateError at the template position (in a partial when it is there).
 */
export function renderWerfConfig(input: WerfConfigInput): WerfConfigRender {
  const env: Record<string, string | null> = {};
  const files = new Set<string>(input.partials.map((partial) => partial.file));
  const functions: FunctionMap = {
    ...sprigFunctions(input.lookupHost === undefined ? {} : { lookupHost: input.lookupHost }),
    ...werfFunctions({
      env: input.environment,
      onEnvRead: (name: string, value: string | undefined) => {
        env[name] = value ?? null;
      },
    }),
    ...input.functions,
  };
  const set = createTemplateSet(functions);
  const prefix = `${werfTemplatesDirectory}/`;
  for (const partial of input.partials) set.add(partial);
  for (const partial of input.partials) {
    // werf names a partial by its path inside `.werf/`; errors name the file the user opens.
    if (partial.file.startsWith(prefix)) {
      set.add({ file: partial.file.slice(prefix.length), text: `{{ template ${JSON.stringify(partial.file)} . }}` });
    }
  }
  set.add({ file: input.file, text: input.text });
  const root = new Map<string, GoValue>([
    ["Files", filesObject(input.files, (path) => files.add(path))],
    ["Env", input.env],
  ]);
  if (input.commit !== null) root.set("Commit", commitValue(input.commit));
  const result = set.execute(input.file, root);
  const sortedEnv: Record<string, string | null> = {};
  for (const name of Object.keys(env).sort()) sortedEnv[name] = env[name] ?? null;
  return {
    text: result.text,
    origins: result.origins,
    read: { env: sortedEnv, files: [...files].sort() },
    sources: [...input.partials, { file: input.file, text: input.text }],
  };
}

/**
 * Locates problems of the rendered text (parseConfig's, named `file`) in the templates too: each gets
 * the template position its rendered line came from, and the column within it when the line is the
 * template's text up to the problem.
 */
export function locateRenderedProblems(
  problems: readonly ConfigProblem[],
  render: WerfConfigRender,
  file: string,
): ConfigProblem[] {
  const renderedLines = render.text.split("\n");
  const sourceLines = new Map(render.sources.map((source) => [source.file, source.text.split("\n")]));
  return problems.map((problem) => {
    if (problem.file !== file) return problem;
    const origin = render.origins[problem.line - 1] ?? render.origins[render.origins.length - 1];
    if (origin === undefined) return problem;
    const renderedLine = renderedLines[problem.line - 1];
    const included = includedLine(origin, renderedLine, problem.column, sourceLines);
    if (included !== null) return withOrigin(problem, included);
    return withOrigin(problem, {
      ...origin,
      column: originColumn(origin, problem.column, renderedLine, sourceLines.get(origin.file)),
    });
  });
}

/**
 * An `include` (or `tpl`) gives one string, so its lines are located at the action (`{{ include "x"
 * . | nindent 4 }}`, werf's usual way). When the rendered line is the literal text of exactly one
 * template line, re-indented, that line is where it came from: the problem is located there.
 */
function includedLine(
  origin: TemplatePosition,
  renderedLine: string | undefined,
  column: number,
  sourceLines: ReadonlyMap<string, readonly string[]>,
): TemplatePosition | null {
  const actionLine = sourceLines.get(origin.file)?.[origin.line - 1];
  if (renderedLine === undefined || actionLine === undefined) return null;
  const offset = Array.from(actionLine)
    .slice(0, origin.column - 1)
    .join("").length;
  const open = actionLine.lastIndexOf("{{", offset);
  const close = actionLine.indexOf("}}", offset);
  if (open === -1 || !/\b(include|tpl)\b/.test(actionLine.slice(open, close === -1 ? undefined : close))) return null;
  const text = renderedLine.trimStart();
  if (text === "") return null;
  const matches: TemplatePosition[] = [];
  for (const [sourceFile, lines] of sourceLines) {
    lines.forEach((line, index) => {
      if (line.trimStart() !== text || line.includes("{{")) return;
      const indentation = line.length - line.trimStart().length;
      const renderedIndentation = renderedLine.length - text.length;
      const within = Math.max(0, column - 1 - renderedIndentation);
      matches.push({ file: sourceFile, line: index + 1, column: indentation + within + 1 });
    });
  }
  return matches.length === 1 ? (matches[0] as TemplatePosition) : null;
}

function originColumn(
  origin: TemplatePosition,
  column: number,
  renderedLine: string | undefined,
  sourceLines: readonly string[] | undefined,
): number {
  const sourceLine = sourceLines?.[origin.line - 1];
  if (renderedLine === undefined || sourceLine === undefined) return origin.column;
  const before = Array.from(renderedLine)
    .slice(0, column - 1)
    .join("");
  const source = Array.from(sourceLine)
    .slice(origin.column - 1, origin.column - 1 + (column - 1))
    .join("");
  return before === source ? origin.column + column - 1 : origin.column;
}

/** `.Commit` as werf builds it: `Hash`, and `Date` with `Human` (Go's time.String()) and `Unix`. */
function commitValue(commit: HeadCommit): Map<string, GoValue> {
  const parsed = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.exec(commit.date);
  const milliseconds = Date.parse(commit.date);
  if (parsed === null || Number.isNaN(milliseconds)) {
    throw new Error(`the commit date "${commit.date}" is not ISO 8601 with an offset`);
  }
  const [, day, time, zone] = parsed as unknown as [string, string, string, string];
  const offset = zone === "Z" ? "+0000" : zone.replace(":", "");
  // Go prints a parsed numeric zone as its offset, and the host's zone name when the offsets agree:
  // "UTC" on the UTC hosts werf runs in CI, which stages takes as the rule.
  const human = `${day} ${time} ${offset} ${offset === "+0000" || offset === "-0000" ? "UTC" : offset}`;
  return new Map<string, GoValue>([
    ["Hash", commit.hash],
    [
      "Date",
      new Map<string, GoValue>([
        ["Human", human],
        ["Unix", String(Math.floor(milliseconds / 1000))],
      ]),
    ],
  ]);
}

/** `.Files` with werf's methods (werf's `files` type in pkg/config/parser.go). */
function filesObject(reader: ConfigFileReader, onRead: (path: string) => void): GoObject {
  const method =
    (name: string, body: (path: string, raw: string) => GoValue): GoFunction =>
    (args) => {
      expectArity(name, args, 1);
      const raw = stringArgument(args[0]);
      return body(projectPath(raw, name), raw);
    };
  return new GoObject(
    "files",
    {},
    {
      Get: method("Get", (path, raw) => {
        onRead(path);
        const content = reader.read(path);
        if (content === null) {
          throw new Error(
            `{{ .Files.Get ${JSON.stringify(raw)} }}: the file "${path}" not found in the project directory`,
          );
        }
        return content;
      }),
      Glob: method("Glob", (_path, raw) => glob(reader, raw, onRead)),
      Exists: method("Exists", (path) => {
        onRead(path);
        return reader.exists(path);
      }),
      IsDir: method("IsDir", (path) => {
        onRead(path);
        return reader.isDir(path);
      }),
    },
  );
}

/**
 * A path as werf joins it to the project directory (Go's filepath.Join: a leading "/" is the project's
 * too); one that leaves the project is refused rather than read.
 */
function projectPath(raw: string, method: string): string {
  const segments: string[] = [];
  for (const segment of raw.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment !== "..") segments.push(segment);
    else if (segments.pop() === undefined) {
      throw new Error(`{{ .Files.${method} ${JSON.stringify(raw)} }}: the path is outside the project directory`);
    }
  }
  return segments.join("/");
}

const globSpecial = /[*?[{\\]/;

/**
 * werf's `.Files.Glob`: path → content of the regular files the glob matches, with werf's path rules
 * (doublestar globs; a match of a directory, or of the glob without trailing wildcards, takes
 * everything below it). The walk starts at the glob's literal prefix, as werf's does.
 */
function glob(reader: ConfigFileReader, pattern: string, onRead: (path: string) => void): Map<string, GoValue> {
  const normalized = normalizePathPattern(pattern);
  const segments = normalized === "" ? [] : normalized.split("/");
  const literal = segments.findIndex((segment) => globSpecial.test(segment));
  const prefix = projectPath((literal === -1 ? segments : segments.slice(0, literal)).join("/"), "Glob");
  let matcher: (path: string) => boolean;
  try {
    matcher = compilePathPatterns([normalized]) ?? (() => true);
  } catch (error) {
    throw new Error(`{{ .Files.Glob ${JSON.stringify(pattern)} }}: ${(error as Error).message}`);
  }
  const candidates =
    prefix !== "" && reader.exists(prefix) && !reader.isDir(prefix)
      ? [prefix]
      : reader.isDir(prefix)
        ? reader.listFiles(prefix)
        : [];
  const result = new Map<string, GoValue>();
  for (const path of [...candidates].sort()) {
    if (!matcher(path)) continue;
    const content = reader.read(path);
    if (content === null) continue;
    onRead(path);
    result.set(path, content);
  }
  return result;
}
