import { describe, expect, it } from "vitest";
import vectors from "../../test/vectors/go-template/parse.json" with { type: "json" };
import { TemplateError } from "./errors.js";
import { nodeString, parseTemplate } from "./parse.js";

/*
 * Go's parseTests and errorTests (src/text/template/parse/parse_test.go) as data: a good input gives
 * the tree Go prints, a bad one Go's message. Cases listed under `skipped` in parse.json say why.
 */

interface ParseCase {
  name: string;
  input: string;
  ok: boolean;
  result: string;
  goError?: string;
}

const functions = new Set(["printf", "contains"]);
const options = { hasFunction: (name: string) => functions.has(name) };
const skipped = vectors.skipped as Record<string, string>;
const cases = (vectors.cases as ParseCase[]).filter((testCase) => skipped[testCase.name] === undefined);

function goDetail(message: string, name: string): string {
  return message.startsWith(`template: ${name}:`)
    ? message.slice(`template: ${name}:`.length).replace(/^\d+: /, "")
    : message;
}

describe("Go's parse tests", () => {
  it("runs all but the listed ones", () => {
    expect(vectors.cases.length).toBe(129);
    expect(cases.length).toBe(129 - Object.keys(skipped).length);
  });
  it.each(cases.map((testCase, index) => [`${index} ${testCase.name}`, testCase] as const))("%s", (_name, testCase) => {
    let error: unknown;
    let tree = "";
    try {
      const trees = parseTemplate(testCase.name, testCase.input, options);
      tree = nodeString(
        trees.get(testCase.name)?.root ?? { type: "list", nodes: [], offset: 0, source: undefined as never },
      );
    } catch (caught) {
      error = caught;
    }
    if (testCase.goError === undefined) {
      expect(error).toBeUndefined();
      if (testCase.ok) expect(tree).toBe(testCase.result);
    } else {
      expect(TemplateError.isInstance(error)).toBe(true);
      expect((error as TemplateError).detail).toBe(goDetail(testCase.goError, testCase.name));
    }
  });
});

interface NumberCase {
  text: string;
  isInt: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int: number;
  float: number;
}

describe("Go's numberTests", () => {
  const numbers = vectors.numbers as NumberCase[];
  it("runs all of them", () => {
    expect(numbers.length).toBe(52);
  });
  it.each(numbers.map((testCase) => [testCase.text, testCase] as const))("%s", (text, testCase) => {
    let error: unknown;
    let node: unknown;
    try {
      const root = parseTemplate("n", `{{${text}}}`, options).get("n")?.root;
      const action = root?.nodes[0];
      node = action?.type === "action" ? action.pipe.commands[0]?.args[0] : undefined;
    } catch (caught) {
      error = caught;
    }
    if (testCase.isComplex) {
      // Imaginary constants are refused with a clear error rather than modelled.
      expect((error as TemplateError).detail).toMatch(/^complex number .* is not supported by stages/);
    } else if (!testCase.isInt && !testCase.isFloat) {
      expect(TemplateError.isInstance(error)).toBe(true);
    } else {
      expect(error).toBeUndefined();
      expect(node).toMatchObject({
        type: "number",
        isInt: testCase.isInt,
        isFloat: testCase.isFloat,
        float: testCase.float,
      });
      if (testCase.isInt) expect(node).toMatchObject({ int: testCase.int });
    }
  });
});
