import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/** A git executable that logs each call, to count how often the work tree is scanned. */
function countingGit(): { binary: string; calls: () => string[] } {
  const directory = mkdtempSync(join(tmpdir(), "stages-git-count-"));
  const log = join(directory, "calls.log");
  const binary = join(directory, "git");
  writeFileSync(binary, `#!/bin/sh\necho "$*" >> "${log}"\nexec git "$@"\n`);
  chmodSync(binary, 0o755);
  writeFileSync(log, "");
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  return { binary, calls: () => readFileSync(log, "utf8").split("\n").filter(Boolean) };
}

describe("snapshot mode", () => {
  it("gives the same contents and checksums as reading the work tree each time, from one scan", async () => {
    const repository: TestRepository = createTestRepository({
      "package.json": "{}\n",
      "src/a.ts": "a\n",
      "src/b.ts": "b\n",
      "docs/readme.md": "docs\n",
      // Neighbours of "src" in git's byte order, for the globs' literal beginnings.
      "src-old/c.ts": "c\n",
      srcfile: "s\n",
    });
    cleanups.push(() => repository.dispose());
    writeFileSync(join(repository.root, "src/a.ts"), "a, edited\n");
    const counting = countingGit();
    const snapshot = createGitSource({ workTree: repository.root, snapshot: true, gitBinary: counting.binary });
    const plain = createGitSource({ workTree: repository.root });
    const mappings = [
      gitMapping(),
      gitMapping({ includePaths: ["src"], excludePaths: ["**/b.ts"] }),
      gitMapping({ id: "git-1", add: "/src" }),
      gitMapping({ id: "git-2", add: "/package.json", to: "/app/package.json" }),
    ];
    for (const mapping of mappings) {
      expect((await snapshot.content(mapping)).contentId).toBe((await plain.content(mapping)).contentId);
      expect((await snapshot.content(mapping)).files).toEqual((await plain.content(mapping)).files);
      const globSets = [
        ["package.json"],
        ["src/**"],
        ["*.ts"],
        ["src"],
        ["src/", "docs/readme.md", "src/a.ts"],
        ["src/{a,b}.ts", "src-old/*"],
        ["sr*"],
        ["s"],
      ];
      for (const globs of globSets) {
        expect(await snapshot.dependenciesChecksum(mapping, globs)).toBe(
          await plain.dependenciesChecksum(mapping, globs),
        );
      }
    }
    // One ls-files (and one diff-files) per distinct mapping root: "/", "/src" and "/package.json".
    expect(counting.calls().filter((call) => / ls-files /.test(` ${call} `))).toHaveLength(3);
  });
});
