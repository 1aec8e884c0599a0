import { describe, expect, it } from "vitest";
import { compileShellPattern, replaceMatches, ShellPatternError, trimPrefix, trimSuffix } from "./shell-pattern.js";

describe("shell patterns", () => {
  it("trims the shortest or longest match at either end", () => {
    expect(trimPrefix("*/", "a/b/c", false)).toBe("b/c");
    expect(trimPrefix("*/", "a/b/c", true)).toBe("c");
    expect(trimSuffix("/*", "a/b/c", false)).toBe("a/b");
    expect(trimSuffix("/*", "a/b/c", true)).toBe("a");
    expect(trimPrefix("x", "a/b", false)).toBe("a/b");
  });

  it("reads ? as one character but not a newline, \\ as an escape, the rest literally", () => {
    expect(trimPrefix("a?c", "abcd", false)).toBe("d");
    expect(trimPrefix("?", "\nx", false)).toBe("\nx");
    expect(trimPrefix("\\*", "*x", false)).toBe("x");
    expect(trimPrefix("a.(b)", "a.(b)c", false)).toBe("c");
    expect(trimSuffix("\\*b", "a*b", false)).toBe("a");
    expect(() => compileShellPattern("\\a", true, false)).toThrow(ShellPatternError);
    expect(() => compileShellPattern("a\\", true, false)).toThrow(ShellPatternError);
  });

  it("replaces like Go's regexp: $0 and $$ in a replace-all, literally for one", () => {
    const regex = compileShellPattern("a", true, false);
    expect(replaceMatches("banana", regex, "[$0$$]", true)).toBe("b[a$]n[a$]n[a$]");
    expect(replaceMatches("banana", regex, "[$0]", false)).toBe("b[$0]nana");
    expect(replaceMatches("ab", compileShellPattern("*", true, false), "y", true)).toBe("y");
    expect(replaceMatches("ab", compileShellPattern("", true, false), "-", true)).toBe("-a-b-");
  });
});
