import { describe, expect, it } from "vitest";
import { compileGoRegexp } from "./go-regexp.js";

function matches(source: string, name: string): boolean {
  const compiled = compileGoRegexp(source);
  if (!compiled.ok) throw new Error(compiled.problem);
  return compiled.regexp.test(name);
}

function problem(source: string): string {
  const compiled = compileGoRegexp(source);
  return compiled.ok ? "(compiled)" : compiled.problem;
}

describe("compileGoRegexp", () => {
  it.each([
    [".*", "feature/x", true],
    ["main", "main", true],
    // The whole name must match, alternatives included (werf's ^main|master$ would match "main-old").
    ["main|master", "main-old", false],
    ["main|master", "master", true],
    ["feature/.*", "hotfix/feature/x", false],
    ["^(main|production)$", "production", true],
    // RE2-only forms, translated.
    ["feature/(?P<ticket>[A-Z]+-[0-9]+)", "feature/ABC-12", true],
    ["(?i)release-.*", "RELEASE-1", true],
    ["(?is)release", "Release", true],
    ["v[[:digit:]]+\\.[[:digit:]]+", "v1.20", true],
    ["v[[:digit:]]+", "vx", false],
    ["[[:^alpha:]]+", "123", true],
    ["[[:^alpha:]]+", "a1", false],
    ["\\Qv1.0+\\E", "v1.0+", true],
    ["\\Qv1.0+\\E", "v1x0+", false],
    ["\\Av1\\z", "v1", true],
    ["\\x{41}\\x42", "AB", true],
    ["[]a]+", "]a]", true],
    ["[^]a]", "b", true],
    ["release-\\d{1,3}", "release-100", true],
    ["a\\.b", "a.b", true],
    ["a\\.b", "axb", false],
    // Go escapes any ASCII character that is not a letter or digit to itself, "_" included.
    ["feature\\_\\-x\\/y", "feature_-x/y", true],
  ])("/%s/ matching %j is %s", (source, name, expected) => {
    expect(matches(source, name)).toBe(expected);
  });

  it.each([
    ["(?<=v)1", "lookbehind (?<= is not supported by Go regexps"],
    ["(?<!v)1", "lookbehind (?<! is not supported by Go regexps"],
    ["v(?=1)", "lookahead (?= is not supported by Go regexps"],
    ["v(?!1)", "lookahead (?! is not supported by Go regexps"],
    ["(a)\\1", "\\1: Go regexps have no backreferences; write the character itself instead of an octal escape"],
    ["(?P<x>a)(?P=x)", "(?P=: Go regexps have no backreferences or recursion"],
    ["(?<x>a)\\k<x>", "invalid escape \\k"],
    ["\\u0041", "invalid escape \\u"],
    ["\\cA", "invalid escape \\c"],
    ["[\\b]", "invalid escape \\b in a character class"],
    ["\\pL", "Unicode classes \\p are not supported by stages; write the characters as a class, e.g. [a-z]"],
    ["(?U)a+", "the ungreedy flag (?U) is not supported; write lazy repetitions (*?, +?)"],
    ["a(?i)b", "inline flags (?i) are supported only as (?i) at the start"],
    ["(?i:a)", "inline flags (?i: are supported only as (?i) at the start"],
    ["(?#note)", "unknown group syntax (?#"],
    ["[[:alpah:]]", "unknown POSIX class [:alpah:]"],
    ["[a[:^digit:]]", "a negated POSIX class [:^digit:] is supported only alone: [[:^digit:]]"],
    ["a{1001}", "invalid repeat count {1001}: Go allows at most 1000"],
    ["[abc", "missing closing ] of a character class"],
    ["abc\\", "trailing backslash at the end"],
    ["\\x{1F600}", "\\x{1F600}: characters beyond U+FFFF are not supported"],
    ["a**", "nothing to repeat"],
    ["(a", "unterminated group"],
  ])("refuses /%s/: %s", (source, expected) => {
    expect(problem(source)).toBe(expected);
  });
});
