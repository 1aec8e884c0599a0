import { describe, expect, it } from "vitest";
import { formatGoValue } from "../format.js";
import { GoFloat, GoObject, type GoValue } from "../model.js";
import { callFunction } from "./test-support.js";

const dict = (...entries: [string, GoValue][]) => new Map<string, GoValue>(entries);
const top = dict(["bool", true], ["string", "test"], ["number", 42]);

// Vectors from Sprig v3.2.3's defaults_test.go and Go's encoding/json behaviour.
describe("Sprig JSON functions", () => {
  it("writes compact JSON with sorted keys (TestToJson)", () => {
    expect(callFunction("toJson", [top])).toBe('{"bool":true,"number":42,"string":"test"}');
  });

  it("writes indented JSON (TestToPrettyJson)", () => {
    expect(callFunction("toPrettyJson", [top])).toBe('{\n  "bool": true,\n  "number": 42,\n  "string": "test"\n}');
    expect(callFunction("toPrettyJson", [dict(["a", []], ["b", dict()])])).toBe('{\n  "a": [],\n  "b": {}\n}');
  });

  it("escapes HTML characters except in toRawJson (TestToRawJson)", () => {
    const value = dict(["html", "<HEAD>&"], ["number", 42]);
    expect(callFunction("toJson", [value])).toBe('{"html":"\\u003cHEAD\\u003e\\u0026","number":42}');
    expect(callFunction("toRawJson", [value])).toBe('{"html":"<HEAD>&","number":42}');
  });

  it("orders keys as Go (all keys as strings, not integer-like ones first)", () => {
    expect(callFunction("toJson", [dict(["b", 1], ["10", 2], ["2", 3], ["a", 4])])).toBe('{"10":2,"2":3,"a":4,"b":1}');
  });

  it("writes Go values: float64s, nil, lists, struct fields in order", () => {
    expect(callFunction("toJson", [[new GoFloat(1.5), new GoFloat(1), null, "\u2028"]])).toBe('[1.5,1,null,"\\u2028"]');
    expect(callFunction("toJson", [new GoObject("T", { Name: "x", Age: 3 })])).toBe('{"Name":"x","Age":3}');
  });

  it("gives an empty string for what JSON cannot hold (toJson) or fails (mustToJson)", () => {
    expect(callFunction("toJson", [dict(["f", () => null])])).toBe("");
    expect(callFunction("toJson", [new GoFloat(Number.NaN)])).toBe("");
    expect(() => callFunction("mustToJson", [new GoFloat(Number.NaN)])).toThrow("json: unsupported value: NaN");
  });

  it("reads JSON with numbers as float64 (TestFromJson)", () => {
    const value = callFunction("fromJson", ['{"foo": 55, "list": [1, "a", null, true], "o": {}}']);
    expect(formatGoValue(value)).toBe("map[foo:55 list:[1 a <nil> true] o:map[]]");
    expect((value as Map<string, GoValue>).get("foo")).toEqual(new GoFloat(55));
  });

  it("gives nil for invalid JSON (fromJson) or fails (mustFromJson)", () => {
    expect(callFunction("fromJson", ["{bad"])).toBeNull();
    expect(() => callFunction("mustFromJson", ["{bad"])).toThrow();
  });
});
