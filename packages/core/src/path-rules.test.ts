import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import {
  compilePathPatterns,
  compilePathSelection,
  compileStageDependencies,
  normalizePathPattern,
  pathPatternProblem,
  pathPatternsPrefixes,
} from "./path-rules.js";

// One row: patterns, path, whether the path matches. Every rule and edge case of werf's globs
// (doublestar's grammar, werf's path_matcher) is asserted here, once, for git, docker and testkit.
const patternCases: ReadonlyArray<readonly [string, readonly string[], string, boolean]> = [
  // A pattern naming a directory takes everything below it, and nothing beside it.
  ["directory itself", ["src"], "src", true],
  ["directory below", ["src"], "src/a/b.ts", true],
  ["directory sibling prefix", ["src"], "src2/a.ts", false],
  ["directory file prefix", ["src"], "src.ts", false],
  ["deeper pattern, shallower path", ["src/a"], "src", false],
  ["file pattern", ["src/index.ts"], "src/index.ts", true],
  // `*` stays inside one segment; `**` crosses segments only as a whole segment.
  ["* at the top", ["*.md"], "a.md", true],
  ["* does not cross /", ["*.md"], "dir/a.md", false],
  ["* in a directory", ["src/*.ts"], "src/lib/a.ts", false],
  ["* between segments", ["src/*/index.ts"], "src/a/index.ts", true],
  ["* between segments, deeper", ["src/*/index.ts"], "src/a/b/index.ts", false],
  ["** at the top, no directory", ["**/*.md"], "a.md", true],
  ["** at the top, directories", ["**/*.md"], "x/y/a.md", true],
  ["** in the middle, none", ["src/**/index.ts"], "src/index.ts", true],
  ["** in the middle, several", ["src/**/index.ts"], "src/a/b/index.ts", true],
  ["** glued to a name is *", ["src/**.ts"], "src/a/b.ts", false],
  ["** glued to a name, one segment", ["src/**.ts"], "src/b.ts", true],
  ["trailing /** takes the directory", ["src/**"], "src", true],
  ["trailing /** takes everything below", ["src/**"], "src/a/b", true],
  ["trailing /** no sibling", ["src/**"], "srcx/a", false],
  // A glob matching a parent directory takes the path below it.
  ["glob on a parent directory", ["*.d"], "x.d/y/z.ts", true],
  ["glob on a parent, prefix only", ["src/a*"], "src/abc/x", true],
  // werf's stem rule: trailing wildcards and slashes trimmed also match.
  ["stem of dir/*", ["src/*"], "src", true],
  ["stem of a/*/*", ["a/*/*"], "a/x", true],
  ["stem of a/*/*.md is no stem", ["a/*/*.md"], "a/x", false],
  ["escaped trailing * is no wildcard", ["a\\*"], "a", false],
  ["escaped trailing * is literal", ["a\\*"], "a*", true],
  // Every path for "", ".", and patterns of wildcards only.
  ["empty pattern", [""], "any/thing", true],
  ["dot pattern", ["."], "any/thing", true],
  ["** alone", ["**"], "a/b/c", true],
  ["* alone takes subdirectories", ["*"], "a/b/c", true],
  ["**/* alone", ["**/*"], ".x/y", true],
  // ?, classes, alternatives and escapes.
  ["? one character", ["?.ts"], "a.ts", true],
  ["? not two", ["?.ts"], "ab.ts", false],
  ["? not /", ["a?b"], "a/b", false],
  ["class", ["[ab].ts"], "b.ts", true],
  ["class miss", ["[ab].ts"], "c.ts", false],
  ["class range", ["v[0-9]"], "v7", true],
  ["class negated with !", ["[!a].ts"], "b.ts", true],
  ["class negated with ! miss", ["[!a].ts"], "a.ts", false],
  ["class negated with ^", ["[^a].ts"], "a.ts", false],
  ["negated class never /", ["a[!x]b"], "a/b", false],
  ["class with escaped ]", ["[\\]]"], "]", true],
  ["class with literal -", ["[a-]"], "-", true],
  ["alternatives", ["{a,b}/*.ts"], "b/x.ts", true],
  ["alternatives miss", ["{a,b}/*.ts"], "c/x.ts", false],
  ["nested alternatives", ["{a,b{c,d}}.ts"], "bd.ts", true],
  ["alternatives with /", ["{lib/x,bin}"], "lib/x/y", true],
  ["alternatives and stem", ["{bin,lib}/[ab]*"], "lib/gamma", false],
  ["escaped metacharacter", ["\\[x\\].ts"], "[x].ts", true],
  ["escaped star", ["a\\*b"], "axb", false],
  // No negation and no extglobs: ! ( ) | + @ are plain characters, as in doublestar.
  ["! is no negation", ["!*.md"], "a.md", false],
  ["! is a character", ["!*.md"], "!a.md", true],
  ["*( is no extglob", ["*(x).ts"], "y(x).ts", true],
  ["( is a character", ["a(b)*"], "ab", false],
  ["+( is a character", ["+(a)/*"], "+(a)/b", true],
  ["| is a character", ["a|b*"], "a", false],
  ["@( is a character", ["@(a)"], "@(a)", true],
  // Dot files are files like others.
  ["* takes a dot file", ["*"], ".env", true],
  ["** takes a dot directory", ["**/*.json"], ".config/x.json", true],
  ["* takes a dot file in a directory", ["src/*"], "src/.hidden", true],
  // How a pattern is written: leading ./ and /, trailing /, doubled / and /./ mean nothing.
  ["leading / and trailing /", ["/src/"], "src/a.ts", true],
  ["leading ./", ["./.config/"], ".config/x", true],
  ["doubled /", ["a//b"], "a/b", true],
  ["inner /./", ["a/./b"], "a/b/c", true],
  // Several patterns: any of them.
  ["literal and glob, literal", ["package.json", "src/**/*.ts"], "package.json", true],
  ["literal and glob, glob", ["package.json", "src/**/*.ts"], "src/x/y.ts", true],
  ["literal and glob, neither", ["package.json", "src/**/*.ts"], "src/x/y.js", false],
];

describe("compilePathPatterns", () => {
  it.each(patternCases)("%s: %j against %s is %s", (_name, patterns, path, expected) => {
    const matcher = compilePathPatterns(patterns);
    if (matcher === null) throw new Error("no matcher");
    expect(matcher(path)).toBe(expected);
  });

  it("is null without patterns, so callers skip matching", () => {
    expect(compilePathPatterns([])).toBeNull();
  });

  it("refuses what is no glob, saying what is wrong", () => {
    for (const pattern of ["src/[ab", "{a,b", "a\\", "[]", "[!]"]) {
      expect(() => compilePathPatterns([pattern]), pattern).toThrowError(UsageError);
      expect(pathPatternProblem(pattern), pattern).not.toBeNull();
    }
    expect(() => compilePathPatterns(["src/[ab"])).toThrow(/invalid path pattern "src\/\[ab": a \[ class/);
    for (const pattern of ["src", "**/*.md", "{a,b}", "\\[x", "a}", "a,b", "(x)", "!x"]) {
      expect(pathPatternProblem(pattern), pattern).toBeNull();
    }
  });
});

describe("pathPatternsPrefixes", () => {
  it("gives each pattern's literal beginning, or null when one may match any path", () => {
    expect(pathPatternsPrefixes(["pkg000/**"])).toEqual(["pkg000"]);
    expect(pathPatternsPrefixes(["./src/lib/*.ts", "/package.json"])).toEqual(["src/lib/", "package.json"]);
    expect(pathPatternsPrefixes(["src/{a,b}/x", "a\\*b", "docs/"])).toEqual(["src/", "a", "docs"]);
    expect(pathPatternsPrefixes(["src/**", "**/*.md"])).toBeNull();
    expect(pathPatternsPrefixes(["*"])).toBeNull();
    expect(pathPatternsPrefixes([])).toEqual([]);
  });

  it.each(patternCases.filter((row) => row[3]))("%s: %s starts with a prefix of %j", (_name, patterns, path) => {
    const prefixes = pathPatternsPrefixes(patterns);
    if (prefixes !== null) expect(prefixes.some((prefix) => path.startsWith(prefix))).toBe(true);
  });
});

describe("normalizePathPattern", () => {
  it.each([
    ["./src/", "src"],
    ["/src", "src"],
    ["", ""],
    [".", ""],
    ["./", ""],
    [" src ", "src"],
    ["a//b///", "a/b"],
    ["a/./b/.", "a/b"],
  ])("%j is %j", (pattern, expected) => {
    expect(normalizePathPattern(pattern)).toBe(expected);
  });
});

describe("compilePathSelection", () => {
  const selectionCases: ReadonlyArray<readonly [string, readonly string[], readonly string[], string, boolean]> = [
    ["included", ["src"], ["src/generated", "**/*.snap"], "src/a.ts", true],
    ["exclude wins over include", ["src"], ["src/generated", "**/*.snap"], "src/generated/a.ts", false],
    ["excluded by a glob", ["src"], ["src/generated", "**/*.snap"], "src/a.snap", false],
    ["not included", ["src"], ["src/generated", "**/*.snap"], "lib/a.ts", false],
    ["no include: everything not excluded", [], ["docs"], "src/a.ts", true],
    ["no include: excluded directory", [], ["docs"], "docs/a.md", false],
    ["include of several directories", ["bin", "lib"], ["**/*.md"], "bin/tool", true],
    ["excluded file in an included directory", ["bin", "lib"], ["**/*.md"], "lib/README.md", false],
    ["outside the included directories", ["bin", "lib"], ["**/*.md"], "doc/guide.txt", false],
    ["exclude of everything", ["src"], ["**"], "src/a.ts", false],
  ];
  it.each(selectionCases)("%s: include %j exclude %j, %s is %s", (_name, include, exclude, path, expected) => {
    expect(compilePathSelection(include, exclude)?.(path)).toBe(expected);
  });

  it("is null when everything is selected", () => {
    expect(compilePathSelection([], [])).toBeNull();
  });
});

describe("compileStageDependencies", () => {
  const mapping = { includePaths: ["app", "package.json"], excludePaths: ["app/tmp"] };
  it.each([
    ["watched and selected", ["**/*.json"], "package.json", true],
    ["watched and selected, below", ["app"], "app/src/a.ts", true],
    ["watched but not included", ["**/*"], "docs/a.md", false],
    ["watched but excluded", ["app"], "app/tmp/cache", false],
    ["selected but not watched", ["*.json"], "app/a.ts", false],
    ["no globs watch nothing", [], "package.json", false],
  ] as const)("%s: %j, %s is %s", (_name, globs, path, expected) => {
    expect(compileStageDependencies(mapping, globs)(path)).toBe(expected);
  });

  it("watches every selected file for ** without include or exclude", () => {
    expect(compileStageDependencies({ includePaths: [], excludePaths: [] }, ["**/*"])("x/y")).toBe(true);
  });
});
