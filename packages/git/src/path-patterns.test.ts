import { describe, expect, it } from "vitest";
import { compilePatterns, compileSelection, normalizePattern } from "./path-patterns.js";

function matches(patterns: string[], path: string): boolean {
  const matcher = compilePatterns(patterns);
  if (matcher === null) throw new Error("no matcher");
  return matcher(path);
}

describe("compilePatterns", () => {
  it("is null without patterns, so callers skip matching", () => {
    expect(compilePatterns([])).toBeNull();
    expect(compileSelection([], [])).toBeNull();
  });

  it("matches a literal path and everything below it, and nothing else", () => {
    expect(matches(["src"], "src")).toBe(true);
    expect(matches(["src"], "src/a/b.ts")).toBe(true);
    expect(matches(["src"], "src2/a.ts")).toBe(false);
    expect(matches(["src"], "src.ts")).toBe(false);
    expect(matches(["src/a"], "src")).toBe(false);
  });

  it("matches a glob against the path or any parent directory", () => {
    expect(matches(["*.md"], "a.md")).toBe(true);
    expect(matches(["*.md"], "dir/a.md")).toBe(false);
    expect(matches(["*.d"], "x.d/y/z.ts")).toBe(true);
    expect(matches(["**/*.md"], "a.md")).toBe(true);
    expect(matches(["**/*.md"], "x/y/a.md")).toBe(true);
    expect(matches(["src/*/index.ts"], "src/a/index.ts")).toBe(true);
    expect(matches(["src/*/index.ts"], "src/a/b/index.ts")).toBe(false);
    expect(matches(["src/**/index.ts"], "src/a/b/index.ts")).toBe(true);
    expect(matches(["{a,b}/*.ts"], "b/x.ts")).toBe(true);
    expect(matches(["[ab].ts"], "c.ts")).toBe(false);
    expect(matches(["?.ts"], "a.ts")).toBe(true);
  });

  it("has no negation and no extglobs: ! ( ) | are plain characters", () => {
    expect(matches(["!*.md"], "a.md")).toBe(false);
    expect(matches(["!*.md"], "!a.md")).toBe(true);
    expect(matches(["*(x).ts"], "y(x).ts")).toBe(true);
    expect(matches(["a(b)*"], "ab")).toBe(false);
    expect(matches(["+(a)/*"], "+(a)/b")).toBe(true);
    expect(matches(["a|b*"], "a")).toBe(false);
  });

  it("treats dot files like others", () => {
    expect(matches(["*"], ".env")).toBe(true);
    expect(matches(["**/*.json"], ".config/x.json")).toBe(true);
  });

  it("ignores leading ./ and / and trailing / and takes an empty pattern for everything", () => {
    expect(normalizePattern("./src/")).toBe("src");
    expect(normalizePattern("/src")).toBe("src");
    expect(normalizePattern("")).toBe("**");
    expect(normalizePattern(".")).toBe("**");
    expect(matches(["/src/"], "src/a.ts")).toBe(true);
    expect(matches([""], "any/thing")).toBe(true);
  });

  it("combines literal and glob patterns", () => {
    const matcher = compilePatterns(["package.json", "src/**/*.ts"]);
    expect(matcher?.("package.json")).toBe(true);
    expect(matcher?.("src/x/y.ts")).toBe(true);
    expect(matcher?.("src/x/y.js")).toBe(false);
  });
});

describe("compileSelection", () => {
  it("lets exclude win over include", () => {
    const selection = compileSelection(["src"], ["src/generated", "**/*.snap"]);
    expect(selection?.("src/a.ts")).toBe(true);
    expect(selection?.("src/generated/a.ts")).toBe(false);
    expect(selection?.("src/a.snap")).toBe(false);
    expect(selection?.("lib/a.ts")).toBe(false);
  });

  it("selects everything not excluded when there is no include", () => {
    const selection = compileSelection([], ["docs"]);
    expect(selection?.("src/a.ts")).toBe(true);
    expect(selection?.("docs/a.md")).toBe(false);
  });
});
