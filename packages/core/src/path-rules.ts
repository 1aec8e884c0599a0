import { UsageError } from "./errors.js";

/**
 * werf's include/exclude path rules (git `includePaths`/`excludePaths`/`stageDependencies`, import
 * `includePaths`/`excludePaths`), written once for every adapter: what git hashes, what the builder
 * copies and what the test doubles select must never disagree.
 *
 * Globs follow github.com/bmatcuk/doublestar, which werf uses: `*` is any run of characters but `/`
 * (dot files included), `?` one character but `/`, `[abc]`, `[a-z]`, `[!a]`/`[^a]` one character of
 * (or not of) a class, `{a,b}` alternatives (nested too), `\` escapes the next character, `**` as a
 * whole segment is any number of directories (elsewhere it is `*`). Nothing else is special: `!` is
 * no negation and `(`, `)`, `|`, `+`, `@` are no extglobs, so they match themselves.
 *
 * Written here rather than taken from picomatch: picomatch is CommonJS that probes `process.platform`
 * (core must run in a browser or worker), and it would need options and escaping to unlearn its
 * negation, extglobs and `.`/`..` rules; doublestar's grammar fits in this file.
 */

/** Tests a path relative to a mapping's `add` (POSIX separators, no leading slash; "" is `add` itself). */
export type PathMatcher = (path: string) => boolean;

/**
 * Normalizes a pattern as werf reads it (`filepath.Clean`): relative to `add`, so leading "./" and
 * "/", "/./", doubled and trailing slashes mean nothing; "" and "." name `add` itself, i.e. everything.
 * werf refuses absolute patterns in the config; stages reads a leading "/" as `add`, as it always did.
 */
export function normalizePathPattern(pattern: string): string {
  let result = pattern.trim().replace(/\/{2,}/g, "/");
  while (result.includes("/./")) result = result.replace("/./", "/");
  while (result.startsWith("./")) result = result.slice(2);
  result = result.replace(/^\/+/, "").replace(/\/\.$/, "").replace(/\/+$/, "");
  return result === "." ? "" : result;
}

/** Why `pattern` is not a glob werf accepts (an unclosed `[` or `{`, an empty class, a trailing `\`), or null. */
export function pathPatternProblem(pattern: string): string | null {
  try {
    for (const expanded of expandAlternatives(normalizePathPattern(pattern))) globSource(expanded);
    return null;
  } catch (error) {
    if (error instanceof PatternSyntax) return error.message;
    throw error;
  }
}

/**
 * Compiles patterns with werf's rules: a path matches when it, or one of its parent directories,
 * matches a pattern — a pattern naming a directory takes everything below it (werf's docs: "if some
 * directory matches a mask, then all the contents of that directory are considered to be matching
 * recursively"). As werf's `isPathMatched` does, a pattern also matches as its stem without trailing
 * wildcards and slashes (`src/*`, `src/**` and `src/*\/*` all take `src` and everything below it); a
 * pattern that is nothing but wildcards (`**`, `*`, `**\/*`), "" or "." matches every path.
 * Null when there are no patterns, so callers can skip matching altogether.
 * Throws UsageError for a pattern that is no glob (see `pathPatternProblem`); the config rejects those first.
 */
export function compilePathPatterns(patterns: readonly string[]): PathMatcher | null {
  if (patterns.length === 0) return null;
  const literals: string[] = [];
  const sources: string[] = [];
  for (const raw of patterns) {
    const pattern = normalizePathPattern(raw);
    const stem = trimTrailingWildcards(pattern);
    if (stem === "") return () => true;
    for (const glob of stem === pattern ? [pattern] : [pattern, stem]) {
      if (!/[*?[{\\]/.test(glob)) {
        literals.push(glob);
        continue;
      }
      for (const expanded of expandAlternatives(glob, raw)) sources.push(globSource(expanded, raw));
    }
  }
  // The glob, or a parent directory of the path, matches: the rest of the path is below it.
  const regex = sources.length === 0 ? null : new RegExp(`^(?:${sources.join("|")})(?:/.*)?$`, "s");
  return (path) => {
    for (const literal of literals) {
      if (path.startsWith(literal) && (path.length === literal.length || path.charCodeAt(literal.length) === 47)) {
        return true;
      }
    }
    return regex?.test(path) === true;
  };
}

/**
 * The literal beginnings of `patterns`: every path one of them matches starts with one of these
 * strings (a pattern's text before its first wildcard, class, brace or escape, after trimming its
 * trailing wildcards as for its stem). Null when some pattern starts with one: it may match any
 * path. A caller holding paths sorted by their bytes looks at the paths under these only.
 */
export function pathPatternsPrefixes(patterns: readonly string[]): string[] | null {
  const prefixes: string[] = [];
  for (const raw of patterns) {
    const stem = trimTrailingWildcards(normalizePathPattern(raw));
    const special = stem.search(/[*?[{\\]/);
    const prefix = special < 0 ? stem : stem.slice(0, special);
    if (prefix === "") return null;
    prefixes.push(prefix);
  }
  return prefixes;
}

/**
 * The selection of a mapping or import: a path is selected when it matches an include pattern (or
 * there are none) and no exclude pattern; exclude wins. Null when every path is selected.
 */
export function compilePathSelection(
  includePaths: readonly string[],
  excludePaths: readonly string[],
): PathMatcher | null {
  const include = compilePathPatterns(includePaths);
  const exclude = compilePathPatterns(excludePaths);
  if (include === null && exclude === null) return null;
  if (exclude === null) return include;
  if (include === null) return (path) => !exclude(path);
  return (path) => include(path) && !exclude(path);
}

/**
 * The files a stage's `stageDependencies` globs watch in a mapping: selected by the mapping's
 * include/exclude paths and matched by one of `globs` (werf: "only files that match the includePaths
 * filter and the stageDependencies masks", and never an excluded one). No globs watch nothing.
 */
export function compileStageDependencies(
  mapping: { readonly includePaths: readonly string[]; readonly excludePaths: readonly string[] },
  globs: readonly string[],
): PathMatcher {
  const watched = compilePathPatterns(globs);
  if (watched === null) return () => false;
  const selection = compilePathSelection(mapping.includePaths, mapping.excludePaths);
  return selection === null ? watched : (path) => selection(path) && watched(path);
}

class PatternSyntax extends Error {}

function fail(problem: string, raw: string | undefined): never {
  if (raw === undefined) throw new PatternSyntax(problem);
  throw new UsageError(`invalid path pattern "${raw}": ${problem}`, {
    hint: "escape a literal [ { or \\ with a backslash, e.g. \\[ (werf's globs are doublestar's)",
  });
}

/** werf matches a pattern as its stem too: trailing unescaped `*` and `/` removed ("path/*\/dir/**\/*" → "path/*\/dir"). */
function trimTrailingWildcards(pattern: string): string {
  let end = pattern.length;
  while (end > 0 && (pattern[end - 1] === "*" || pattern[end - 1] === "/")) {
    let backslashes = 0;
    while (end - 2 - backslashes >= 0 && pattern[end - 2 - backslashes] === "\\") backslashes++;
    if (backslashes % 2 === 1) break;
    end--;
  }
  return pattern.slice(0, end);
}

/** Expands `{a,b}` alternatives (nested, escapes kept for the compiler) into brace-free globs, as doublestar tries them. */
function expandAlternatives(pattern: string, raw?: string): string[] {
  let open = -1;
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index];
    if (character === "\\") index++;
    else if (character === "{") {
      open = index;
      break;
    }
  }
  if (open === -1) return [pattern];
  const parts: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let index = open + 1; index < pattern.length; index++) {
    const character = pattern[index];
    if (character === "\\") index++;
    else if (character === "{") depth++;
    else if (character === "}" && depth > 0) depth--;
    else if (character === "," && depth === 0) {
      parts.push(pattern.slice(start, index));
      start = index + 1;
    } else if (character === "}") {
      parts.push(pattern.slice(start, index));
      const before = pattern.slice(0, open);
      const after = pattern.slice(index + 1);
      return parts.flatMap((part) => expandAlternatives(`${before}${part}${after}`, raw));
    }
  }
  return fail("a { has no closing }", raw);
}

const regexSpecial = /[.*+?^${}()|[\]\\/]/g;

function literal(character: string): string {
  return character.replace(regexSpecial, "\\$&");
}

/** A brace-free doublestar glob as a regular expression source (unanchored). */
function globSource(glob: string, raw?: string): string {
  let source = "";
  let startOfSegment = true;
  let index = 0;
  while (index < glob.length) {
    const character = glob[index] as string;
    if (character === "*") {
      let end = index;
      while (glob[end] === "*") end++;
      const segmentEnds = end === glob.length || glob[end] === "/";
      if (startOfSegment && end - index >= 2 && segmentEnds) {
        if (end === glob.length) {
          // Trailing `/**`: the directory itself and everything below it; `**` alone: every path.
          source = source.endsWith("\\/") ? `${source.slice(0, -2)}(?:/.*)?` : `${source}.*`;
          return source;
        }
        source += "(?:[^/]+/)*";
        index = end + 1;
        startOfSegment = true;
        continue;
      }
      source += "[^/]*";
      index = end;
      startOfSegment = false;
      continue;
    }
    if (character === "?") {
      source += "[^/]";
    } else if (character === "[") {
      const [classSource, next] = classAt(glob, index, raw);
      source += classSource;
      index = next;
      startOfSegment = false;
      continue;
    } else if (character === "\\") {
      const escaped = glob[index + 1];
      if (escaped === undefined) return fail("it ends with a lone \\", raw);
      source += literal(escaped);
      index += 2;
      startOfSegment = false;
      continue;
    } else {
      source += literal(character);
    }
    startOfSegment = character === "/";
    index++;
  }
  return source;
}

/** A `[...]` class at `start`: its source (never matching `/`) and the index after its `]`. */
function classAt(glob: string, start: number, raw: string | undefined): [string, number] {
  let index = start + 1;
  const negated = glob[index] === "!" || glob[index] === "^";
  if (negated) index++;
  if (glob[index] === "]" || index >= glob.length) return fail("a [ class is empty or has no closing ]", raw);
  let body = "";
  while (index < glob.length && glob[index] !== "]") {
    let character = glob[index] as string;
    const escaped = character === "\\";
    if (escaped) {
      index++;
      character = glob[index] ?? "";
      if (character === "") break;
    }
    const range = !escaped && character === "-" && body !== "" && glob[index + 1] !== "]";
    body += range ? "-" : character.replace(/[\\\]^[-]/g, "\\$&");
    index++;
  }
  if (glob[index] !== "]") return fail("a [ class has no closing ]", raw);
  return [negated ? `[^/${body}]` : `(?!/)[${body}]`, index + 1];
}
