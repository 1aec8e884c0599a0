import { describe, expect, it } from "vitest";
import vectors from "../../test/vectors/go-template/lex.json" with { type: "json" };
import { type ItemType, lex } from "./lexer.js";

/* Go's lexTests (src/text/template/parse/lex_test.go) as data: item types by Go's itemName. */

const goNames: Record<string, ItemType> = {
  "": "text",
  ".": "dot",
  "(": "leftParen",
  ")": "rightParen",
  ":=": "declare",
  "=": "assign",
  EOF: "eof",
  "left delim": "leftDelim",
  "right delim": "rightDelim",
  "raw string": "rawString",
  charconst: "charConstant",
};

interface LexCase {
  name: string;
  input: string;
  items: [string, string][];
}

const cases = vectors.cases as LexCase[];

describe("Go's lexTests", () => {
  it("runs all of them", () => {
    expect(cases.length).toBe(40);
  });
  it.each(cases.map((testCase, index) => [`${index} ${testCase.name}`, testCase] as const))("%s", (_name, testCase) => {
    const items = lex(testCase.input).map((item) => [item.type, item.value]);
    expect(items).toEqual(testCase.items.map(([type, value]) => [goNames[type] ?? type, value]));
  });
});

describe("lexer", () => {
  it("keeps the space of a trim marker: {{-3}} is a number, {{- 3}} trims", () => {
    expect(lex("a {{-3}}").map((item) => item.type)).toEqual(["text", "leftDelim", "number", "rightDelim", "eof"]);
    expect(lex("a {{-3}}")[0]?.value).toBe("a ");
    expect(lex("a {{- 3}}")[0]?.value).toBe("a");
    expect(lex("{{3 -}} b").at(-2)?.value).toBe("b");
    expect(lex("{{3-}} b")).toContainEqual({ type: "error", value: 'bad number syntax: "3-"', offset: 2 });
  });
  it("lexes assignments, numbers with separators and bases, and break/continue", () => {
    const items = lex("{{$x = 0x_1F}}{{1_000.5e-3}}{{0o17}}{{0b101}}{{break}}{{continue}}");
    expect(
      items
        .filter((item) => item.type !== "leftDelim" && item.type !== "rightDelim")
        .map((item) => [item.type, item.value]),
    ).toEqual([
      ["variable", "$x"],
      ["space", " "],
      ["assign", "="],
      ["space", " "],
      ["number", "0x_1F"],
      ["number", "1_000.5e-3"],
      ["number", "0o17"],
      ["number", "0b101"],
      ["break", "break"],
      ["continue", "continue"],
      ["eof", ""],
    ]);
  });
});
