import picomatch from "picomatch";

/** Tests a path relative to a mapping's `add` (POSIX separators, no leading slash). */
export type PathMatcher = (path: string) => boolean;

// werf's globs have no negation and no extglobs: "!" and "(...)" are plain characters there.
const globOptions = { dot: true, nonegate: true, noextglob: true, windows: false } as const;

/** Makes the characters picomatch would read as regex groups plain. */
function escapeGroups(pattern: string): string {
  return pattern.replace(/[()|]/g, "\\$&");
}

/**
 * Normalizes a pattern as werf reads it: relative to `add`, so a leading "/" or "./" and a trailing
 * "/" mean nothing; an empty pattern (or ".") names `add` itself and so matches everything.
 */
export function normalizePattern(pattern: string): string {
  let result = pattern.trim();
  while (result.startsWith("./")) result = result.slice(2);
  result = result.replace(/^\/+/, "").replace(/\/+$/, "");
  return result === "" || result === "." ? "**" : result;
}

/**
 * Compiles patterns with werf's semantics: a pattern matches a path when it matches the path itself
 * or any of its parent directories (`src` selects everything under `src/`), `*` stays inside one
 * directory, `**` crosses directories, `?`, `{a,b}` and `[abc]` work, dot files are not special, and
 * `!`, `(`, `)` and `|` are plain characters (no negation, no extglobs), as in werf.
 * Null when there are no patterns, so callers can skip matching altogether.
 */
export function compilePatterns(patterns: readonly string[]): PathMatcher | null {
  if (patterns.length === 0) return null;
  const literals: string[] = [];
  const sources: string[] = [];
  for (const raw of patterns) {
    const pattern = normalizePattern(raw);
    if (pattern === "**") return () => true;
    if (!picomatch.scan(pattern).isGlob && !pattern.includes("\\")) {
      literals.push(pattern);
      continue;
    }
    for (const glob of [pattern, `${pattern}/**`]) {
      sources.push(`(?:${picomatch.makeRe(escapeGroups(glob), globOptions).source})`);
    }
  }
  const regex = sources.length === 0 ? null : new RegExp(sources.join("|"));
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
 * The selection of a mapping: a path is selected when it matches an include pattern (or there are
 * none) and no exclude pattern; exclude wins. Null when every path is selected.
 */
export function compileSelection(includePaths: readonly string[], excludePaths: readonly string[]): PathMatcher | null {
  const include = compilePatterns(includePaths);
  const exclude = compilePatterns(excludePaths);
  if (include === null && exclude === null) return null;
  if (exclude === null) return include;
  if (include === null) return (path) => !exclude(path);
  return (path) => include(path) && !exclude(path);
}
