import { beforeAll, describe, expect, it } from "vitest";
import vectors from "../../../test/vectors/sprig/templates.json" with { type: "json" };
import { createTemplateSet } from "../index.js";
import { loadCiphers } from "./ciphers.js";
import { sprigFunctions } from "./sprig.js";

// derivePassword and encryptAES need AES and scrypt, which a config loads before rendering.
beforeAll(loadCiphers);

/*
 * Sprig's own template tests (extracted into test/vectors/sprig/templates.json) through stages' engine
 * and sprigFunctions: every one gives Sprig's output, except those calling a function stages leaves
 * out, which fail naming it, and those whose output Sprig's test fixes by seeding Go's math/rand,
 * which give the same characters in some order.
 */
const omitted: Readonly<Record<string, string>> = vectors.omitted;
const random: Readonly<Record<string, string>> = vectors.random;

function run(template: string): string {
  const set = createTemplateSet(sprigFunctions());
  set.add({ file: "t", text: template });
  return set.execute("t", null).text;
}

function calledFrom(names: Readonly<Record<string, string>>, template: string): string | undefined {
  return Object.keys(names).find((name) => new RegExp(`(^|[{|( ])${name}( |$)`).test(template));
}

const omittedFunction = (template: string) => calledFrom(omitted, template);
const randomFunction = (template: string) => calledFrom(random, template);
const sorted = (text: string) => [...text].sort().join("");

describe("Sprig's template tests", () => {
  const cases = vectors.cases.filter(
    (item) => omittedFunction(item.template) === undefined && randomFunction(item.template) === undefined,
  );
  const shuffled = vectors.cases.filter((item) => randomFunction(item.template) !== undefined);
  const left = vectors.cases.filter((item) => omittedFunction(item.template) !== undefined);

  it("runs most of them", () => {
    expect(cases.length).toBeGreaterThan(290);
    expect(left.length).toBeLessThan(5);
    expect(shuffled.length).toBe(1);
  });

  it.each(shuffled)("$template gives the same characters in some order", ({ template, output }) => {
    expect(sorted(run(template))).toBe(sorted(output));
  });

  it.each(cases)("$template", ({ template, output }) => {
    expect(run(template)).toBe(output);
  });

  it.each(left)("$template fails naming what stages leaves out", ({ template }) => {
    expect(() => run(template)).toThrow(`function "${omittedFunction(template)}" not defined`);
  });
});
