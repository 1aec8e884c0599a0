import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cacheVolume, missingPaths, stubRemoval, withPrologue } from "./dockerfile-secrets.js";

describe("withPrologue", () => {
  it("runs the argv as is when there is nothing to export", () => {
    expect(withPrologue(["make", "all"], [], []).slice(3)).toEqual(["stages-run", "make", "all"]);
  });

  it("exports ARGs exactly as given and reads each secret variable from its file, then execs the argv", () => {
    const argv = withPrologue(
      ["/bin/sh", "-c", 'printf "%s|%s|%s" "$A" "$B" "$SECRET"'],
      [
        ["A", "it's $HOME `x`"],
        ["B", "two\nlines"],
      ],
      [["SECRET", "/dev/null"]],
    );
    expect(argv.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    const run = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", env: { PATH: process.env.PATH } });
    expect(run.stdout).toBe("it's $HOME `x`|two\nlines|");
  });

  it("fails before the command when a secret's file cannot be read", () => {
    const argv = withPrologue(["echo", "ran"], [], [["SECRET", "/nonexistent/secret"]]);
    const run = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe("");
  });
});

describe("mount stubs", () => {
  it("lists what the engine makes to bind each target, deepest first", async () => {
    const existing = new Set(["/root", "/run"]);
    const paths = await missingPaths(["/run/secrets/npm", "/root/.npmrc", "/run/secrets/token"], async (path) =>
      existing.has(path),
    );
    expect(paths).toEqual(["/run/secrets/npm", "/run/secrets/token", "/root/.npmrc", "/run/secrets"]);
    expect(await missingPaths(["/etc/passwd"], async () => true)).toEqual([]);
  });

  it("removes empty stubs only: a directory the command wrote into and a file with content stay", () => {
    const root = mkdtempSync(join(tmpdir(), "stages-stubs-"));
    mkdirSync(join(root, "run/secrets"), { recursive: true });
    writeFileSync(join(root, "run/secrets/token"), "");
    mkdirSync(join(root, "app"));
    writeFileSync(join(root, "app/.npmrc"), "");
    writeFileSync(join(root, "app/built.txt"), "output");
    writeFileSync(join(root, "kept"), "content");
    const paths = ["run/secrets/token", "app/.npmrc", "run/secrets", "app", "run", "kept"].map((path) =>
      join(root, path),
    );
    const argv = stubRemoval(paths);
    try {
      expect(spawnSync(argv[0]!, argv.slice(1)).status).toBe(0);
      expect(readdirSync(root).sort()).toEqual(["app", "kept"]);
      expect(readdirSync(join(root, "app"))).toEqual(["built.txt"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("cacheVolume", () => {
  it("names one volume per project and cache id, a valid engine name however the id is written", () => {
    expect(cacheVolume("taxi", "/root/.cache/go-build")).toMatch(
      /^stages-cache-taxi-root-.cache-go-build-[0-9a-f]{8}$/,
    );
    expect(cacheVolume("taxi", "npm")).not.toBe(cacheVolume("other", "npm"));
    expect(cacheVolume("taxi", "a b")).not.toBe(cacheVolume("taxi", "a/b"));
    expect(cacheVolume("taxi", "x".repeat(200)).length).toBeLessThan(90);
  });
});
