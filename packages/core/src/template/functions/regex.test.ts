import { describe, expect, it } from "vitest";
import { formatGoValue } from "../format.js";
import type { GoValue } from "../model.js";
import { callFunction } from "./test-support.js";

const printed = (name: string, args: GoValue[]) => formatGoValue(callFunction(name, args));
const email = "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}";

// Vectors from Sprig v3.2.3's regex_test.go and Go's regexp documentation.
describe("Sprig regex functions", () => {
  it.each<[string, GoValue[], string]>([
    ["regexMatch", [email, "test@acme.com"], "true"],
    ["regexMatch", [email, "Test@Acme.Com"], "true"],
    ["regexMatch", [email, "test"], "false"],
    ["regexMatch", [email, "test@acme"], "false"],
    ["regexMatch", ["^v[0-9]+$", "v12"], "true"],
    ["regexMatch", ["(?i)^MAIN$", "main"], "true"],
    ["regexMatch", ["[[:digit:]]+", "abc123"], "true"],
    ["regexFindAll", ["a{2}", "aa", -1], "[aa]"],
    ["regexFindAll", ["a{2}", "aaaaaaaa", 1], "[aa]"],
    ["regexFindAll", ["a{2}", "aaaa", -1], "[aa aa]"],
    ["regexFindAll", ["a{2}", "none", -1], "[]"],
    ["regexFindAll", ["a*", "baaab", -1], "[ aaa ]"],
    ["regexFind", ["fo.?", "foorbar"], "foo"],
    ["regexFind", ["fo.?", "foo foe fome"], "foo"],
    ["regexFind", ["fo.?", "none"], ""],
    ["regexReplaceAll", ["a(x*)b", "-ab-axxb-", "T"], "-T-T-"],
    ["regexReplaceAll", ["a(x*)b", "-ab-axxb-", "$1"], "--xx-"],
    ["regexReplaceAll", ["a(x*)b", "-ab-axxb-", "$1W"], "---"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's replacement syntax, not a JavaScript template
    ["regexReplaceAll", ["a(x*)b", "-ab-axxb-", "${1}W"], "-W-xxW-"],
    ["regexReplaceAll", ["a(?P<x>x*)b", "-ab-axxb-", "[$x]"], "-[]-[xx]-"],
    ["regexReplaceAll", ["a", "banana", "$$"], "b$n$n$"],
    ["regexReplaceAll", ["x*", "abc", "-"], "-a-b-c-"],
    ["regexReplaceAllLiteral", ["a(x*)b", "-ab-axxb-", "T"], "-T-T-"],
    ["regexReplaceAllLiteral", ["a(x*)b", "-ab-axxb-", "$1"], "-$1-$1-"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's replacement syntax, not a JavaScript template
    ["regexReplaceAllLiteral", ["a(x*)b", "-ab-axxb-", "${1}"], "-${1}-${1}-"],
    ["regexSplit", ["z+", "pizza", -1], "[pi a]"],
    ["regexSplit", ["z+", "pizza", 0], "[]"],
    ["regexSplit", ["z+", "pizza", 1], "[pizza]"],
    ["regexSplit", ["z+", "pizza", 2], "[pi a]"],
    ["regexSplit", ["a*", "abaabaccadaaae", 5], "[ b b c cadaaae]"],
    ["regexSplit", ["", "abc", -1], "[a b c]"],
    ["regexSplit", ["/", "foo/bar/baz", -1], "[foo bar baz]"],
    ["regexQuoteMeta", ["1.5-2.0?"], "1\\.5-2\\.0\\?"],
  ])("%s %j", (name, args, expected) => {
    expect(printed(name, args)).toBe(expected);
  });

  it("reads (?s) and (?m) in a text, which cleanup names never need", () => {
    expect(callFunction("regexMatch", ["(?s)a.b", "a\nb"])).toBe(true);
    expect(callFunction("regexMatch", ["a.b", "a\nb"])).toBe(false);
    expect(callFunction("regexFindAll", ["(?m)^x", "x\nx", -1])).toEqual(["x", "x"]);
  });

  it("fails on a bad pattern as Go's MustCompile, except regexMatch", () => {
    expect(callFunction("regexMatch", ["a(", "a"])).toBe(false);
    expect(() => callFunction("mustRegexMatch", ["a(", "a"])).toThrow(/^error parsing regexp: /);
    expect(() => callFunction("regexReplaceAll", ["(?=a)", "a", "b"])).toThrow("lookahead");
  });
});
