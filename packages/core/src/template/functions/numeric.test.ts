import { describe, expect, it } from "vitest";
import { formatGoValue } from "../format.js";
import { GoFloat, type GoValue } from "../model.js";
import { callFunction } from "./test-support.js";

const printed = (name: string, args: GoValue[]) => formatGoValue(callFunction(name, args));
const f = (value: number) => new GoFloat(value);

// Vectors from Sprig v3.2.3's numeric_test.go (pipelines written as calls: `3 | add 1 2` is `add 1 2 3`).
describe("Sprig math", () => {
  it.each<[string, GoValue[], string]>([
    ["add1", [3], "4"],
    ["add1f", [f(3.4)], "4.4"],
    ["add", [1, 2, 3], "6"],
    ["add", [], "0"],
    ["addf", [f(1.5), f(2.2), 3], "6.7"],
    ["addf", [f(1.1), f(2.2)], "3.3"],
    ["div", [5, 4], "1"],
    ["div", [-7, 2], "-3"],
    ["divf", [5, 4, 2], "0.625"],
    ["divf", [1, 3], "0.3333333333333333"],
    ["mod", [7, 3], "1"],
    ["mod", [-7, 3], "-1"],
    ["mul", ["2", 3, "4", 1], "24"],
    ["mulf", ["2.4", 10, "4", f(1.2)], "115.2"],
    ["sub", [14, 3], "11"],
    ["subf", [f(4.5), 1, 3], "0.5"],
    ["biggest", [1, 2, 3, 345, 5, 6, 7], "345"],
    ["max", [345], "345"],
    ["maxf", [1, 2, 3, f(345.7), 5, 6, 7], "345.7"],
    ["min", [1, 2, 3, 345, 5, 6, 7], "1"],
    ["minf", [f(1.4), 2, 3, f(345.6), 5, 6, 7], "1.4"],
    ["ceil", [123], "123"],
    ["ceil", ["123.01"], "124"],
    ["floor", [f(123.9999)], "123"],
    ["floor", ["123.9999"], "123"],
    ["round", [f(123.5555), 3], "123.556"],
    ["round", ["123.55555", 3], "123.556"],
    ["round", [f(123.500001), 0], "124"],
    ["round", [f(123.49999999), 0], "123"],
    ["round", [f(123.2329999), 2, f(0.3)], "123.23"],
    ["round", [f(123.233), 2, f(0.3)], "123.24"],
    ["seq", [0, 1, 3], "0 1 2 3"],
    ["seq", [0, 3, 10], "0 3 6 9"],
    ["seq", [3, 3, 2], ""],
    ["seq", [3, -3, 2], "3"],
    ["seq", [], ""],
    ["seq", [0, 4], "0 1 2 3 4"],
    ["seq", [5], "1 2 3 4 5"],
    ["seq", [-5], "1 0 -1 -2 -3 -4 -5"],
    ["seq", [0], "1 0"],
    ["seq", [0, 1, 2, 3], ""],
    ["seq", [0, -4], "0 -1 -2 -3 -4"],
    ["atoi", ["42"], "42"],
    ["atoi", ["-7"], "-7"],
    ["atoi", ["4x"], "0"],
    ["atoi", ["0x10"], "0"],
    ["int", ["0x10"], "16"],
    ["int", ["010"], "8"],
    ["int", [f(3.9)], "3"],
    ["int", [true], "1"],
    ["int", ["frankie"], "0"],
    ["int64", ["102"], "102"],
    ["float64", ["102"], "102"],
    ["float64", ["frankie"], "0"],
    ["float64", [true], "1"],
    ["toDecimal", ["0777"], "511"],
    ["toDecimal", [777], "511"],
    ["toDecimal", ["abc"], "0"],
  ])("%s %j", (name, args, expected) => {
    expect(printed(name, args)).toBe(expected);
  });

  it("keeps integer math in ints and float math in float64s", () => {
    expect(callFunction("add", [1, 2])).toBe(3);
    expect(callFunction("float64", [1])).toEqual(f(1));
    expect(callFunction("ceil", [1])).toEqual(f(1));
  });

  it("fails on division by zero as Go's runtime does", () => {
    expect(() => callFunction("div", [1, 0])).toThrow("runtime error: integer divide by zero");
    expect(() => callFunction("mod", [1, 0])).toThrow("runtime error: integer divide by zero");
  });
});
