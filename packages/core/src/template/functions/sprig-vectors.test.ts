import { describe, expect, it } from "vitest";
import vectors from "../../../test/vectors/sprig/templates.json" with { type: "json" };
import { createTemplateSet } from "../index.js";
import { sprigFunctions } from "./sprig.js";

/*
 * Sprig's own template tests (extracted into test/vectors/sprig/templates.json) through stages' engine
 * and sprigFunctions: every one gives Sprig's output, except those calling a function stages leaves
 * out, which fail naming it.
 */
const omitted: Readonly<Record<string, string>> = vectors.omitted;

function run(template: string): string {
  const set = createTemplateSet(sprigFunctions());
  set.add({ file: "t", text: template });
  return set.execute("t", null).text;
}

function omittedFunction(template: string): string | undefined {
  return Object.keys(omitted).find((name) => new RegExp(`(^|[{|( ])${name}( |$)`).test(template));
}

describe("Sprig's template tests", () => {
  const cases = vectors.cases.filter((item) => omittedFunction(item.template) === undefined);
  const left = vectors.cases.filter((item) => omittedFunction(item.template) !== undefined);

  it("runs most of them", () => {
    expect(cases.length).toBeGreaterThan(290);
    expect(left.length).toBeLessThan(15);
  });

  it.each(cases)("$template", ({ template, output }) => {
    expect(run(template)).toBe(output);
  });

  it.each(left)("$template fails naming what stages leaves out", ({ template }) => {
    expect(() => run(template)).toThrow(`function "${omittedFunction(template)}" not defined`);
  });
});
