import { describe, expect, it } from "vitest";
import { applyChmod, copyDestination, xattrsOf } from "./dockerfile-copy-target.js";
import type { TarEntry } from "./tar.js";

describe("copyDestination", () => {
  it.each([
    ["/dst", "", { path: "/dst", directory: false }],
    ["/dst/", "", { path: "/dst", directory: true }],
    ["dst", "", { path: "/dst", directory: false }],
    ["dst", "/w", { path: "/w/dst", directory: false }],
    ["dst/", "/w/", { path: "/w/dst", directory: true }],
    [".", "/w", { path: "/w", directory: true }],
    ["./", "/w", { path: "/w", directory: true }],
    ["", "/w", { path: "/w", directory: true }],
    // BuildKit joins (and so cleans) before looking at the written form: "x/." is no directory.
    ["x/.", "/w", { path: "/w/x", directory: false }],
    ["../up", "/w/a", { path: "/w/up", directory: false }],
    ["/", "/w", { path: "/", directory: true }],
    ["//a//b/", "/w", { path: "/a/b", directory: true }],
    ["rel", "w", { path: "/w/rel", directory: false }],
  ])("%j in %j is %j", (written, workingDir, expected) => {
    expect(copyDestination(written, workingDir)).toEqual(expected);
  });
});

describe("applyChmod", () => {
  it("replaces the permission bits and keeps setuid, setgid and sticky of the source", () => {
    expect(applyChmod(0o644, null)).toBe(0o644);
    expect(applyChmod(0o100755, null)).toBe(0o755);
    expect(applyChmod(0o644, 0o600)).toBe(0o600);
    expect(applyChmod(0o4750, 0o755)).toBe(0o4755);
    // --chmod=4755 does not set setuid: BuildKit takes the permission bits only.
    expect(applyChmod(0o644, 0o4755)).toBe(0o755);
  });
});

describe("xattrsOf", () => {
  it("keeps the extended attributes of an entry and nothing else of its PAX records", () => {
    const warnings: string[] = [];
    const header = {
      name: "ping",
      pax: {
        path: "an/old/long/name",
        "SCHILY.xattr.security.capability": "\u0001\u0000\u0000\u0002",
        "SCHILY.xattr.user.broken": "a\uFFFDb",
      },
    } as unknown as TarEntry["header"];
    expect(xattrsOf(header, "/bin/ping", (text) => warnings.push(text))).toEqual({
      "SCHILY.xattr.security.capability": "\u0001\u0000\u0000\u0002",
    });
    expect(warnings).toEqual([
      "the extended attribute user.broken of /bin/ping is not copied (stages cannot carry its bytes yet)",
    ]);
    expect(xattrsOf({ name: "x" } as TarEntry["header"], "/x", () => {})).toBeUndefined();
  });
});
