import { describe, expect, it } from "vitest";
import vectors from "../../test/vectors/go-template/fmt.json" with { type: "json" };
import { formatGoValue, sprintf } from "./format.js";
import { GoFloat, GoObject, type GoValue } from "./model.js";

describe("formatGoValue", () => {
  it("prints values as Go's %v", () => {
    expect(formatGoValue("x")).toBe("x");
    expect(formatGoValue(17)).toBe("17");
    expect(formatGoValue(null)).toBe("<nil>");
    expect(formatGoValue(true)).toBe("true");
    expect(formatGoValue(new GoFloat(3))).toBe("3");
    expect(formatGoValue(new GoFloat(1e6))).toBe("1e+06");
    expect(formatGoValue(new GoFloat(123456.5))).toBe("123456.5");
    expect(formatGoValue(new GoFloat(0.00001))).toBe("1e-05");
    expect(formatGoValue(new GoFloat(1.5e300))).toBe("1.5e+300");
    expect(formatGoValue(["a", 1, null])).toBe("[a 1 <nil>]");
    expect(
      formatGoValue(
        new Map<string, GoValue>([
          ["b", 2],
          ["a", [1]],
        ]),
      ),
    ).toBe("map[a:[1] b:2]");
    expect(formatGoValue(new GoObject("main.T", { A: 1, B: "x" }))).toBe("{1 x}");
  });
});

describe("sprintf", () => {
  const cases: [string, GoValue[], string][] = [
    ["%d", [42], "42"],
    ["%5d|%-5d|%05d", [42, 42, -42], "   42|42   |-0042"],
    ["%+d % d", [5, 5], "+5  5"],
    ["%x %X %#x %o %#o %O %b", [255, 255, 255, 8, 8, 8, 5], "ff FF 0xff 10 010 0o10 101"],
    ["%c %q %U %#U", [65, 65, 0x1f600, 65], "A 'A' U+1F600 U+0041 'A'"],
    ["%s|%10s|%-10s|%.2s", ["hello", "hi", "hi", "hello"], "hello|        hi|hi        |he"],
    ["%q %+q %#q", ['a"b', "é", "x"], '"a\\"b" "\\u00e9" `x`'],
    ["%x % x %X", ["hi", "hi", "hi"], "6869 68 69 6869"],
    ["%t %v", [true, false], "true false"],
    [
      "%f %.2f %e %E %g",
      [
        new GoFloat(2.71828),
        new GoFloat(2.71828),
        new GoFloat(1234.5678),
        new GoFloat(1234.5678),
        new GoFloat(1234.5678),
      ],
      "2.718280 2.72 1.234568e+03 1.234568E+03 1234.5678",
    ],
    [
      "%.3g %g %g %8.3f|%-8.3f|%08.3f",
      [
        new GoFloat(1234.5678),
        new GoFloat(1e21),
        new GoFloat(1e-7),
        new GoFloat(2.71828),
        new GoFloat(2.71828),
        new GoFloat(-2.71828),
      ],
      "1.23e+03 1e+21 1e-07    2.718|2.718   |-002.718",
    ],
    ["%d", ["x"], "%!d(string=x)"],
    ["%s", [5], "%!s(int=5)"],
    ["%d", [null], "%!d(<nil>)"],
    ["%d %d", [1], "1 %!d(MISSING)"],
    ["%d", [1, "a", 2], "1%!(EXTRA string=a, int=2)"],
    ["%!", [], "%!!(MISSING)"],
    ["%[3]d", [1], "%!d(BADINDEX)"],
    ["100%%", [], "100%"],
    ["%", [], "%!(NOVERB)"],
    ["%*d|%-*d", [4, 1, 4, 1], "   1|1   "],
    ["%[2]d %[1]d", [1, 2], "2 1"],
    ["%v %+v", [new GoObject("main.T", { A: 1 }), new GoObject("main.T", { A: 1 })], "{1} {A:1}"],
    ["%d", [[1, 2]], "[1 2]"],
    ["%q", [["a", "b"]], '["a" "b"]'],
    ["%T %T %T %T", [1, "s", new GoFloat(1), [1]], "int string float64 []interface {}"],
    ["%6.2f%%", [new GoFloat(99.5)], " 99.50%"],
  ];
  it.each(cases)("%s", (format, args, expected) => {
    expect(sprintf(format, args)).toBe(expected);
  });
});

type Described =
  | string
  | boolean
  | { int: number }
  | { float: number }
  | { nil: true }
  | { slice: Described[] }
  | { map: Record<string, Described> };

function toGoValue(described: Described): GoValue {
  if (typeof described === "string" || typeof described === "boolean") return described;
  if ("int" in described) return described.int;
  if ("float" in described) return new GoFloat(described.float);
  if ("nil" in described) return null;
  if ("slice" in described) return described.slice.map(toGoValue);
  return new Map(Object.entries(described.map).map(([key, value]) => [key, toGoValue(value)]));
}

interface FmtCase {
  format: string;
  args: Described[];
  output: string;
}

describe("Go's fmt.Sprintf over template values (fmt.json, outputs of Go itself)", () => {
  const skipped = vectors.skipped as Record<string, string>;
  const key = (testCase: FmtCase): string => `${testCase.format} ${JSON.stringify(testCase.args)}`;
  const cases = (vectors.cases as FmtCase[]).filter((testCase) => skipped[key(testCase)] === undefined);
  it("runs all but the listed ones", () => {
    expect(vectors.cases.length).toBe(1083);
    expect(cases.length).toBe(1083 - Object.keys(skipped).length);
  });
  it.each(cases.map((testCase) => [key(testCase), testCase] as const))("%s", (_name, testCase) => {
    expect(sprintf(testCase.format, testCase.args.map(toGoValue))).toBe(testCase.output);
  });
});
