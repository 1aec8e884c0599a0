import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GitMapping, GitRevision, GitSource } from "@stages/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { routeRemoteMappings } from "./remote-routing.js";
import { createRemoteGitSource } from "./remote-source.js";
import { createTestRepository, type TestRepository } from "./test-repository.js";

let upstream: TestRepository;
let bare: string;
let url: string;
let cacheDir: string;
let scratch: string;

beforeEach(() => {
  upstream = createTestRepository({ "src/a.txt": "a1\n", "src/b.txt": "b1\n", "README.md": "readme\n" });
  scratch = mkdtempSync(join(tmpdir(), "stages-remote-test-"));
  bare = join(scratch, "upstream.git");
  execFileSync("git", ["clone", "--quiet", "--bare", upstream.root, bare]);
  url = `file://${bare}`;
  cacheDir = join(scratch, "cache");
});

afterEach(() => {
  upstream.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

function mapping(revision: GitRevision | null, extra: Partial<GitMapping> = {}): GitMapping {
  return {
    id: "git-0",
    add: "/src",
    to: "/app",
    includePaths: [],
    excludePaths: [],
    owner: null,
    group: null,
    stageDependencies: { beforeInstall: [], install: [], beforeSetup: [], setup: [] },
    remote: { url, revision, basicAuth: null },
    position: { file: "werf.yaml", line: 1, column: 1 },
    ...extra,
  };
}

/** A fresh source (one CLI command) over the shared cache, counting its network fetches. */
function source(): { git: GitSource; fetches: string[] } {
  const fetches: string[] = [];
  return { git: createRemoteGitSource({ cacheDir, onFetch: (what) => fetches.push(what) }), fetches };
}

function commitUpstream(files: Record<string, string>, message = "change"): string {
  for (const [path, content] of Object.entries(files)) upstream.write(path, content);
  upstream.commitAll(message);
  upstream.git("push", "--quiet", bare, "HEAD:main");
  return upstream.git("rev-parse", "HEAD").trim();
}

const main: GitRevision = { kind: "branch", name: "main" };

describe("createRemoteGitSource", () => {
  it("reads a branch's files from the commit it is at, with the commit", async () => {
    const { git } = source();
    const content = await git.content(mapping(main));
    expect(content.commit).toBe(upstream.git("rev-parse", "HEAD").trim());
    expect(content.files.map((file) => file.path)).toEqual(["a.txt", "b.txt"]);
    expect(Buffer.from(await git.readFile(mapping(main), "a.txt")).toString()).toBe("a1\n");
    await expect(git.readFile(mapping(main), "../README.md")).rejects.toThrow(/not a path inside/);
    // One mirror, no lock or temporary directory left behind.
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  it("gives the same content id as the work tree source for the same files", async () => {
    const { createGitSource } = await import("./git-source.js");
    const local = createGitSource({ workTree: upstream.root });
    const { git } = source();
    const localMapping = { ...mapping(null), remote: undefined } as GitMapping;
    delete localMapping.remote;
    expect((await git.content(mapping(null))).contentId).toBe((await local.content(localMapping)).contentId);
  });

  it("reads the remote's default branch when no revision is given", async () => {
    upstream.git("checkout", "--quiet", "-b", "other");
    upstream.write("src/a.txt", "other\n");
    upstream.commitAll("other");
    upstream.git("push", "--quiet", bare, "other");
    execFileSync("git", ["-C", bare, "symbolic-ref", "HEAD", "refs/heads/other"]);
    const { git } = source();
    const content = await git.content(mapping(null));
    expect(content.commit).toBe(upstream.git("rev-parse", "other").trim());
    expect(Buffer.from(await git.readFile(mapping(null), "a.txt")).toString()).toBe("other\n");
  });

  it("reads a tag and a commit, fetching only what the mirror lacks", async () => {
    const first = upstream.git("rev-parse", "HEAD").trim();
    upstream.git("tag", "v1");
    upstream.git("push", "--quiet", bare, "v1");
    commitUpstream({ "src/a.txt": "a2\n" });

    const one = source();
    expect((await one.git.content(mapping({ kind: "tag", name: "v1" }))).commit).toBe(first);
    expect((await one.git.content(mapping({ kind: "commit", name: first }))).commit).toBe(first);
    // The tag brought its commit along: the commit needs no fetch of its own.
    expect(one.fetches).toEqual([`${url} (tag v1)`]);

    // The next command finds both in the mirror: no network at all.
    const two = source();
    expect((await two.git.content(mapping({ kind: "tag", name: "v1" }))).commit).toBe(first);
    expect((await two.git.content(mapping({ kind: "commit", name: first }))).commit).toBe(first);
    expect((await two.git.content(mapping({ kind: "commit", name: first.slice(0, 12) }))).commit).toBe(first);
    expect(two.fetches).toEqual([]);
    // With no way to reach the remote, a present commit still resolves.
    rmSync(bare, { recursive: true, force: true });
    const three = source();
    expect((await three.git.content(mapping({ kind: "commit", name: first }))).commit).toBe(first);
    expect(three.fetches).toEqual([]);
  });

  it("fetches a branch once per command, and every command", async () => {
    const one = source();
    await one.git.content(mapping(main));
    await one.git.content(mapping(main, { id: "git-1", add: "/" }));
    await one.git.dependenciesChecksum(mapping(main), ["*.txt"]);
    expect(one.fetches).toEqual([`${url} (branch main)`]);
    const two = source();
    await two.git.content(mapping(main));
    expect(two.fetches).toEqual([`${url} (branch main)`]);
  });

  it("changes the content id when a new commit changes mapped files, and only then", async () => {
    const before = await source().git.content(mapping(main));
    const outside = commitUpstream({ "README.md": "changed\n" });
    const unchanged = await source().git.content(mapping(main));
    expect(unchanged.commit).toBe(outside);
    expect(unchanged.contentId).toBe(before.contentId);

    commitUpstream({ "src/a.txt": "a2\n", "src/c.txt": "c\n" });
    upstream.remove("src/b.txt");
    commitUpstream({});
    const { git } = source();
    const after = await git.content(mapping(main));
    expect(after.contentId).not.toBe(before.contentId);
    expect(after.files.map((file) => file.path)).toEqual(["a.txt", "c.txt"]);
    const diff = await git.diff(mapping(main), before.contentId, after.contentId);
    expect(diff).toEqual({
      added: [expect.objectContaining({ path: "c.txt" })],
      changed: [expect.objectContaining({ path: "a.txt" })],
      deleted: ["b.txt"],
    });
  });

  it("finds a content another host computed in the branch's history", async () => {
    const first = upstream.git("rev-parse", "HEAD").trim();
    const old = await source().git.content(mapping({ kind: "commit", name: first }));
    rmSync(cacheDir, { recursive: true, force: true });
    commitUpstream({ "src/a.txt": "a2\n" });
    const { git } = source();
    const now = await git.content(mapping(main));
    expect(await git.diff(mapping(main), old.contentId, now.contentId)).toEqual({
      added: [],
      changed: [expect.objectContaining({ path: "a.txt" })],
      deleted: [],
    });
  });

  it("computes stageDependencies checksums from the commit", async () => {
    const install = (await source().git.dependenciesChecksum(mapping(main), ["a.txt"])) as string;
    commitUpstream({ "src/b.txt": "b2\n" });
    expect(await source().git.dependenciesChecksum(mapping(main), ["a.txt"])).toBe(install);
    commitUpstream({ "src/a.txt": "a2\n" });
    expect(await source().git.dependenciesChecksum(mapping(main), ["a.txt"])).not.toBe(install);
  });

  it("applies includePaths and excludePaths", async () => {
    const content = await source().git.content(mapping(main, { add: "/", excludePaths: ["src/b.txt"] }));
    expect(content.files.map((file) => file.path)).toEqual(["README.md", "src/a.txt"]);
    await expect(
      source().git.readFile(mapping(main, { add: "/", excludePaths: ["src/b.txt"] }), "src/b.txt"),
    ).rejects.toThrow(/not selected/);
  });

  it("lets concurrent commands share one fresh cache", async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => source().git.content(mapping(main))));
    expect(new Set(results.map((result) => result.contentId)).size).toBe(1);
    expect(readdirSync(cacheDir).filter((name) => name.includes(".tmp-") || name.endsWith(".lock"))).toEqual([]);
  });

  it("says clearly when a branch, a tag or a commit is missing", async () => {
    await expect(source().git.content(mapping({ kind: "branch", name: "nope" }))).rejects.toThrow(
      /cannot fetch file:\/\/.* \(branch nope\)/,
    );
    await expect(source().git.content(mapping({ kind: "commit", name: "0".repeat(40) }))).rejects.toThrow(
      `commit ${"0".repeat(40)} is not in ${url}`,
    );
  });

  it("takes over a lock left by a process that is gone", async () => {
    const { git } = source();
    await git.content(mapping(main));
    const [mirror] = readdirSync(cacheDir);
    // A pid that cannot be alive on this host.
    writeFileSync(join(cacheDir, `${mirror}.lock`), `${(await import("node:os")).hostname()} 2147483646\n`);
    expect((await source().git.content(mapping(main))).files).toHaveLength(2);
  });
});

describe("routeRemoteMappings", () => {
  it("sends remote mappings to the remote source and the others to the work tree", async () => {
    const { createGitSource } = await import("./git-source.js");
    const local = createGitSource({ workTree: upstream.root });
    const routed = routeRemoteMappings(local, source().git);
    commitUpstream({ "src/a.txt": "pushed\n" });
    upstream.write("src/a.txt", "edited in the work tree\n");
    const localMapping = mapping(null);
    delete localMapping.remote;
    expect(Buffer.from(await routed.readFile(mapping(main), "a.txt")).toString()).toBe("pushed\n");
    expect(Buffer.from(await routed.readFile(localMapping, "a.txt")).toString()).toBe("edited in the work tree\n");
    expect(routed.history).toBe(local.history);
  });
});
