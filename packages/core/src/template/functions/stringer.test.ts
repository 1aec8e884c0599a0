import { describe, expect, it } from "vitest";
import { formatGoValue, sprintf } from "../format.js";
import { createTemplateSet } from "../index.js";
import { GoObject } from "../model.js";
import { sprigFunctions } from "./sprig.js";

function render(text: string): string {
  const set = createTemplateSet(sprigFunctions());
  set.add({ file: "werf.yaml", text });
  return set.execute("werf.yaml", null).text;
}

// Go's fmt prints a fmt.Stringer through String() and an error through Error() for %v %s %q %x %X
// (not %#v, not %d), at any depth. Expected outputs are what Go 1.22 prints for the same values.
describe("Go's fmt over values with String and Error methods", () => {
  const stringer = new GoObject("main.S", { A: 1 }, { String: () => "str" });
  const failure = new GoObject("*errors.errorString", { s: "x" }, { Error: () => "boom", String: () => "str" });

  it("prints String() for %v %s %q %x and elements, the fields for %#v and %d", () => {
    expect(formatGoValue(stringer)).toBe("str");
    expect(
      sprintf("%v|%s|%q|%x|%X|%+v|%6s|%-6v|", [
        stringer,
        stringer,
        stringer,
        stringer,
        stringer,
        stringer,
        stringer,
        stringer,
      ]),
    ).toBe('str|str|"str"|737472|737472|str|   str|str   |');
    expect(formatGoValue([stringer, "a"])).toBe("[str a]");
    expect(sprintf("%d", [stringer])).toBe("{1}");
    expect(sprintf("%#v", [stringer])).toBe("main.S{A:1}");
    expect(sprintf("%T", [stringer])).toBe("main.S");
  });

  it("prefers Error() over String(), as Go's type switch", () => {
    expect(formatGoValue(failure)).toBe("boom");
  });

  it("prints a semver through its String (normalized, without the v)", () => {
    expect(render('{{ semver "1.2.3" }}')).toBe("1.2.3");
    expect(render('{{ semver "v1.2.3-beta.1+c0ff33" }}')).toBe("1.2.3-beta.1+c0ff33");
    expect(render('{{ list (semver "1.2") }} {{ printf "%q" (semver "1.0.0") }}')).toBe('[1.2.0] "1.0.0"');
    expect(render('{{ semver "1.2.3" | toString }}-{{ cat (semver "2.0.0") "x" }}')).toBe("1.2.3-2.0.0 x");
  });

  it("prints a time as Go's Time.String: now with its monotonic reading, a parsed time without", () => {
    expect(render('{{ toDate "2006-01-02" "2024-05-06" }}')).toBe("2024-05-06 00:00:00 +0000 UTC");
    expect(render('{{ toDate "2006-01-02 15:04:05.000" "2024-05-06 07:08:09.120" }}')).toBe(
      "2024-05-06 07:08:09.12 +0000 UTC",
    );
    expect(render("{{ now }}")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})? \+0000 UTC m=\+\d+\.\d{9}$/);
    expect(render("{{ now.UTC }}")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})? \+0000 UTC$/);
    // An hour later on both clocks (the monotonic one counts from when the functions were loaded).
    const [, before = "", after = ""] =
      /m=\+(\S+)\|.* m=\+(\S+)$/.exec(render('{{ now }}|{{ dateModify "1h" now }}')) ?? [];
    expect(Number(after) - Number(before)).toBeGreaterThanOrEqual(3600);
    expect(Number(after) - Number(before)).toBeLessThan(3601);
  });

  it("formats now with date", () => {
    const today = new Date().toISOString().slice(0, 10);
    const rendered = render('{{ now | date "2006-01-02" }}');
    // Around midnight the day may turn between the two readings.
    expect([today, new Date().toISOString().slice(0, 10)]).toContain(rendered);
  });
});
