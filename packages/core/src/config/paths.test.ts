import { describe, expect, it } from "vitest";
import { isAbsolutePath, normalizeImagePath, normalizeRepositoryPath } from "./paths.js";

describe("normalizeRepositoryPath", () => {
  it.each([
    ["/", "/"],
    ["", "/"],
    [".", "/"],
    ["src", "/src"],
    ["src/", "/src"],
    ["/src//lib/", "/src/lib"],
    ["./src/./lib", "/src/lib"],
  ])("%j is %j", (path, normalized) => {
    expect(normalizeRepositoryPath(path)).toBe(normalized);
  });

  it("refuses ..", () => {
    expect(normalizeRepositoryPath("../other")).toBeNull();
    expect(normalizeRepositoryPath("src/../lib")).toBeNull();
  });
});

describe("normalizeImagePath", () => {
  it.each([
    ["/", "/"],
    ["/app/", "/app"],
    ["//usr//local/bin/", "/usr/local/bin"],
    ["/app/./x/../y", "/app/y"],
    ["/..", "/"],
  ])("%j is %j", (path, normalized) => {
    expect(normalizeImagePath(path)).toBe(normalized);
  });

  it("knows absolute paths", () => {
    expect(isAbsolutePath("/app")).toBe(true);
    expect(isAbsolutePath("app")).toBe(false);
  });
});
