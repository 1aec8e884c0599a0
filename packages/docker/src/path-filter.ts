import picomatch from "picomatch";

/** Tests a path relative to an `add` (POSIX separators, no leading slash; "" is `add` itself). */
export type PathMatcher = (path: string) => boolean;

const globOptions = { dot: true, windows: false } as const;

/** A pattern relative to `add`: a leading "/" or "./" and a trailing "/" mean nothing; "" or "." is everything. */
function normalizePattern(pattern: string): string {
  let result = pattern.trim();
  while (result.startsWith("./")) result = result.slice(2);
  result = result.replace(/^\/+/, "").replace(/\/+$/, "");
  return result === "" || result === "." ? "**" : result;
}

/**
 * Compiles include or exclude patterns with werf's semantics (the same as @stages/git's): a pattern
 * matches a path when it matches the path or one of its parent directories (`src` selects all of
 * `src/`), `*` stays in one directory, `**` crosses them, `{a,b}` and `[abc]` work, dot files are
 * not special. Null when there are no patterns.
 */
export function compilePatterns(patterns: readonly string[]): PathMatcher | null {
  if (patterns.length === 0) return null;
  const sources: string[] = [];
  for (const raw of patterns) {
    const pattern = normalizePattern(raw);
    if (pattern === "**") return () => true;
    for (const glob of [pattern, `${pattern}/**`]) {
      sources.push(`(?:${picomatch.makeRe(glob, globOptions).source})`);
    }
  }
  const regex = new RegExp(sources.join("|"));
  return (path) => regex.test(path);
}

/**
 * The selection of include and exclude patterns: a path is selected when it matches an include
 * pattern (or there are none) and no exclude pattern. Null when everything is selected.
 */
export function compileSelection(includePaths: readonly string[], excludePaths: readonly string[]): PathMatcher | null {
  const include = compilePatterns(includePaths);
  const exclude = compilePatterns(excludePaths);
  if (include === null && exclude === null) return null;
  if (exclude === null) return include;
  if (include === null) return (path) => !exclude(path);
  return (path) => include(path) && !exclude(path);
}
