import { describe, expect, it } from "vitest";
import type { GoObject, GoValue } from "../model.js";
import { formatDuration, formatGoTime, parseGoTime } from "./date.js";
import { callFunction, testContext } from "./test-support.js";

const at = (seconds: number, zone = "UTC") => ({ milliseconds: seconds * 1000, nanoseconds: 0, zone });
// 2023-11-14 22:13:20 UTC, a Tuesday.
const instant = 1_700_000_000;

// Go's time.Format layouts (time/format.go) over fixed instants.
describe("Go time layouts", () => {
  it.each<[string, string]>([
    ["2006-01-02", "2023-11-14"],
    ["2006-01-02T15:04:05Z07:00", "2023-11-14T22:13:20Z"],
    ["Mon Jan _2 15:04:05 MST 2006", "Tue Nov 14 22:13:20 UTC 2023"],
    ["Monday, 02-Jan-06 15:04:05 MST", "Tuesday, 14-Nov-23 22:13:20 UTC"],
    ["January 2, 2006 3:04:05 PM", "November 14, 2023 10:13:20 PM"],
    ["3:04pm", "10:13pm"],
    ["002 __2", "318 318"],
    ["-0700 -07:00 -07", "+0000 +00:00 +00"],
    ["15:04:05.000", "22:13:20.000"],
    ["15:04:05.999", "22:13:20"],
    ["20060102150405", "20231114221320"],
  ])("%s", (layout, expected) => {
    expect(formatGoTime(at(instant), layout)).toBe(expected);
  });

  it("formats in IANA zones", () => {
    expect(formatGoTime(at(instant, "Europe/Berlin"), "2006-01-02 15:04:05 -07:00 Z07:00")).toBe(
      "2023-11-14 23:13:20 +01:00 +01:00",
    );
    expect(formatGoTime(at(instant, "Asia/Kolkata"), "15:04 -0700")).toBe("03:43 +0530");
    expect(formatGoTime(at(0, "America/New_York"), "2006-01-02 15:04 MST")).toBe("1969-12-31 19:00 EST");
  });

  it("writes durations as Go's Duration.String", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(90e9)).toBe("1m30s");
    expect(formatDuration(3600e9)).toBe("1h0m0s");
    expect(formatDuration(1.5e9)).toBe("1.5s");
    expect(formatDuration(-5e9)).toBe("-5s");
    expect(formatDuration(2e6)).toBe("2ms");
  });
});

// Go's time.Parse (time/format.go) in UTC, as Sprig's toDate calls it with Local.
describe("Go time parsing (toDate)", () => {
  const parsed = (layout: string, value: string) =>
    formatGoTime(parseGoTime(layout, value), "2006-01-02T15:04:05.999999999Z07:00");
  it.each<[string, string, string]>([
    ["2006-01-02", "2017-12-31", "2017-12-31T00:00:00Z"],
    ["2006-01-02T15:04:05Z07:00", "2023-11-14T22:13:20+01:00", "2023-11-14T21:13:20Z"],
    ["2006-01-02T15:04:05Z07:00", "2023-11-14T22:13:20Z", "2023-11-14T22:13:20Z"],
    ["2006-01-02 15:04:05", "2023-11-14 22:13:20.123", "2023-11-14T22:13:20.123Z"],
    ["2006-01-02 15:04:05.000000", "2023-11-14 22:13:20.000001", "2023-11-14T22:13:20.000001Z"],
    ["Jan _2 2006 3:04PM", "Nov  4 2023 1:05PM", "2023-11-04T13:05:00Z"],
    ["January 2, 06 3pm", "march 5, 70 12am", "1970-03-05T00:00:00Z"],
    ["Mon, 02 Jan 2006 15:04:05 -0700", "Tue, 14 Nov 2023 22:13:20 -0530", "2023-11-15T03:43:20Z"],
    ["02/01/2006", "31/12/0099", "0099-12-31T00:00:00Z"],
  ])("%s reads %s", (layout, value, expected) => {
    expect(parsed(layout, value)).toBe(expected);
  });

  it("fails with Go's messages", () => {
    expect(() => parseGoTime("2006-01-02", "2017/12/31")).toThrow(
      'parsing time "2017/12/31" as "2006-01-02": cannot parse "/12/31" as "-"',
    );
    expect(() => parseGoTime("2006-01-02", "2017-02-30")).toThrow('parsing time "2017-02-30": day out of range');
    expect(() => parseGoTime("2006", "2017x")).toThrow('parsing time "2017x": extra text: "x"');
  });

  it("gives Go's zero time from toDate on failure, fails in mustToDate (Sprig's TestToDate)", () => {
    expect(callFunction("date", ["02/01/2006", callFunction("toDate", ["2006-01-02", "2017-12-31"])])).toBe(
      "31/12/2017",
    );
    expect(callFunction("date", ["2006-01-02 15:04:05", callFunction("toDate", ["2006-01-02", "nope"])])).toBe(
      "0001-01-01 00:00:00",
    );
    expect(() => callFunction("mustToDate", ["2006-01-02", "nope"])).toThrow('cannot parse "nope" as "2006"');
  });
});

// Sprig v3.2.3's date_test.go and date.go rules.
describe("Sprig date functions", () => {
  it.each<[string, GoValue[], string]>([
    ["date", ["2006-01-02", 0], "1970-01-01"],
    ["date", ["2006-01-02 15:04", instant], "2023-11-14 22:13"],
    ["dateInZone", ["2006-01-02 15:04 MST", instant, "UTC"], "2023-11-14 22:13 UTC"],
    ["dateInZone", ["15:04", instant, "Europe/Berlin"], "23:13"],
    ["dateInZone", ["15:04", instant, "No/Such_Zone"], "22:13"],
    ["date_in_zone", ["15:04", instant, "UTC"], "22:13"],
    ["htmlDate", [instant], "2023-11-14"],
    ["htmlDateInZone", [instant, "Pacific/Auckland"], "2023-11-15"],
    ["duration", ["90"], "1m30s"],
    ["duration", [3600], "1h0m0s"],
    ["duration", ["x"], "0s"],
    ["duration", ["93784"], "26h3m4s"],
    ["durationRound", ["2h5s"], "2h"],
    ["durationRound", ["24h5s"], "1d"],
    ["durationRound", ["2400h5s"], "3mo"],
    ["durationRound", [90e9], "1m"],
  ])("%s %j", (name, args, expected) => {
    expect(callFunction(name, args)).toBe(expected);
  });

  it("reads the clock in now, and modifies and formats times", () => {
    const before = Math.floor(Date.now() / 1000);
    const now = callFunction("now", []);
    const epoch = Number(callFunction("unixEpoch", [now]));
    expect(epoch).toBeGreaterThanOrEqual(before);
    const later = callFunction("dateModify", ["1.5h", now]);
    expect(Number(callFunction("unixEpoch", [later])) - epoch).toBe(5400);
    const earlier = callFunction("dateModify", ["-1h", now]);
    expect(epoch - Number(callFunction("unixEpoch", [earlier]))).toBe(3600);
    expect(callFunction("dateModify", ["nonsense", now])).toBe(now);
    expect(() => callFunction("mustDateModify", ["nonsense", now])).toThrow('time: invalid duration "nonsense"');
    const format = (now as GoObject).methods.Format;
    expect(format?.(["2006"], testContext("Format"))).toBe(String(new Date().getUTCFullYear()));
    expect(callFunction("ago", [before - 60])).toMatch(/^1m\d+s$/);
  });

  it("takes a date that is neither a time nor an int as now, as Sprig", () => {
    expect(callFunction("date", ["2006", "1700000000"])).toBe(String(new Date().getUTCFullYear()));
  });
});
