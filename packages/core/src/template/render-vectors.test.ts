import { describe, expect, it } from "vitest";
import vectors from "../../test/vectors/go-template/render.json" with { type: "json" };
import { TemplateError } from "./errors.js";
import { createTemplateSet } from "./index.js";
import { GoFloat, type GoValue } from "./model.js";

/*
 * werf.yaml-like templates rendered by Go's text/template itself (render.json): the same text, or
 * the same error after Go's `template: file:line[:col]: ` prefix (columns here are 1-based).
 */

interface RenderCase {
  name: string;
  sources: { file: string; text: string }[];
  execute: string;
  data: unknown;
  output?: string;
  goError?: string;
}

/** JSON as werf's values: integers are Go ints, other numbers float64, objects map[string]interface{}. */
function fromJson(value: unknown): GoValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isInteger(value) ? value : new GoFloat(value);
  if (Array.isArray(value)) return value.map(fromJson);
  return new Map(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, fromJson(item)]));
}

function goDetail(message: string): string {
  return message.replace(/^template: .*?:\d+(:\d+)?: (?=executing|[^0-9])/, "");
}

const skipped = vectors.skipped as Record<string, string>;
const cases = (vectors.cases as RenderCase[]).filter((testCase) => skipped[testCase.name] === undefined);

describe("templates rendered by Go itself", () => {
  it("runs all but the listed ones", () => {
    expect(vectors.cases.length).toBe(82);
    expect(cases.length).toBe(82 - Object.keys(skipped).length);
  });
  it.each(cases.map((testCase) => [testCase.name, testCase] as const))("%s", (_name, testCase) => {
    let output: string | undefined;
    let error: unknown;
    try {
      const set = createTemplateSet({});
      for (const source of testCase.sources) set.add(source);
      output = set.execute(testCase.execute, fromJson(testCase.data)).text;
    } catch (caught) {
      error = caught;
    }
    if (testCase.goError === undefined) {
      expect(error).toBeUndefined();
      expect(output).toBe(testCase.output);
    } else {
      expect(TemplateError.isInstance(error)).toBe(true);
      expect((error as TemplateError).detail).toBe(goDetail(testCase.goError));
      // Go's line is ours too (its column is 0-based bytes, ours 1-based code points).
      const goLine = Number(/^template: .*?:(\d+)(?::\d+)?: /.exec(testCase.goError)?.[1]);
      expect((error as TemplateError).position.line).toBe(goLine);
    }
  });
});
