import { describe, expect, it } from "vitest";
import { dockerImageName, isImageName, isProjectName, nameHint } from "./names.js";

describe("isProjectName", () => {
  it.each(["taxi", "my-app", "a.b_c-d", "x1"])("accepts %j", (name) => {
    expect(isProjectName(name)).toBe(true);
  });
  it.each(["", "Taxi", "my--app", "-app", "app-", "a/b", "a b", "a__b"])("rejects %j", (name) => {
    expect(isProjectName(name)).toBe(false);
  });
});

describe("isImageName", () => {
  it.each([
    "backend",
    "team/backend",
    "a.b",
    "a__b",
    "a---b",
    "x/y/z",
    "Backend",
    "Team/MyApp",
  ])("accepts %j", (name) => {
    expect(isImageName(name)).toBe(true);
  });
  it.each(["", "My App", "a/", "/a", "a//b", "a..b", "a:b", "a@b", "_a", "x".repeat(256)])("rejects %j", (name) => {
    expect(isImageName(name)).toBe(false);
  });
});

describe("nameHint", () => {
  it("proposes a valid spelling", () => {
    expect(nameHint("My App", false)).toContain('e.g. "my-app"');
    expect(nameHint("Team/Back End", true)).toContain('e.g. "Team/Back-End"');
  });
  it("states the rule when nothing close is valid", () => {
    expect(nameHint("---", false)).toBe('use lowercase letters and digits, joined by single ".", "_" or "-"');
  });
});

describe("dockerImageName", () => {
  it("lower-cases a name werf accepts with capitals", () => {
    expect(dockerImageName("Team/MyApp")).toBe("team/myapp");
    expect(dockerImageName("backend")).toBe("backend");
  });
});
