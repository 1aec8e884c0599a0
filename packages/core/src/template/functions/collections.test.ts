import { describe, expect, it } from "vitest";
import { formatGoValue } from "../format.js";
import { GoFloat, GoObject, type GoValue } from "../model.js";
import { callFunction } from "./test-support.js";

const call = callFunction;
/** The function's result as Go's %v prints it (Sprig's tests compare printed output). */
const printed = (name: string, args: GoValue[]) => formatGoValue(call(name, args));
const dict = (...entries: [string, GoValue][]) => new Map<string, GoValue>(entries);
const split = (text: string) => call("regexSplit", ["/", text, -1]);

// Vectors from Sprig v3.2.3's list_test.go, dict_test.go and defaults_test.go.
describe("Sprig list functions", () => {
  it.each<[string, GoValue[], string]>([
    ["append", [[1, 2, 3, 4], 5], "[1 2 3 4 5]"],
    ["push", [split("foo/bar/baz"), "qux"], "[foo bar baz qux]"],
    ["mustAppend", [[1, 2, 3], 4], "[1 2 3 4]"],
    ["prepend", [[1, 2, 3, 4], 0], "[0 1 2 3 4]"],
    ["first", [[1, 2, 3]], "1"],
    ["first", [split("foo/src/bar")], "foo"],
    ["last", [[1, 2, 3]], "3"],
    ["initial", [[1, 2, 3]], "[1 2]"],
    ["initial", [[]], "[]"],
    ["initial", [split("foo/bar/baz")], "[foo bar]"],
    ["rest", [[]], "[]"],
    ["rest", [split("foo/bar/baz")], "[bar baz]"],
    ["reverse", [[1, 2, 3, 4]], "[4 3 2 1]"],
    ["reverse", [[]], "[]"],
    ["compact", [[1, 0, "", "hello"]], "[1 hello]"],
    ["compact", [["", ""]], "[]"],
    ["compact", [split("foo//bar")], "[foo bar]"],
    ["uniq", [[1, 1, 1, 1, 2, 2, 2, 2]], "[1 2]"],
    ["uniq", [["foo", 1, 1, 1, 1, "foo", "foo"]], "[foo 1]"],
    ["uniq", [[1, new GoFloat(1)]], "[1 1]"],
    ["without", [[1, 2, 3, 4], 1], "[2 3 4]"],
    ["without", [[1, 1, 1, 1, 2], 1], "[2]"],
    ["without", [[1, 2, 3]], "[1 2 3]"],
    ["has", [1, [1, 2, 3]], "true"],
    ["has", [4, [1, 2, 3]], "false"],
    ["has", ["bar", null], "false"],
    ["slice", [[1, 2, 3]], "[1 2 3]"],
    ["slice", [[1, 2, 3], 0, 1], "[1]"],
    ["slice", [[1, 2, 3], 1], "[2 3]"],
    ["concat", [[1, 2, 3], [4, 5], [null]], "[1 2 3 4 5 <nil>]"],
    ["concat", [[1, 2, 3], [4, 5], [["foo"]]], "[1 2 3 4 5 [foo]]"],
    ["chunk", [3, [1, 2, 3, 4, 5, 6, 7, 8]], "[[1 2 3] [4 5 6] [7 8]]"],
    ["chunk", [3, []], "[]"],
    ["sortAlpha", [["c", "a", "B", 10, 9]], "[10 9 B a c]"],
    ["until", [5], "[0 1 2 3 4]"],
    ["until", [-5], "[0 -1 -2 -3 -4]"],
    ["untilStep", [3, 6, 1], "[3 4 5]"],
    ["untilStep", [0, -10, -2], "[0 -2 -4 -6 -8]"],
    ["untilStep", [3, 0, 1], "[]"],
    ["untilStep", [3, 99, 0], "[]"],
  ])("%s %j", (name, args, expected) => {
    expect(printed(name, args)).toBe(expected);
  });

  it("gives nil for the first or last of an empty list", () => {
    expect(call("first", [[]])).toBeNull();
    expect(call("last", [[]])).toBeNull();
  });

  it("does not change the list it is given", () => {
    const list: GoValue[] = [1, 2, 3];
    call("append", [list, 4]);
    call("reverse", [list]);
    expect(list).toEqual([1, 2, 3]);
  });

  it("fails on a non-list with Sprig's message", () => {
    expect(() => call("first", ["abc"])).toThrow("Cannot find first on type string");
    expect(() => call("append", [dict(), 1])).toThrow("Cannot push on type map");
    expect(() => call("concat", [[1], 2])).toThrow("Cannot concat type int as list");
  });
});

describe("Sprig dict functions", () => {
  it("builds dicts with string keys, a missing last value as empty", () => {
    expect(printed("dict", [1, 2, "three", "four", 5])).toBe("map[1:2 5: three:four]");
  });

  it("sets and unsets in place", () => {
    const map = dict(["one", 1], ["two", 222222]);
    expect(call("set", [map, "two", 2])).toBe(map);
    call("set", [map, "three", 3]);
    call("unset", [map, "one"]);
    expect(formatGoValue(map)).toBe("map[three:3 two:2]");
    expect(() => call("set", [null, "a", 1])).toThrow("assignment to entry in nil map");
  });

  it.each<[string, GoValue[], string]>([
    ["get", [dict(["one", 1]), "one"], "1"],
    ["get", [dict(), "two"], ""],
    ["hasKey", [dict(["one", 1]), "one"], "true"],
    ["hasKey", [dict(["one", 1]), "two"], "false"],
    [
      "pluck",
      [
        "two",
        dict(["one", 1], ["two", 222222]),
        dict(["one", 1], ["two", 33333]),
        dict(["one", 1]),
        dict(["one", 1], ["two", 4444]),
      ],
      "[222222 33333 4444]",
    ],
    ["keys", [dict(["foo", 1], ["bar", 2])], "[bar foo]"],
    ["keys", [dict()], "[]"],
    ["keys", [dict(["foo", 1]), dict(["bar", 2]), dict(["bar", 3])], "[foo bar bar]"],
    ["values", [dict(["b", "first"], ["a", 2])], "[2 first]"],
    ["pick", [dict(["one", 1], ["two", 222222]), "two"], "map[two:222222]"],
    ["pick", [dict(["one", 1], ["two", 222222]), "one", "two", "three"], "map[one:1 two:222222]"],
    ["omit", [dict(["one", 1], ["two", 222222]), "one"], "map[two:222222]"],
    ["omit", [dict(["one", 1], ["two", 222222]), "one", "two"], "map[]"],
    ["dig", ["a", "b", "c", "", dict(["a", dict(["b", dict(["c", 1])])])], "1"],
    ["dig", ["a", "b", "z", "2", dict(["a", dict(["b", dict(["c", 1])])])], "2"],
    ["dig", ["z", "2", dict(["a", 1])], "2"],
    ["deepCopy", [dict(["foo", dict(["bar", "baz"])], ["qux", true])], "map[foo:map[bar:baz] qux:true]"],
  ])("%s %j", (name, args, expected) => {
    expect(printed(name, args)).toBe(expected);
  });

  const sources = () => ({
    dst: dict(["a", "one"], ["c", 3], ["d", dict(["f", 5])], ["g", [8, 9]], ["i", "eye"], ["k", dict(["l", true])]),
    src1: dict(
      ["a", 1],
      ["b", 2],
      ["d", dict(["e", "four"])],
      ["g", [6, 7]],
      ["i", "aye"],
      ["j", "jay"],
      ["k", dict(["l", false])],
    ),
    src2: dict(["h", 10], ["i", "i"], ["j", "j"]),
  });

  it("merges as mergo: deep, keeping what dst has (Sprig's TestMerge)", () => {
    const { dst, src1, src2 } = sources();
    expect(call("merge", [dst, src1, src2])).toBe(dst);
    expect(formatGoValue(dst)).toBe("map[a:one b:2 c:3 d:map[e:four f:5] g:[8 9] h:10 i:eye j:jay k:map[l:true]]");
  });

  it("merges overwriting (Sprig's TestMergeOverwrite)", () => {
    const { dst, src1, src2 } = sources();
    call("mergeOverwrite", [dst, src1, src2]);
    expect(formatGoValue(dst)).toBe("map[a:1 b:2 c:3 d:map[e:four f:5] g:[6 7] h:10 i:i j:j k:map[l:false]]");
  });

  it("deep-copies so that changing the copy leaves the original", () => {
    const original = dict(["a", dict(["b", 1])]);
    const copy = call("deepCopy", [original]) as Map<string, GoValue>;
    call("set", [copy.get("a") as GoValue, "b", 2]);
    expect(formatGoValue(original)).toBe("map[a:map[b:1]]");
  });

  it("refuses a non-map where Go wants a map", () => {
    expect(() => call("hasKey", [[1], "a"])).toThrow(
      "wrong type for value; expected map[string]interface {}; got []interface {}",
    );
  });
});

describe("Sprig defaults, flow and reflection", () => {
  it.each<[string, GoValue[], GoValue]>([
    ["default", ["foo", ""], "foo"],
    ["default", ["foo", 234], 234],
    ["default", ["foo", new GoFloat(2.34)], new GoFloat(2.34)],
    ["default", ["123", null], "123"],
    ["default", ["123"], "123"],
    ["default", ["x", false], "x"],
    ["default", ["x", []], "x"],
    ["default", ["x", dict()], "x"],
    ["default", ["x", new GoObject("struct", {})], new GoObject("struct", {})],
    ["empty", [1], false],
    ["empty", [0], true],
    ["empty", [""], true],
    ["empty", [new GoFloat(0)], true],
    ["empty", [false], true],
    ["empty", [null], true],
    ["coalesce", [1], 1],
    ["coalesce", ["", 0, null, 2], 2],
    ["coalesce", [], null],
    ["all", [1], true],
    ["all", ["", 0, null, 2], false],
    ["all", [], true],
    ["any", ["", 0, null, 2], true],
    ["any", ["", 0, 0], false],
    ["any", [], false],
    ["ternary", ["foo", "bar", true], "foo"],
    ["ternary", ["foo", "bar", false], "bar"],
    ["typeOf", [1], "int"],
    ["typeOf", [new GoFloat(1)], "float64"],
    ["typeOf", [[1]], "[]interface {}"],
    ["typeOf", [dict()], "map[string]interface {}"],
    ["typeOf", [null], "<nil>"],
    ["typeIs", ["string", "x"], true],
    ["typeIsLike", ["int", 1], true],
    ["kindOf", ["x"], "string"],
    ["kindOf", [[1]], "slice"],
    ["kindOf", [dict()], "map"],
    ["kindOf", [null], "invalid"],
    ["kindIs", ["map", dict()], true],
    [
      "deepEqual",
      [
        [1, dict(["a", "b"])],
        [1, dict(["a", "b"])],
      ],
      true,
    ],
    ["deepEqual", [1, new GoFloat(1)], false],
    ["deepEqual", [null, null], true],
  ])("%s %j", (name, args, expected) => {
    expect(call(name, args)).toEqual(expected);
  });

  it("fails with the message of fail", () => {
    expect(() => call("fail", ["this is a failure"])).toThrow("this is a failure");
  });

  it("checks ternary's condition is a bool", () => {
    expect(() => call("ternary", ["a", "b", "true"])).toThrow("wrong type for value; expected bool; got string");
  });
});
