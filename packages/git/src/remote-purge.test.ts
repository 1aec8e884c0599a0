import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GitMapping } from "@stages/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { purgeRemoteMirrors, remoteCacheDirectory } from "./remote-purge.js";
import { createRemoteGitSource } from "./remote-source.js";
import { createTestRepository, type TestRepository } from "./test-repository.js";

let upstream: TestRepository;
let scratch: string;
let cacheDir: string;
let url: string;

beforeEach(() => {
  upstream = createTestRepository({ "src/a.txt": "a1\n" });
  scratch = mkdtempSync(join(tmpdir(), "stages-remote-purge-"));
  const bare = join(scratch, "upstream.git");
  execFileSync("git", ["clone", "--quiet", "--bare", upstream.root, bare]);
  url = `file://${bare}`;
  cacheDir = remoteCacheDirectory(join(scratch, "state"), "demo");
});

afterEach(() => {
  upstream.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

const mapping = (): GitMapping => ({
  id: "git-0",
  add: "/src",
  to: "/app",
  includePaths: [],
  excludePaths: [],
  owner: null,
  group: null,
  stageDependencies: { beforeInstall: [], install: [], beforeSetup: [], setup: [] },
  remote: { url, revision: { kind: "branch", name: "main" }, basicAuth: null },
  position: { file: "werf.yaml", line: 1, column: 1 },
});

describe("purgeRemoteMirrors", () => {
  it("is nothing to do when the project never mirrored anything", async () => {
    expect(await purgeRemoteMirrors(cacheDir, { dryRun: false })).toEqual([]);
  });

  it("lists the mirrors in a dry run, removes them otherwise, and the next build clones again", async () => {
    const fetches: string[] = [];
    const git = createRemoteGitSource({ cacheDir, onFetch: (what) => fetches.push(what) });
    await git.content(mapping());
    const [mirror] = readdirSync(cacheDir).filter((name) => /^[0-9a-f]{32}$/.test(name));
    expect(mirror).toBeDefined();
    // What an interrupted purge left goes too; another project's cache stays.
    mkdirSync(join(cacheDir, `${mirror}.purge-0a0b`));
    const other = remoteCacheDirectory(join(scratch, "state"), "other");
    mkdirSync(join(other, "f".repeat(32)), { recursive: true });

    const listed = await purgeRemoteMirrors(cacheDir, { dryRun: true });
    expect(listed).toEqual([join(cacheDir, mirror as string)]);
    expect(existsSync(join(cacheDir, mirror as string, "HEAD"))).toBe(true);

    expect(await purgeRemoteMirrors(cacheDir, { dryRun: false })).toEqual(listed);
    expect(readdirSync(cacheDir)).toEqual([]);
    expect(existsSync(join(other, "f".repeat(32)))).toBe(true);

    const again = createRemoteGitSource({ cacheDir, onFetch: (what) => fetches.push(what) });
    const content = await again.content(mapping());
    expect(content.commit).toBe(upstream.git("rev-parse", "HEAD").trim());
    expect(fetches).toHaveLength(2);
  });

  it("waits for a fetch in progress (its lock) before removing a mirror", async () => {
    const mirror = join(cacheDir, "a".repeat(32));
    mkdirSync(mirror, { recursive: true });
    writeFileSync(`${mirror}.lock`, `someone-else 1\n`);
    const purge = purgeRemoteMirrors(cacheDir, { dryRun: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(mirror)).toBe(true);
    rmSync(`${mirror}.lock`);
    expect(await purge).toEqual([mirror]);
    expect(existsSync(mirror)).toBe(false);
  });
});
