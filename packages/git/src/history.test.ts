import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gitMapping } from "@stages/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createGitSource } from "./git-source.js";
import { createTestRepository, type TestRepository } from "./test-repository.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function emptyCache(): string {
  const directory = mkdtempSync(join(tmpdir(), "stages-git-cache-"));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

describe("diff against a content another host computed", () => {
  it("finds the content in HEAD's recent history and diffs from it", async () => {
    const repository: TestRepository = createTestRepository({
      "src/a.ts": "a\n",
      "src/b.ts": "b\n",
      "README.md": "r\n",
    });
    cleanups.push(() => repository.dispose());
    const mapping = gitMapping({ add: "/src" });
    // Host A computed the content at the first commit (its own cache).
    const hostA = createGitSource({ workTree: repository.root, cacheDir: emptyCache() });
    const before = await hostA.content(mapping);
    repository.remove("src/b.ts");
    repository.write("src/c.ts", "c\n");
    repository.commitAll("second");
    repository.write("README.md", "outside the mapping\n");
    repository.commitAll("third");
    // Host B: a fresh checkout at a later commit, nothing cached.
    const hostB = createGitSource({ workTree: repository.root, cacheDir: emptyCache() });
    const after = await hostB.content(mapping);
    const diff = await hostB.diff(mapping, before.contentId, after.contentId);
    expect(diff).toEqual({ added: [expect.objectContaining({ path: "c.ts" })], changed: [], deleted: ["b.ts"] });
  });

  it("answers null for a content no recent commit has (uncommitted edits), or with the search off", async () => {
    const repository: TestRepository = createTestRepository({ "a.txt": "a\n" });
    cleanups.push(() => repository.dispose());
    const mapping = gitMapping({ includePaths: ["a.txt"] });
    repository.write("a.txt", "edited, never committed\n");
    const hostA = createGitSource({ workTree: repository.root, cacheDir: emptyCache() });
    const edited = await hostA.content(mapping);
    repository.write("a.txt", "a\n");
    const hostB = createGitSource({ workTree: repository.root, cacheDir: emptyCache() });
    const current = await hostB.content(mapping);
    expect(await hostB.diff(mapping, edited.contentId, current.contentId)).toBeNull();

    repository.write("a.txt", "second\n");
    repository.commitAll("second");
    const hostC = createGitSource({ workTree: repository.root, cacheDir: emptyCache(), historyDepth: 0 });
    const latest = await hostC.content(mapping);
    expect(await hostC.diff(mapping, current.contentId, latest.contentId)).toBeNull();
  });
});
