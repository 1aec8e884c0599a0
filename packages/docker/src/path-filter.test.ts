import { describe, expect, it } from "vitest";
import { compilePatterns, compileSelection } from "./path-filter.js";

describe("compilePatterns", () => {
  it("matches a path or any of its parents", () => {
    const matcher = compilePatterns(["src"]);
    expect(matcher?.("src")).toBe(true);
    expect(matcher?.("src/a/b.ts")).toBe(true);
    expect(matcher?.("srcx/a.ts")).toBe(false);
  });

  it("keeps * inside a directory and lets ** cross them", () => {
    const star = compilePatterns(["*.md"]);
    expect(star?.("README.md")).toBe(true);
    expect(star?.("docs/a.md")).toBe(false);
    const globstar = compilePatterns(["**/*.md"]);
    expect(globstar?.("README.md")).toBe(true);
    expect(globstar?.("docs/deep/a.md")).toBe(true);
    expect(compilePatterns(["src/*.ts"])?.("src/lib/a.ts")).toBe(false);
  });

  it("supports braces, classes and dot files, and ignores leading ./ and /", () => {
    const matcher = compilePatterns(["{bin,lib}/[ab]*", "./.config/", "/package.json"]);
    expect(matcher?.("bin/alpha")).toBe(true);
    expect(matcher?.("lib/beta")).toBe(true);
    expect(matcher?.("lib/gamma")).toBe(false);
    expect(matcher?.(".config/x")).toBe(true);
    expect(matcher?.("package.json")).toBe(true);
  });

  it("is null without patterns and matches everything for '.' or ''", () => {
    expect(compilePatterns([])).toBeNull();
    expect(compilePatterns(["."])?.("any/thing")).toBe(true);
    expect(compilePatterns([""])?.("x")).toBe(true);
  });
});

describe("compileSelection", () => {
  it("selects included paths that no exclude pattern matches", () => {
    const selection = compileSelection(["bin", "lib"], ["**/*.md"]);
    expect(selection?.("bin/tool")).toBe(true);
    expect(selection?.("lib/README.md")).toBe(false);
    expect(selection?.("doc/guide.txt")).toBe(false);
    expect(compileSelection([], ["tmp"])?.("tmp/x")).toBe(false);
    expect(compileSelection([], ["tmp"])?.("src/x")).toBe(true);
    expect(compileSelection([], [])).toBeNull();
  });
});
