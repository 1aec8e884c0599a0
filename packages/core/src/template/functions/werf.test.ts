import { describe, expect, it } from "vitest";
import type { FunctionMap, GoValue } from "../model.js";
import { callFunction, testContext } from "./test-support.js";
import { werfFunctions } from "./werf.js";

function werf(env: Record<string, string | undefined>, reads: [string, string | undefined][] = []): FunctionMap {
  return werfFunctions({ env, onEnvRead: (name, value) => reads.push([name, value]) });
}

// werf's pkg/config/parser.go funcMap: env, required, include, tpl and their debug forms.
describe("werf template functions", () => {
  it("reads env from the given environment, with werf's default rules", () => {
    const functions = werf({ SET: "value", EMPTY: "" });
    const env = (...args: GoValue[]) => callFunction("env", args, functions);
    expect(env("SET")).toBe("value");
    expect(env("SET", "fallback")).toBe("value");
    expect(env("EMPTY")).toBe("");
    expect(env("EMPTY", "fallback")).toBe("fallback");
    expect(env("UNSET")).toBe("");
    expect(env("UNSET", "fallback")).toBe("fallback");
  });

  it("reports every variable it reads, set or not", () => {
    const reads: [string, string | undefined][] = [];
    const functions = werf({ A: "1" }, reads);
    callFunction("env", ["A"], functions);
    callFunction("env", ["B", "x"], functions);
    expect(reads).toEqual([
      ["A", "1"],
      ["B", undefined],
    ]);
  });

  it("reads the name as fmt.Sprint of any value, and no property of the environment object", () => {
    const functions = werf({ "1": "one" });
    expect(callFunction("env", [1], functions)).toBe("one");
    expect(callFunction("env", ["toString"], functions)).toBe("");
  });

  it("refuses more than one default, as werf", () => {
    expect(() => callFunction("env", ["A", "b", "c"], werf({}))).toThrow("more than 1 optional argument prohibited");
  });

  it("fails required with the given message on nil or an empty string", () => {
    const functions = werf({});
    expect(() => callFunction("required", ["value is required", null], functions)).toThrow("value is required");
    expect(() => callFunction("required", ["value is required", ""], functions)).toThrow("value is required");
    expect(callFunction("required", ["m", 0], functions)).toBe(0);
    expect(callFunction("required", ["m", "x"], functions)).toBe("x");
  });

  it("executes include and tpl through the call context", () => {
    const functions = werf({});
    const context = testContext("include", { helper: (data) => `helper(${String(data)})` });
    expect((functions.include as FunctionMap[string])(["helper", "dot"], context)).toBe("helper(dot)");
    expect((functions.include_debug as FunctionMap[string])(["helper", "dot"], context)).toBe("helper(dot)");
    expect(() => (functions.include as FunctionMap[string])(["missing", null], context)).toThrow("missing");
    expect((functions.tpl as FunctionMap[string])(["{{ . }}", "x"], testContext("tpl"))).toBe("{{ . }}");
  });

  it("prints nothing from the debug printers (werf prints them only under --debug-templates)", () => {
    const functions = werf({});
    expect(callFunction("printf_debug", ["%s", "x"], functions)).toBe("");
    expect(callFunction("dump_debug", [[1, 2]], functions)).toBe("");
  });

  it("has werf's toYaml and fromYaml", () => {
    const functions = werf({});
    expect(callFunction("toYaml", [new Map([["a", [1]]])], functions)).toBe("a:\n- 1");
    expect(callFunction("fromYaml", ["a: b"], functions)).toEqual(new Map([["a", "b"]]));
  });
});
