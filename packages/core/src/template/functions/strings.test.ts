import { describe, expect, it } from "vitest";
import { GoFloat, type GoValue } from "../model.js";
import { callFunction } from "./test-support.js";

// Vectors from Sprig v3.2.3's strings_test.go and functions_test.go (expected outputs are Go's).
const cases: [string, GoValue[], GoValue][] = [
  ["substr", [0, 3, "fooo"], "foo"],
  ["substr", [0, 10, "foo"], "foo"],
  ["substr", [-1, 2, "foo"], "fo"],
  ["trunc", [3, "foooooo"], "foo"],
  ["trunc", [-3, "baaaaaar"], "aar"],
  ["trunc", [-999, "baaaaaar"], "baaaaaar"],
  ["trunc", [0, "baaaaaz"], ""],
  ["quote", ["a", "b", "c"], '"a" "b" "c"'],
  ["quote", ['"a"', "b", "c"], '"\\"a\\"" "b" "c"'],
  ["quote", [1, 2, 3], '"1" "2" "3"'],
  ["quote", [null], ""],
  ["quote", ["tab\there\n"], '"tab\\there\\n"'],
  ["squote", ["a", "b", "c"], "'a' 'b' 'c'"],
  ["squote", [1, 2, 3], "'1' '2' '3'"],
  ["squote", [null], ""],
  ["cat", ["a", "b", "c"], "a b c"],
  ["cat", ["a", "b", null], "a b"],
  ["cat", ["a", 1, new GoFloat(2.5), true], "a 1 2.5 true"],
  ["indent", [4, "a\nb\nc"], "    a\n    b\n    c"],
  ["nindent", [4, "a\nb\nc"], "\n    a\n    b\n    c"],
  ["replace", [" ", "-", "I Am Henry VIII"], "I-Am-Henry-VIII"],
  ["replace", ["", "-", "abc"], "-a-b-c-"],
  ["plural", ["1 char", "chars", 3], "chars"],
  ["plural", ["cheese", "%d chars", 1], "cheese"],
  ["abbrev", [5, "hello world"], "he..."],
  ["abbrev", [3, "hello world"], "hello world"],
  ["abbrevboth", [5, 10, "1234 5678 9123"], "...5678..."],
  ["nospace", ["h e l l o "], "hello"],
  ["untitle", ["First Try"], "first try"],
  ["initials", ["First Try"], "FT"],
  ["wrap", [5, "Hello World"], "Hello\nWorld"],
  ["wrapWith", [5, "\t", "Hello World"], "Hello\tWorld"],
  ["title", ["hello world-wide web_site"], "Hello World-Wide Web_site"],
  ["upper", ["straße"], "STRAßE"],
  ["lower", ["HELLO"], "hello"],
  ["trim", ["  \t5.00 \n"], "5.00"],
  ["trim", ["\ufeffx "], "\ufeffx"],
  ["trimAll", ["$", "$5.00$"], "5.00"],
  ["trimall", ["$", "$5.00$"], "5.00"],
  ["trimPrefix", ["$", "$5.00"], "5.00"],
  ["trimSuffix", ["$", "5.00$"], "5.00"],
  ["trimSuffix", ["", "5.00"], "5.00"],
  ["repeat", [3, "ab"], "ababab"],
  ["contains", ["cat", "fair catch"], true],
  ["hasPrefix", ["cat", "catch"], true],
  ["hasSuffix", ["cat", "ducat"], true],
  ["hasSuffix", ["cat", "cats"], false],
  ["snakecase", ["FirstName"], "first_name"],
  ["snakecase", ["HTTPServer"], "http_server"],
  ["snakecase", ["NoHTTPS"], "no_https"],
  ["snakecase", ["GO_PATH"], "go_path"],
  ["snakecase", ["GO PATH"], "go_path"],
  ["snakecase", ["GO-PATH"], "go_path"],
  ["snakecase", ["http2xx"], "http_2xx"],
  ["snakecase", ["HTTP20xOK"], "http_20x_ok"],
  ["snakecase", ["Duration2m3s"], "duration_2m3s"],
  ["snakecase", ["Bld4Floor3rd"], "bld4_floor_3rd"],
  ["kebabcase", ["FirstName"], "first-name"],
  ["kebabcase", ["HTTPServer"], "http-server"],
  ["kebabcase", ["NoHTTPS"], "no-https"],
  ["kebabcase", ["GO_PATH"], "go-path"],
  ["kebabcase", ["GO PATH"], "go-path"],
  ["kebabcase", ["GO-PATH"], "go-path"],
  ["camelcase", ["http_server"], "HttpServer"],
  ["camelcase", ["_camel_case"], "_CamelCase"],
  ["camelcase", ["no_https"], "NoHttps"],
  ["camelcase", ["_complex__case_"], "_Complex_Case_"],
  ["camelcase", ["all"], "All"],
  ["camelcase", ["some words"], "SomeWords"],
  ["swapcase", ["Hello World"], "hELLO wORLD"],
  ["toString", [1], "1"],
  ["toString", [new GoFloat(1.5)], "1.5"],
  ["toString", [null], "<nil>"],
  ["toStrings", [[1, 2, 3]], ["1", "2", "3"]],
  ["toStrings", [[1, null, 2]], ["1", "2"]],
  ["toStrings", [null], []],
  ["toStrings", ["abc"], ["abc"]],
  ["join", ["-", ["a", "b", "c"]], "a-b-c"],
  ["join", ["-", [1, 2, 3]], "1-2-3"],
  ["join", ["-", "abc"], "abc"],
  ["join", ["-", ["1", null, "2"]], "1-2"],
  ["splitList", ["$", "foo$bar$baz"], ["foo", "bar", "baz"]],
  ["splitList", ["", "abc"], ["a", "b", "c"]],
  [
    "split",
    ["$", "foo$bar$baz"],
    new Map<string, GoValue>([
      ["_0", "foo"],
      ["_1", "bar"],
      ["_2", "baz"],
    ]),
  ],
  [
    "splitn",
    ["$", 2, "foo$bar$baz"],
    new Map<string, GoValue>([
      ["_0", "foo"],
      ["_1", "bar$baz"],
    ]),
  ],
];

describe("Sprig string functions", () => {
  it.each(cases)("%s %j", (name, args, expected) => {
    expect(callFunction(name, args)).toEqual(expected);
  });

  it("slices by UTF-8 bytes as Go does", () => {
    // "héllo": h(1) é(2) l l o; trunc 3 cuts after "hé".
    expect(callFunction("trunc", [3, "héllo"])).toBe("hé");
    expect(callFunction("substr", [1, 3, "héllo"])).toBe("é");
  });

  it("fails with Go's messages on wrong arguments", () => {
    expect(() => callFunction("trunc", ["3", "abc"])).toThrow("wrong type for value; expected int; got string");
    expect(() => callFunction("upper", [null])).toThrow("invalid value; expected string");
    expect(() => callFunction("upper", ["a", "b"])).toThrow("wrong number of args for upper: want 1 got 2");
    expect(() => callFunction("substr", [0, 9, "abc"])).not.toThrow();
    expect(() => callFunction("substr", [-1, 9, "abc"])).toThrow(
      "runtime error: slice bounds out of range [:9] with length 3",
    );
    expect(() => callFunction("substr", [5, 3, "abcdef"])).toThrow("runtime error: slice bounds out of range [5:3]");
    expect(() => callFunction("indent", [-1, "x"])).toThrow("strings: negative Repeat count");
  });
});
