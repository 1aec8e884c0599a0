import { describe, expect, it } from "vitest";
import envVarTest from "../../test/vectors/buildkit/shell/envVarTest?raw";
import wordsTest from "../../test/vectors/buildkit/shell/wordsTest?raw";
import { escapeTemplate, expandWord, expandWords, ShellLexError, type VariableLookup } from "./shell-lexer.js";

function lookupOf(entries: Record<string, string>): VariableLookup {
  return (name) => (Object.hasOwn(entries, name) ? entries[name] : undefined);
}

const backslash = { escape: "\\" } as const;

// BuildKit's lex_test.go TestShellParser4EnvVars: `platform | input | expected`, Unix platform.
describe("BuildKit envVarTest vectors", () => {
  const lookup = lookupOf({ PWD: "/home", SHELL: "bash", KOREAN: "한국어", NULL: "" });
  const cases = envVarTest
    .split("\n")
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => !line.startsWith("#") && line.trimStart() !== "")
    .map(({ line, number }) => {
      const fields = line.trimStart().split("|");
      expect(fields).toHaveLength(3);
      return { number, platform: fields[0]?.trim(), input: fields[1]?.trim() ?? "", expected: fields[2]?.trim() ?? "" };
    })
    .filter(({ platform }) => platform === "A" || platform === "U");
  it("has the vectors", () => expect(cases.length).toBe(228));
  for (const { number, input, expected } of cases) {
    it(`line ${number}: ${input}`, () => {
      if (expected === "error") expect(() => expandWord(input, lookup, backslash)).toThrow(ShellLexError);
      else expect(expandWord(input, lookup, backslash)).toEqual({ value: expected, kept: [] });
    });
  }
});

// BuildKit's lex_test.go TestShellParser4Words: `input | word,word`, `ENV name=value` lines add variables.
describe("BuildKit wordsTest vectors", () => {
  const environment: Record<string, string> = {};
  const cases: { number: number; input: string; expected: string[]; environment: Record<string, string> }[] = [];
  wordsTest.split("\n").forEach((line, index) => {
    if (line.startsWith("#") || line === "") return;
    if (line.startsWith("ENV ")) {
      const definition = line.slice(3).trimStart();
      const equals = definition.indexOf("=");
      environment[definition.slice(0, equals)] = definition.slice(equals + 1);
      return;
    }
    const fields = line.split("|");
    expect(fields).toHaveLength(2);
    cases.push({
      number: index + 1,
      input: fields[0]?.trim() ?? "",
      expected: (fields[1] ?? "").trimStart().split(","),
      environment: { ...environment },
    });
  });
  it("has the vectors", () => expect(cases.length).toBe(24));
  for (const { number, input, expected, environment } of cases) {
    it(`line ${number}: ${input}`, () => {
      const lookup = lookupOf(environment);
      if (expected.join(",") === "error") expect(() => expandWords(input, lookup, backslash)).toThrow(ShellLexError);
      else expect(expandWords(input, lookup, backslash)).toEqual({ words: expected, kept: [] });
    });
  }
});

describe("escapeTemplate", () => {
  it("expands to the literal as a word and as one word of a list", () => {
    for (const literal of ["", "a b", "$PATH", 'it\'s "x"', "back\\slash`tick", " lead", "}{$", "\ufeffbom"]) {
      for (const escapeCharacter of ["\\", "`"] as const) {
        const template = escapeTemplate(literal, escapeCharacter);
        expect(expandWord(template, lookupOf({ PATH: "/bin" }), { escape: escapeCharacter }).value).toBe(literal);
        expect(expandWords(template, lookupOf({ PATH: "/bin" }), { escape: escapeCharacter }).words).toEqual(
          literal === "" ? [] : [literal],
        );
      }
    }
  });
});
