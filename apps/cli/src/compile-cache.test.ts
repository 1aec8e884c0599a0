import { describe, expect, it } from "vitest";
import { compileCacheDirectory } from "./compile-cache.js";

describe("compileCacheDirectory", () => {
  it("is under XDG_CACHE_HOME, else ~/.cache", () => {
    expect(compileCacheDirectory({ XDG_CACHE_HOME: "/var/cache/me" }, "/home/me")).toBe(
      "/var/cache/me/stages/compile-cache",
    );
    expect(compileCacheDirectory({}, "/home/me")).toBe("/home/me/.cache/stages/compile-cache");
  });

  it("ignores an empty or relative XDG_CACHE_HOME, as the XDG spec says", () => {
    expect(compileCacheDirectory({ XDG_CACHE_HOME: "" }, "/home/me")).toBe("/home/me/.cache/stages/compile-cache");
    expect(compileCacheDirectory({ XDG_CACHE_HOME: "cache" }, "/home/me")).toBe("/home/me/.cache/stages/compile-cache");
  });
});
