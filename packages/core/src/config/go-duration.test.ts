import { describe, expect, it } from "vitest";
import { formatGoDuration, parseGoDuration } from "./go-duration.js";

describe("parseGoDuration", () => {
  it.each([
    ["168h", 168 * 3_600_000],
    ["30m", 1_800_000],
    ["1h30m", 5_400_000],
    ["72h0m0s", 72 * 3_600_000],
    ["1.5h", 5_400_000],
    [".5s", 500],
    ["5.s", 5000],
    ["300ms", 300],
    ["1500us", 1.5],
    ["1500\u00b5s", 1.5],
    ["2000000ns", 2],
    ["1.h.5m", 3_630_000],
    ["0", 0],
    ["+2h", 7_200_000],
    ["2562047h", 2562047 * 3_600_000],
  ])("%s is %d ms", (text, milliseconds) => {
    expect(parseGoDuration(text)).toEqual({ ok: true, milliseconds });
  });

  it.each([
    ["", "it is empty"],
    ["7d", 'unknown unit "d"'],
    ["1h30", "missing unit after 30"],
    ["h", 'expected a number at "h"'],
    ["1h.", 'expected a number at "."'],
    ["1.h.5m-is-go-valid", 'unknown unit "m-is-go-valid"'],
    ["-1h", "a duration must not be negative"],
    ["2562048h", "it is longer than Go's largest duration (2562047h)"],
    ["1 h", 'unknown unit " h"'],
  ])("refuses %j: %s", (text, problem) => {
    expect(parseGoDuration(text)).toEqual({ ok: false, problem });
  });
});

describe("formatGoDuration", () => {
  it.each([
    [168 * 3_600_000, "168h"],
    [5_400_000, "1h30m"],
    [90_000, "1m30s"],
    [1500, "1.5s"],
    [300, "300ms"],
    [0, "0s"],
  ])("%d ms is %s", (milliseconds, text) => {
    expect(formatGoDuration(milliseconds)).toBe(text);
  });
});
