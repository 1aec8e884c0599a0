import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GitCommitInfo, GitHistory } from "@stages/core";
import { AbortedError, GitError, UsageError } from "@stages/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGitHistory } from "./git-history.js";
import { createGitSource } from "./git-source.js";
import { createTestRepository, type TestRepository } from "./test-repository.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function repositoryWith(files: Record<string, string> = { "a.txt": "a\n" }): TestRepository {
  const repository = createTestRepository(files);
  cleanups.push(() => repository.dispose());
  return repository;
}

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "stages-git-history-"));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

function historyOf(root: string): GitHistory {
  return createGitHistory({ root });
}

async function collect(commits: AsyncIterable<GitCommitInfo>): Promise<GitCommitInfo[]> {
  const all: GitCommitInfo[] = [];
  for await (const commit of commits) all.push(commit);
  return all;
}

/** Commits `message` with a fixed committer date (ISO), returns its hash. */
function commitAt(repository: TestRepository, date: string, message: string): string {
  repository.git("add", "-A");
  repository.gitWith(
    { GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date },
    "commit",
    "-q",
    "--allow-empty",
    "-m",
    message,
  );
  return repository.git("rev-parse", "HEAD").trim();
}

/** Git processes this test process started whose command line mentions `marker` (zombies included). */
function gitChildren(marker: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // `pid (comm) state ppid ...`: comm may hold spaces, the fields after its `)` do not.
      const [state, parent] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(parent) !== process.pid) continue;
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ");
      if (state === "Z" || commandLine.includes(marker)) found.push(`${entry} ${state} ${commandLine}`);
    } catch {
      // The process ended while it was being read.
    }
  }
  return found;
}

/**
 * A repository with `count` commits on main made by `git fast-import` (a few hundred ms for 10 000),
 * every 100th commit a merge of a side branch, plus `branches` branches and `tags` tags (half annotated).
 */
function importedHistory(count: number, branches: number, tags: number): { root: string; head: string } {
  const root = temporaryDirectory();
  execFileSync("git", ["init", "-q", "-b", "main", root]);
  const start = 1_700_000_000;
  const lines: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}`;
  for (let index = 1; index <= count; index++) {
    if (index % 100 === 0) {
      // A side commit on `side`, merged by commit `index`.
      lines.push(`commit refs/heads/side`, `mark :${count + index}`);
      lines.push(`committer t <t@example.com> ${start + index * 60 - 30} +0000`, data(`side ${index}\n`));
      lines.push(`from :${index - 1}`, `M 100644 inline side.txt`, data(`${index}\n`));
    }
    lines.push(`commit refs/heads/main`, `mark :${index}`);
    lines.push(`committer t <t@example.com> ${start + index * 60} +0000`, data(`commit ${index}\n`));
    if (index > 1) lines.push(`from :${index - 1}`);
    if (index % 100 === 0) lines.push(`merge :${count + index}`);
    lines.push(`M 100644 inline file.txt`, data(`${index}\n`));
  }
  for (let index = 0; index < branches; index++) {
    lines.push(`reset refs/heads/branch-${index}`, `from :${count - index * 7}`, "");
  }
  for (let index = 0; index < tags; index++) {
    const mark = count - index * 3;
    if (index % 2 === 0) lines.push(`reset refs/tags/light-${index}`, `from :${mark}`, "");
    else {
      lines.push(`tag annotated-${index}`, `from :${mark}`);
      lines.push(`tagger t <t@example.com> ${start + mark * 60 + 5} +0000`, data(`tag ${index}\n`));
    }
  }
  execFileSync("git", ["-C", root, "fast-import", "--quiet"], { input: `${lines.join("\n")}\n` });
  const head = execFileSync("git", ["-C", root, "rev-parse", "main"], { encoding: "utf8" }).trim();
  return { root, head };
}

describe("head", () => {
  it("gives HEAD's commit, dirty when tracked files differ from it, staged or not, but not for untracked files", async () => {
    const repository = repositoryWith({ "a.txt": "a\n", "b.txt": "b\n" });
    const history = historyOf(repository.root);
    const commit = repository.git("rev-parse", "HEAD").trim();
    expect(await history.head()).toEqual({ commit, dirty: false });

    repository.write("untracked.txt", "new\n");
    expect(await history.head()).toEqual({ commit, dirty: false });

    repository.write("a.txt", "edited\n");
    expect(await history.head()).toEqual({ commit, dirty: true });

    repository.git("add", "a.txt");
    expect(await history.head()).toEqual({ commit, dirty: true });

    repository.git("reset", "-q", "--hard");
    expect(await history.head()).toEqual({ commit, dirty: false });

    repository.remove("b.txt");
    expect(await history.head()).toEqual({ commit, dirty: true });
    repository.git("checkout", "-q", "--", "b.txt");

    // A file whose stat data changed but whose content did not is clean.
    repository.write("a.txt", "a\n");
    expect(await history.head()).toEqual({ commit, dirty: false });
  });

  it("reads from a subdirectory of the work tree and on a detached HEAD", async () => {
    const repository = repositoryWith({ "app/a.txt": "a\n" });
    const first = repository.git("rev-parse", "HEAD").trim();
    repository.write("app/a.txt", "second\n");
    repository.commitAll("second");
    repository.git("checkout", "-q", "--detach", first);
    expect(await historyOf(join(repository.root, "app")).head()).toEqual({ commit: first, dirty: false });
  });

  it("is null on a branch with no commit yet and outside any repository", async () => {
    const unborn = temporaryDirectory();
    execFileSync("git", ["init", "-q", unborn]);
    expect(await historyOf(unborn).head()).toBeNull();
    expect(await historyOf(temporaryDirectory()).head()).toBeNull();
    expect(await historyOf(join(temporaryDirectory(), "missing")).head()).toBeNull();
  });

  it("works while another git process holds the index lock", async () => {
    const repository = repositoryWith({ "a.txt": "a\n" });
    const commit = repository.git("rev-parse", "HEAD").trim();
    repository.write(".git/index.lock", "");
    repository.write("a.txt", "a\n");
    expect(await historyOf(repository.root).head()).toEqual({ commit, dirty: false });
    repository.write("a.txt", "edited\n");
    expect(await historyOf(repository.root).head()).toEqual({ commit, dirty: true });
  });

  it("with refreshIndex false never writes the index", async () => {
    const repository = repositoryWith({ "a.txt": "a\n" });
    const index = join(repository.root, ".git", "index");
    repository.write("a.txt", "a\n");
    const before = readFileSync(index);
    expect(await createGitHistory({ root: repository.root, refreshIndex: false }).head()).toMatchObject({
      dirty: false,
    });
    expect(readFileSync(index).equals(before)).toBe(true);
  });
});

describe("references", () => {
  it("lists branches and tags with their commits and dates, sorted; annotated tags peeled, dated by their creation", async () => {
    const repository = repositoryWith();
    const first = commitAt(repository, "2026-01-01T10:00:00+02:00", "first");
    repository.git("checkout", "-q", "-b", "feature/x");
    repository.write("feature.txt", "f\n");
    const feature = commitAt(repository, "2026-01-02T00:00:00Z", "feature");
    repository.git("checkout", "-q", "main");
    repository.write("main.txt", "m\n");
    commitAt(repository, "2026-01-03T00:00:00Z", "main");
    repository.gitWith(
      { GIT_COMMITTER_DATE: "2026-01-04T00:00:00Z" },
      "merge",
      "-q",
      "--no-ff",
      "-m",
      "merge feature/x",
      "feature/x",
    );
    const merge = repository.git("rev-parse", "HEAD").trim();
    repository.git("tag", "v1-light", first);
    repository.gitWith({ GIT_COMMITTER_DATE: "2026-06-01T12:00:00Z" }, "tag", "-a", "-m", "release", "v1.0", first);
    repository.gitWith(
      { GIT_COMMITTER_DATE: "2026-06-02T12:00:00Z" },
      "tag",
      "-a",
      "-m",
      "again",
      "v1.0-of-tag",
      "v1.0",
    );
    // Tags of a tree and of a blob name no commit: skipped.
    repository.git("tag", "tree-tag", "HEAD^{tree}");
    repository.git("tag", "-a", "-m", "blob", "blob-tag", "HEAD:a.txt");

    expect(await historyOf(repository.root).references()).toEqual([
      { kind: "branch", name: "feature/x", commit: feature, date: "2026-01-02T00:00:00.000Z" },
      { kind: "branch", name: "main", commit: merge, date: "2026-01-04T00:00:00.000Z" },
      { kind: "tag", name: "v1-light", commit: first, date: "2026-01-01T08:00:00.000Z" },
      { kind: "tag", name: "v1.0", commit: first, date: "2026-06-01T12:00:00.000Z" },
      { kind: "tag", name: "v1.0-of-tag", commit: first, date: "2026-06-02T12:00:00.000Z" },
    ]);
  });

  it("dates an annotated tag without tagger, also one tagging a tag, by its commit", async () => {
    const repository = repositoryWith();
    const commit = commitAt(repository, "2026-05-05T05:05:05Z", "dated");
    // `git tag` always writes a tagger: the tag object is written by hand.
    const write = (object: string, type: string, name: string) => {
      repository.write(`${name}.tag`, `object ${object}\ntype ${type}\ntag ${name}\n\nno tagger\n`);
      const id = repository.git("hash-object", "-t", "tag", "-w", "--literally", `${name}.tag`).trim();
      repository.remove(`${name}.tag`);
      repository.git("update-ref", `refs/tags/${name}`, id);
      return id;
    };
    const outer = write(commit, "commit", "plain");
    write(outer, "tag", "nested");
    expect(await historyOf(repository.root).references()).toEqual([
      { kind: "branch", name: "main", commit, date: "2026-05-05T05:05:05.000Z" },
      { kind: "tag", name: "nested", commit, date: "2026-05-05T05:05:05.000Z" },
      { kind: "tag", name: "plain", commit, date: "2026-05-05T05:05:05.000Z" },
    ]);
  });

  it("gives an empty date for a date beyond what JavaScript holds, which cleanup reads as new", async () => {
    const root = temporaryDirectory();
    execFileSync("git", ["init", "-q", "-b", "main", root]);
    execFileSync("git", ["-C", root, "fast-import", "--quiet"], {
      input: "commit refs/heads/main\ncommitter t <t@example.com> 99999999999999 +0000\ndata 4\nfar\n\n",
    });
    const history = historyOf(root);
    const [reference] = await history.references();
    expect(reference).toMatchObject({ kind: "branch", name: "main", date: "" });
    expect(await collect(history.commits(reference?.commit ?? ""))).toEqual([{ hash: reference?.commit, date: "" }]);
  });

  it("names remote-tracking branches without their remote, skips origin/HEAD, and forgets deleted branches", async () => {
    const upstream = repositoryWith();
    const main = upstream.git("rev-parse", "HEAD").trim();
    upstream.git("checkout", "-q", "-b", "feature/x");
    const feature = commitAt(upstream, "2026-02-01T00:00:00Z", "feature");
    upstream.git("checkout", "-q", "main");
    const bare = join(temporaryDirectory(), "bare.git");
    upstream.git("clone", "-q", "--bare", upstream.root, bare);
    const clone = join(temporaryDirectory(), "clone");
    upstream.git("clone", "-q", bare, clone);
    const inClone = (...args: string[]) => upstream.git("-C", clone, ...args);
    expect(inClone("symbolic-ref", "refs/remotes/origin/HEAD").trim()).toBe("refs/remotes/origin/main");
    // The branch was checked out here once; deleting the local branch leaves origin/feature/x.
    inClone("checkout", "-q", "feature/x");
    inClone("checkout", "-q", "main");
    inClone("branch", "-q", "-D", "feature/x");

    const history = historyOf(clone);
    // Local main and origin/main point at one commit: one reference.
    expect(await history.references()).toEqual([
      { kind: "branch", name: "feature/x", commit: feature, date: "2026-02-01T00:00:00.000Z" },
      { kind: "branch", name: "main", commit: main, date: expect.any(String) },
    ]);
    // The bare repository itself reads the same way (no work tree needed).
    expect((await historyOf(bare).references()).map((reference) => reference.name)).toEqual(["feature/x", "main"]);

    // A local main ahead of origin/main: both are branch main, each at its own commit.
    const ahead = commitAt(
      { ...upstream, git: inClone, gitWith: (env, ...args) => upstream.gitWith(env, "-C", clone, ...args) },
      "2026-03-01T00:00:00Z",
      "ahead",
    );
    const second = await history.references();
    expect(second.filter((reference) => reference.name === "main").map((reference) => reference.commit)).toEqual(
      [main, ahead].sort(),
    );

    // A second remote with the same branch at the same commit adds nothing.
    inClone("remote", "add", "mirror", bare);
    inClone("fetch", "-q", "mirror");
    expect(await history.references()).toEqual(second);

    // The branch deleted upstream and pruned here disappears.
    upstream.git("-C", bare, "branch", "-q", "-D", "feature/x");
    inClone("fetch", "-q", "--prune", "origin");
    inClone("fetch", "-q", "--prune", "mirror");
    expect((await history.references()).map((reference) => reference.name)).toEqual(["main", "main"]);
  });

  it("a local branch deleted disappears", async () => {
    const repository = repositoryWith();
    repository.git("branch", "gone");
    const history = historyOf(repository.root);
    expect((await history.references()).map((reference) => reference.name)).toEqual(["gone", "main"]);
    repository.git("branch", "-q", "-D", "gone");
    expect((await history.references()).map((reference) => reference.name)).toEqual(["main"]);
  });

  it("is empty for a repository without commits; outside a repository it is a usage error naming the directory", async () => {
    const unborn = temporaryDirectory();
    execFileSync("git", ["init", "-q", unborn]);
    expect(await historyOf(unborn).references()).toEqual([]);

    const outside = temporaryDirectory();
    const error = await historyOf(outside)
      .references()
      .catch((caught: unknown) => caught);
    expect(UsageError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("cleanup needs the project's git repository");
    expect((error as Error).message).toContain(outside);
  });

  it("reports a git that cannot be run as a GitError, from every method", async () => {
    const history = createGitHistory({ root: temporaryDirectory(), gitBinary: "/nonexistent/git" });
    for (const call of [
      () => history.references(),
      () => history.head(),
      () => collect(history.commits("0123456789abcdef")),
    ]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(GitError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain('cannot run "/nonexistent/git"');
    }
  });
});

describe("commits", () => {
  it("walks newest first through merges, with ISO committer dates", async () => {
    const repository = repositoryWith();
    const first = repository.git("rev-parse", "HEAD").trim();
    repository.git("checkout", "-q", "-b", "side");
    const side = commitAt(repository, "2026-01-02T00:00:00Z", "side");
    repository.git("checkout", "-q", "main");
    const main = commitAt(repository, "2026-01-03T00:00:00+01:00", "main");
    repository.gitWith({ GIT_COMMITTER_DATE: "2026-01-04T00:00:00Z" }, "merge", "-q", "--no-ff", "-m", "merge", "side");
    const merge = repository.git("rev-parse", "HEAD").trim();

    const commits = await collect(historyOf(repository.root).commits(merge));
    expect(commits.map((commit) => commit.hash)).toEqual(
      repository.git("log", "--format=%H", merge).trim().split("\n"),
    );
    // The initial commit is dated now: git log's order is by committer date, not by parents.
    expect(commits).toEqual([
      { hash: merge, date: "2026-01-04T00:00:00.000Z" },
      { hash: main, date: "2026-01-02T23:00:00.000Z" },
      { hash: first, date: expect.any(String) },
      { hash: side, date: "2026-01-02T00:00:00.000Z" },
    ]);
  });

  it("ends where a shallow clone's history ends", async () => {
    const repository = repositoryWith();
    for (let index = 0; index < 5; index++) commitAt(repository, `2026-01-0${index + 1}T00:00:00Z`, `c${index}`);
    const shallow = join(temporaryDirectory(), "shallow");
    repository.git("clone", "-q", "--depth", "2", `file://${repository.root}`, shallow);
    const head = repository.git("rev-parse", "HEAD").trim();
    const commits = await collect(historyOf(shallow).commits(head));
    expect(commits.map((commit) => commit.hash)).toEqual(repository.git("log", "--format=%H", "-2").trim().split("\n"));
  });

  it("refuses what is no commit hash, and a commit the repository lacks", async () => {
    const repository = repositoryWith();
    const history = historyOf(repository.root);
    const option = await collect(history.commits("--all")).catch((caught: unknown) => caught);
    expect(GitError.isInstance(option)).toBe(true);
    const missing = await collect(history.commits("0123456789abcdef0123456789abcdef01234567")).catch(
      (caught: unknown) => caught,
    );
    expect(GitError.isInstance(missing)).toBe(true);
    expect((missing as Error).message).toContain("is not in the repository");
    const outside = await collect(historyOf(temporaryDirectory()).commits("0123456789abcdef")).catch(
      (caught: unknown) => caught,
    );
    expect(UsageError.isInstance(outside)).toBe(true);
  });

  describe("on 10 000 commits", () => {
    let imported: { root: string; head: string };
    const ownCleanups: (() => void)[] = [];
    beforeAll(() => {
      imported = importedHistory(10_000, 200, 200);
      // The afterEach of the file would delete the repository after the first test.
      ownCleanups.push(...cleanups.splice(0));
    });
    afterAll(() => {
      for (const cleanup of ownCleanups) cleanup();
    });

    it("a full walk and references() are fast", async () => {
      const history = historyOf(imported.root);
      let started = performance.now();
      const commits = await collect(history.commits(imported.head));
      const walkMs = performance.now() - started;
      // 10 000 on main and 100 side commits merged into it.
      expect(commits).toHaveLength(10_100);
      expect(commits[0]).toEqual({
        hash: imported.head,
        date: new Date((1_700_000_000 + 600_000) * 1000).toISOString(),
      });

      started = performance.now();
      const references = await history.references();
      const referencesMs = performance.now() - started;
      // main, side, 200 branches, 200 tags.
      expect(references).toHaveLength(402);
      const annotated = references.find((reference) => reference.name === "annotated-1");
      expect(annotated?.date).toBe(new Date((1_700_000_000 + 9_997 * 60 + 5) * 1000).toISOString());
      console.info(
        `10 100 commits walked in ${walkMs.toFixed(0)} ms; 402 references read in ${referencesMs.toFixed(0)} ms`,
      );
      // Generous bounds for a busy CI machine: measured about 60 ms and 10 ms.
      expect(walkMs).toBeLessThan(5_000);
      expect(referencesMs).toBeLessThan(2_000);
    });

    it("stopping early kills git and waits for it: no process is left, not even a zombie", async () => {
      const history = historyOf(imported.root);
      const taken: string[] = [];
      for await (const commit of history.commits(imported.head)) {
        taken.push(commit.hash);
        // git is still writing: 10 100 lines do not fit in the pipe.
        if (taken.length === 1) expect(gitChildren(imported.root)).toHaveLength(1);
        if (taken.length === 3) break;
      }
      expect(taken).toHaveLength(3);
      expect(gitChildren(imported.root)).toEqual([]);

      // A consumer that throws stops the walk the same way.
      const thrown = await (async () => {
        for await (const _commit of history.commits(imported.head)) throw new Error("consumer failed");
      })().catch((caught: unknown) => caught);
      expect((thrown as Error).message).toBe("consumer failed");
      expect(gitChildren(imported.root)).toEqual([]);

      const iterator = history.commits(imported.head)[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
      await iterator.return?.();
      expect(gitChildren(imported.root)).toEqual([]);
    });

    it("an abort ends the walk with AbortedError and git exits", async () => {
      const history = historyOf(imported.root);
      const controller = new AbortController();
      let seen = 0;
      const error = await (async () => {
        for await (const _commit of history.commits(imported.head, { signal: controller.signal })) {
          seen++;
          if (seen === 5) controller.abort();
        }
      })().catch((caught: unknown) => caught);
      expect(AbortedError.isInstance(error)).toBe(true);
      expect(seen).toBe(5);
      expect(gitChildren(imported.root)).toEqual([]);

      const already = await collect(history.commits(imported.head, { signal: controller.signal })).catch(
        (caught: unknown) => caught,
      );
      expect(AbortedError.isInstance(already)).toBe(true);
    });
  });
});

describe("the git source", () => {
  it("carries the history of its work tree", async () => {
    const repository = repositoryWith();
    const source = createGitSource({ workTree: repository.root });
    expect(await source.history?.head()).toEqual({ commit: repository.git("rev-parse", "HEAD").trim(), dirty: false });
  });
});
