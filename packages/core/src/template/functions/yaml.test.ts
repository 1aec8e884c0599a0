import { describe, expect, it } from "vitest";
import { formatGoValue } from "../format.js";
import { GoFloat, GoObject, type GoValue } from "../model.js";
import { callFunction } from "./test-support.js";
import { compareYamlKeys, marshalYaml, parseYamlMap } from "./yaml.js";

const dict = (...entries: [string, GoValue][]) => new Map<string, GoValue>(entries);

// Vectors from gopkg.in/yaml.v2 v2.4.0's encode_test.go (werf's toYaml is its Marshal, trailing newline trimmed).
describe("toYaml (yaml.v2 Marshal)", () => {
  it.each<[GoValue, string]>([
    [null, "null"],
    [new GoObject("struct {}", {}), "{}"],
    [dict(["v", "hi"]), "v: hi"],
    [dict(["v", "true"]), 'v: "true"'],
    [dict(["v", "false"]), 'v: "false"'],
    [dict(["v", true]), "v: true"],
    [dict(["v", 10]), "v: 10"],
    [dict(["v", -10]), "v: -10"],
    [dict(["v", 4294967296]), "v: 4294967296"],
    [dict(["v", "10"]), 'v: "10"'],
    [dict(["v", new GoFloat(0.1)]), "v: 0.1"],
    [dict(["v", new GoFloat(-0.1)]), "v: -0.1"],
    [dict(["v", new GoFloat(Infinity)]), "v: .inf"],
    [dict(["v", new GoFloat(-Infinity)]), "v: -.inf"],
    [dict(["v", new GoFloat(Number.NaN)]), "v: .nan"],
    [dict(["v", new GoFloat(1)]), "v: 1"],
    [dict(["v", new GoFloat(1e6)]), "v: 1e+06"],
    [dict(["v", null]), "v: null"],
    [dict(["v", ""]), 'v: ""'],
    [dict(["v", ["A", "B"]]), "v:\n- A\n- B"],
    [dict(["v", ["A", "B\nC"]]), "v:\n- A\n- |-\n  B\n  C"],
    [dict(["v", ["A", 1, dict(["B", [2, 3]])]]), "v:\n- A\n- 1\n- B:\n  - 2\n  - 3"],
    [dict(["a", dict(["b", "c"])]), "a:\n  b: c"],
    [dict(["a", "-"]), "a: '-'"],
    [123, "123"],
    [new GoObject("struct", { Hello: "world" }), "hello: world"],
    [dict(["a", "<foo>"]), "a: <foo>"],
    [dict(["a", "1:1"]), 'a: "1:1"'],
    [dict(["a", "\u0000"]), 'a: "\\0"'],
    [dict(["a", "你好"]), "a: 你好"],
    [dict(["a", "2015-02-24T18:19:39Z"]), 'a: "2015-02-24T18:19:39Z"'],
    [dict(["a", "b: c"]), "a: 'b: c'"],
    [dict(["a", "Hello #comment"]), "a: 'Hello #comment'"],
    [dict(["a", "你好 #comment"]), "a: '你好 #comment'"],
    // Beyond yaml.v2's table: the shapes werf.yaml templates print.
    [[], "[]"],
    [dict(), "{}"],
    [dict(["a", []], ["b", dict()]), "a: []\nb: {}"],
    [[["a", "b"], "c"], "- - a\n  - b\n- c"],
    [[dict(["a", 1], ["b", [2]])], "- a: 1\n  b:\n  - 2"],
    [dict(["ml", "line1\nline2\n"]), "ml: |\n  line1\n  line2"],
    [dict(["ml", "line1\n\nline2"]), "ml: |-\n  line1\n\n  line2"],
    [dict(["ml", "a\n\n"]), "ml: |+\n  a\n"],
    [dict(["ml", " lead\nx"]), "ml: |2-\n   lead\n  x"],
    [dict(["ml", "trailing \nx"]), 'ml: "trailing \\nx"'],
    [dict(["tab", "a\tb"]), 'tab: "a\\tb"'],
    // Keys are strings like values: "n", "y" and "null" are quoted.
    [
      dict(["s", "yes"], ["n", "no"], ["o", "on"], ["y", "y"], ["null", "~"], ["oct", "0755"]),
      '"n": "no"\n"null": "~"\no: "on"\noct: "0755"\ns: "yes"\n"y": "y"',
    ],
    [dict(["s", " leading"], ["t", "trailing "]), "s: ' leading'\nt: 'trailing '"],
    [dict(["q", "it's"]), "q: it's"],
    [dict(["q", "'quoted'"]), "q: '''quoted'''"],
    [dict(["", "empty key"]), '"": empty key'],
    [
      dict(["k", "*star"], ["l", "[x]"], ["m", "a,b"], ["n", "key: value # c"]),
      "k: '*star'\nl: '[x]'\nm: a,b\n\"n\": 'key: value # c'",
    ],
  ])("%j", (value, expected) => {
    expect(marshalYaml(value)).toBe(expected);
  });

  it("folds long text at spaces past 80 columns (yaml.v2's TestLineWrapping)", () => {
    const value = dict([
      "a",
      "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 1234567890 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 1234567890 ",
    ]);
    expect(marshalYaml(value)).toBe(
      "a: 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 1234567890 abcdefghijklmnopqrstuvwxyz\n" +
        "  ABCDEFGHIJKLMNOPQRSTUVWXYZ 1234567890 '",
    );
    const plain = dict(["b", dict(["text", `${"word ".repeat(20)}end`])]);
    expect(marshalYaml(plain)).toBe(
      // "  text: " and 15 words reach column 82: the next space breaks the line.
      `b:\n  text: ${"word ".repeat(14)}word\n    ${"word ".repeat(5)}end`,
    );
  });

  it("orders keys as yaml.v2 (TestSortedOutput's string keys)", () => {
    const order = [
      "",
      ".1",
      ".2",
      ".a",
      "1",
      "2",
      "a!10",
      "a/0001",
      "a/002",
      "a/3",
      "a/10",
      "a/11",
      "a/0012",
      "a/100",
      "a~10",
      "ab/1",
      "b/1",
      "b/01",
      "b/2",
      "b/02",
      "b/3",
      "b/03",
      "b1",
      "b01",
      "b3",
      "c2.10",
      "c10.2",
      "d1",
      "d7",
      "d7abc",
      "d12",
      "d12a",
    ];
    expect([...order].reverse().sort(compareYamlKeys)).toEqual(order);
  });

  it("gives an empty string for a value yaml.v2 cannot marshal, as werf's toYaml", () => {
    expect(callFunction("toYaml", [dict(["f", () => null])])).toBe("");
  });

  it("reads back what it writes", () => {
    const value = dict(
      ["a", "true"],
      ["b", "0755"],
      ["c", "x: y"],
      ["d", "multi\nline\n"],
      ["e", ""],
      ["f", [1, "2", null]],
      ["g", "2015-02-24"],
    );
    expect(formatGoValue(parseYamlMap(marshalYaml(value)))).toBe(formatGoValue(value));
  });
});

describe("fromYaml (yaml.v2 Unmarshal into map[string]interface{})", () => {
  it("resolves YAML 1.1 scalars as yaml.v2", () => {
    const map = parseYamlMap(
      [
        "int: 10",
        "neg: -10",
        "octal: 0755",
        "hex: 0x1F",
        "under: 1_000",
        "binary: 0b101",
        "float: 1.5",
        "whole: 1.0",
        "exp: 1e3",
        "dot: .5",
        "inf: .inf",
        "yes: yes",
        "On: On",
        "n: n",
        "null: ~",
        "empty:",
        "date: 2015-02-24",
        "str: hello",
        "quoted: '10'",
        'doubled: "true"',
        "version: 1.2.3",
        "list: [1, two, 3.0]",
        "nested: {a: {b: c}}",
      ].join("\n"),
    );
    const values = Object.fromEntries(map);
    expect(values).toMatchObject({
      int: 10,
      neg: -10,
      octal: 493,
      hex: 31,
      under: 1000,
      binary: 5,
      yes: true,
      On: true,
      n: false,
      null: null,
      empty: null,
      date: "2015-02-24",
      str: "hello",
      quoted: "10",
      doubled: "true",
      version: "1.2.3",
    });
    expect(values.float).toEqual(new GoFloat(1.5));
    expect(values.whole).toEqual(new GoFloat(1));
    expect(values.exp).toEqual(new GoFloat(1000));
    expect(values.dot).toEqual(new GoFloat(0.5));
    expect(values.inf).toEqual(new GoFloat(Infinity));
    expect(values.list).toEqual([1, "two", new GoFloat(3)]);
    expect(formatGoValue(values.nested as GoValue)).toBe("map[a:map[b:c]]");
  });

  it("reads block scalars, anchors, aliases and merge keys", () => {
    const map = parseYamlMap("base: &base\n  a: 1\n  b: 2\nderived:\n  <<: *base\n  b: 3\ntext: |\n  one\n  two\n");
    expect(formatGoValue(map)).toBe("map[base:map[a:1 b:2] derived:map[a:1 b:3] text:one\ntwo\n]");
  });

  it("reads an empty document as an empty map and only the first document", () => {
    expect(parseYamlMap("").size).toBe(0);
    expect(parseYamlMap("~").size).toBe(0);
    expect(formatGoValue(parseYamlMap("a: 1\n---\nb: 2\n"))).toBe("map[a:1]");
  });

  it("fails on what is not a mapping, as yaml.v2 into a map", () => {
    expect(() => callFunction("fromYaml", ["- a\n- b"])).toThrow(
      "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into map[string]interface {}",
    );
    expect(() => callFunction("fromYaml", ["foo"])).toThrow(
      "cannot unmarshal !!str `foo` into map[string]interface {}",
    );
    expect(() => callFunction("fromYaml", ["a: [1"])).toThrow(/^yaml: /);
  });
});
