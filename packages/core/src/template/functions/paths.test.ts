import { describe, expect, it } from "vitest";
import type { GoValue } from "../model.js";
import { callFunction } from "./test-support.js";

// Vectors from Go's path package tests (path_test.go: cleantests, basetests, dirtests, exttests).
describe("Sprig path functions", () => {
  it.each<[string, string, GoValue]>([
    ["clean", "", "."],
    ["clean", "abc/def/", "abc/def"],
    ["clean", "abc//def//ghi", "abc/def/ghi"],
    ["clean", "abc/./def", "abc/def"],
    ["clean", "abc/def/../ghi/../jkl", "abc/jkl"],
    ["clean", "/../abc", "/abc"],
    ["clean", "../../abc", "../../abc"],
    ["clean", "abc/../..", ".."],
    ["base", "", "."],
    ["base", ".", "."],
    ["base", "/.", "."],
    ["base", "/", "/"],
    ["base", "////", "/"],
    ["base", "x/", "x"],
    ["base", "abc", "abc"],
    ["base", "a/b/c.x", "c.x"],
    ["dir", "", "."],
    ["dir", "/", "/"],
    ["dir", "x", "."],
    ["dir", "x/", "x"],
    ["dir", "abc/def", "abc"],
    ["dir", "/a/b/c.x", "/a/b"],
    ["dir", "a/b/c/../../d", "a"],
    ["ext", "path.go", ".go"],
    ["ext", "path.pb.go", ".go"],
    ["ext", "a.dir/b", ""],
    ["ext", "a.dir/b.go", ".go"],
    ["ext", "a.dir/", ""],
    ["isAbs", "/etc", true],
    ["isAbs", "etc", false],
    ["osBase", "a/b", "b"],
  ])("%s %j", (name, path, expected) => {
    expect(callFunction(name, [path])).toBe(expected);
  });
});
