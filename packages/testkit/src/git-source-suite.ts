import type { GitMapping, GitSource } from "@stages/core";
import { gitSourceSpecificationVersion } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAbortedError } from "./conformance-failure.js";

/** A work tree the suite can change, and the git source reading it. */
export interface GitSourceFixture {
  source: GitSource;
  /** Writes a tracked file (relative to the repository root), creating directories. */
  write(path: string, content: string): Promise<void>;
  /** Removes a tracked file. */
  remove(path: string): Promise<void>;
  cleanup?(): Promise<void>;
}

/** A git mapping with defaults for the suite. */
export function gitMapping(overrides: Partial<GitMapping> = {}): GitMapping {
  return {
    id: "git-0",
    add: "/",
    to: "/app",
    includePaths: [],
    excludePaths: [],
    owner: null,
    group: null,
    stageDependencies: { beforeInstall: [], install: [], beforeSetup: [], setup: [] },
    position: { file: "stages.yaml", line: 1, column: 1 },
    ...overrides,
  };
}

/**
 * The conformance suite of GitSource: content ids follow the selected files and nothing else,
 * stageDependencies checksums follow their files, diffs and file reads are right. The fixture
 * starts with `src/main.ts`, `src/util.ts`, `package.json`, `README.md` and `docs/guide.md`.
 */
export function testGitSource(
  name: string,
  createFixture: (files: Record<string, string>) => Promise<GitSourceFixture>,
): void {
  describe(`GitSource conformance: ${name}`, () => {
    let fixture: GitSourceFixture;
    beforeAll(async () => {
      fixture = await createFixture({
        "src/main.ts": "console.log('main');\n",
        "src/util.ts": "export const one = 1;\n",
        "package.json": '{"name":"app"}\n',
        "README.md": "# app\n",
        "docs/guide.md": "guide\n",
      });
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
    });

    it("declares the v1 contract", () => {
      expect(fixture.source.specificationVersion).toBe(gitSourceSpecificationVersion);
    });

    it("selects files under add, honoring include and exclude", async () => {
      const all = await fixture.source.content(gitMapping());
      expect(all.files.map((file) => file.path)).toEqual([
        "README.md",
        "docs/guide.md",
        "package.json",
        "src/main.ts",
        "src/util.ts",
      ]);
      expect(all.contentId).toMatch(/^[0-9a-f]{64}$/);
      const src = await fixture.source.content(gitMapping({ add: "/src" }));
      expect(src.files.map((file) => file.path)).toEqual(["main.ts", "util.ts"]);
      const included = await fixture.source.content(
        gitMapping({ includePaths: ["src", "package.json"], excludePaths: ["**/util.ts"] }),
      );
      expect(included.files.map((file) => file.path)).toEqual(["package.json", "src/main.ts"]);
    });

    it("selects with werf's globs: ?, classes, alternatives, stems, and ! ( as plain characters", async () => {
      for (const path of ["a.ts", "b.ts", "ab.ts", "x/y.md", "!c.md", "(d).md"]) {
        await fixture.write(`globs/${path}`, `${path}\n`);
      }
      const paths = async (overrides: Partial<GitMapping>) =>
        (await fixture.source.content(gitMapping({ add: "/globs", ...overrides }))).files.map((file) => file.path);
      expect(await paths({ includePaths: ["?.ts"] })).toEqual(["a.ts", "b.ts"]);
      expect(await paths({ includePaths: ["{a,ab}.ts", "/x/"] })).toEqual(["a.ts", "ab.ts", "x/y.md"]);
      expect(await paths({ excludePaths: ["!c.md", "(d).md", "[ab].ts"] })).toEqual(["ab.ts", "x/y.md"]);
      // werf also matches a pattern's stem without trailing wildcards: x/*/* takes all of x.
      expect(await paths({ includePaths: ["x/*/*"] })).toEqual(["x/y.md"]);
      const mapping = gitMapping({ add: "/globs" });
      const before = await fixture.source.dependenciesChecksum(mapping, ["?.ts"]);
      await fixture.write("globs/ab.ts", "not watched\n");
      expect(await fixture.source.dependenciesChecksum(mapping, ["?.ts"])).toBe(before);
      await fixture.write("globs/a.ts", "watched\n");
      expect(await fixture.source.dependenciesChecksum(mapping, ["?.ts"])).not.toBe(before);
    });

    it("gives a stable content id that changes with selected files only", async () => {
      const mapping = gitMapping({ includePaths: ["src"] });
      const before = await fixture.source.content(mapping);
      expect((await fixture.source.content(mapping)).contentId).toBe(before.contentId);
      await fixture.write("README.md", "# changed, outside the mapping\n");
      expect((await fixture.source.content(mapping)).contentId).toBe(before.contentId);
      await fixture.write("src/util.ts", "export const one = 2;\n");
      const after = await fixture.source.content(mapping);
      expect(after.contentId).not.toBe(before.contentId);
      const diff = await fixture.source.diff(mapping, before.contentId, after.contentId);
      expect(diff).toEqual({ added: [], changed: [expect.objectContaining({ path: "src/util.ts" })], deleted: [] });
    });

    it("diffs added and deleted files, and answers null for an unknown content", async () => {
      const mapping = gitMapping({ add: "/src" });
      const before = await fixture.source.content(mapping);
      await fixture.write("src/new.ts", "new\n");
      await fixture.remove("src/main.ts");
      const after = await fixture.source.content(mapping);
      const diff = await fixture.source.diff(mapping, before.contentId, after.contentId);
      expect(diff?.added.map((file) => file.path)).toEqual(["new.ts"]);
      expect(diff?.deleted).toEqual(["main.ts"]);
      const unknown = "0".repeat(64) as typeof before.contentId;
      expect(await fixture.source.diff(mapping, unknown, after.contentId)).toBeNull();
    });

    it("checksums stageDependencies by their files and globs", async () => {
      const mapping = gitMapping();
      const first = await fixture.source.dependenciesChecksum(mapping, ["package.json"]);
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(await fixture.source.dependenciesChecksum(mapping, ["package.json"])).toBe(first);
      await fixture.write("src/util.ts", "export const one = 3;\n");
      expect(await fixture.source.dependenciesChecksum(mapping, ["package.json"])).toBe(first);
      await fixture.write("package.json", '{"name":"app","version":"2"}\n');
      expect(await fixture.source.dependenciesChecksum(mapping, ["package.json"])).not.toBe(first);
      expect(await fixture.source.dependenciesChecksum(mapping, ["nothing-matches"])).toMatch(/^[0-9a-f]{64}$/);
    });

    it("rejects with AbortedError when the signal is already aborted", async () => {
      const mapping = gitMapping({ add: "/src" });
      const { contentId } = await fixture.source.content(mapping);
      await expectAbortedError("content()", (signal) => fixture.source.content(mapping, { signal }));
      await expectAbortedError("dependenciesChecksum()", (signal) =>
        fixture.source.dependenciesChecksum(mapping, ["*.ts"], { signal }),
      );
      await expectAbortedError("diff()", (signal) => fixture.source.diff(mapping, contentId, contentId, { signal }));
      await expectAbortedError("readFile()", (signal) => fixture.source.readFile(mapping, "util.ts", { signal }));
    });

    it("reads the bytes of a selected file", async () => {
      await fixture.write("src/read.ts", "read me\n");
      const bytes = await fixture.source.readFile(gitMapping({ add: "/src" }), "read.ts");
      expect(new TextDecoder().decode(bytes)).toBe("read me\n");
    });
  });
}
