import { describe, expect, it } from "vitest";
import { callFunction } from "./test-support.js";

// Sprig v3.2.3's TestRandomString, TestUUIDGeneration and TestRandomInt: shapes, not values.
describe("Sprig random functions", () => {
  it("makes strings of the asked length from their alphabets", () => {
    expect(callFunction("randAlphaNum", [5])).toMatch(/^[A-Za-z0-9]{5}$/);
    expect(callFunction("randAlpha", [5])).toMatch(/^[A-Za-z]{5}$/);
    expect(callFunction("randNumeric", [5])).toMatch(/^[0-9]{5}$/);
    expect(callFunction("randAscii", [5])).toMatch(/^[ -~]{5}$/);
    expect(atob(callFunction("randBytes", [12]) as string)).toHaveLength(12);
  });

  it("makes version 4 UUIDs, different each time", () => {
    const first = callFunction("uuidv4", []);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(callFunction("uuidv4", [])).not.toBe(first);
  });

  it("draws randInt from [min, max)", () => {
    for (let index = 0; index < 50; index += 1) {
      const value = callFunction("randInt", [3, 6]) as number;
      expect(value).toBeGreaterThanOrEqual(3);
      expect(value).toBeLessThan(6);
    }
    expect(() => callFunction("randInt", [5, 5])).toThrow("invalid argument to Intn");
  });

  it("shuffles a string's runes, as xstrings.Shuffle (Sprig's test seeds Go's math/rand: the same letters here)", () => {
    const sorted = (text: string) => [...text].sort().join("");
    const seen = new Set<string>();
    for (let index = 0; index < 20; index += 1) {
      const shuffled = callFunction("shuffle", ["Hello World"]) as string;
      expect(sorted(shuffled)).toBe(sorted("Hello World"));
      seen.add(shuffled);
    }
    expect(seen.size).toBeGreaterThan(1);
    expect(callFunction("shuffle", ["héé😀"])).toHaveLength("héé😀".length);
    expect(sorted(callFunction("shuffle", ["héé😀"]) as string)).toBe(sorted("héé😀"));
    expect(callFunction("shuffle", [""])).toBe("");
  });
});
