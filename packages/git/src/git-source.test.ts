import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContentId, GitMapping, GitSource, StagesError } from "@stages/core";
import { AbortedError, GitError, parseContentId } from "@stages/core";
import { gitMapping } from "@stages/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createGitSource } from "./git-source.js";
import type { TestRepository } from "./test-repository.js";
import { createTestRepository } from "./test-repository.js";

const repositories: TestRepository[] = [];
const directories: string[] = [];

afterEach(() => {
  for (const repository of repositories.splice(0)) repository.dispose();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function repositoryWith(files: Record<string, string>): TestRepository {
  const repository = createTestRepository(files);
  repositories.push(repository);
  return repository;
}

function sourceFor(repository: TestRepository, options: { refreshIndex?: boolean } = {}): GitSource {
  return createGitSource({ workTree: repository.root, ...options });
}

async function paths(source: GitSource, mapping: GitMapping): Promise<string[]> {
  return (await source.content(mapping)).files.map((file) => file.path);
}

const sampleFiles = {
  "README.md": "# sample\n",
  "package.json": '{"name":"sample"}\n',
  "src/main.ts": "console.log('main');\n",
  "src/util/strings.ts": "export const a = 1;\n",
  "src/util/strings.md": "notes\n",
  "docs/guide.md": "guide\n",
  "docs/.hidden": "hidden\n",
};

describe("content id", () => {
  it("is pinned for a tiny fixed repository", async () => {
    const repository = repositoryWith({ "a.txt": "hello\n", "dir/b.sh": "#!/bin/sh\n" });
    repository.chmod("dir/b.sh", 0o755);
    repository.symlink("link", "a.txt");
    repository.commitAll();
    const content = await sourceFor(repository).content(gitMapping());
    expect(content.mappingId).toBe("git-0");
    expect(content.files).toEqual([
      { path: "a.txt", mode: 0o100644, blobId: "ce013625030ba8dba906f756967f9e9ca394464a" },
      { path: "dir/b.sh", mode: 0o100755, blobId: "1a2485251c33a70432394c93fb89330ef214bfc9" },
      { path: "link", mode: 0o120000, blobId: "8d14cbf983b3fad683171c9418998d9f68340823" },
    ]);
    const encoded = [
      "100644 ce013625030ba8dba906f756967f9e9ca394464a 0\ta.txt\u0000",
      "100755 1a2485251c33a70432394c93fb89330ef214bfc9 0\tdir/b.sh\u0000",
      "120000 8d14cbf983b3fad683171c9418998d9f68340823 0\tlink\u0000",
    ].join("");
    expect(content.contentId).toBe(createHash("sha256").update(encoded).digest("hex"));
    // Also what `git ls-files --stage -z | sha256sum` prints in this repository.
    expect(content.contentId).toBe("8ac9e4628f17e3b2b328b63b00205b9d3ddfecda33cd89a307114f87ee26853e");
    // Re-encoded from the parsed files rather than hashed as git printed it: the same id.
    const filtered = await sourceFor(repository).content(gitMapping({ excludePaths: ["nothing"] }));
    expect(filtered.contentId).toBe(content.contentId);
  });

  it("of an empty selection is the sha256 of nothing", async () => {
    const repository = repositoryWith({ "a.txt": "a\n" });
    const content = await sourceFor(repository).content(gitMapping({ add: "/missing" }));
    expect(content.files).toEqual([]);
    expect(content.contentId).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("is stable across runs and across sources", async () => {
    const repository = repositoryWith(sampleFiles);
    const first = await sourceFor(repository).content(gitMapping());
    const second = await sourceFor(repository).content(gitMapping());
    expect(parseContentId(first.contentId)).toBe(second.contentId);
    expect(second.files).toEqual(first.files);
  });

  it("includes uncommitted edits, and equals the id of the same content committed", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const before = await source.content(gitMapping());
    repository.write("src/main.ts", "console.log('edited');\n");
    const edited = await source.content(gitMapping());
    expect(edited.contentId).not.toBe(before.contentId);
    expect(edited.files.find((file) => file.path === "src/main.ts")?.blobId).toBe(
      repository.git("hash-object", "src/main.ts").trim(),
    );
    repository.commitAll();
    expect((await source.content(gitMapping())).contentId).toBe(edited.contentId);
  });

  it("changes for a staged edit", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const before = await source.content(gitMapping());
    repository.write("package.json", '{"name":"staged"}\n');
    repository.git("add", "package.json");
    const staged = await source.content(gitMapping());
    expect(staged.contentId).not.toBe(before.contentId);
    // Staged, then edited again in the work tree: the work tree wins.
    repository.write("package.json", '{"name":"sample"}\n');
    expect((await source.content(gitMapping())).contentId).toBe(before.contentId);
  });

  it("changes for a new tracked file but not for an untracked one", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const before = await source.content(gitMapping());
    repository.write("src/new.ts", "new\n");
    expect((await source.content(gitMapping())).contentId).toBe(before.contentId);
    repository.git("add", "src/new.ts");
    const added = await source.content(gitMapping());
    expect(added.contentId).not.toBe(before.contentId);
    expect(added.files.map((file) => file.path)).toContain("src/new.ts");
  });

  it("counts a file added with intent-to-add (git add -N) with its work tree content", async () => {
    const repository = repositoryWith(sampleFiles);
    repository.write("later.txt", "later\n");
    repository.git("add", "-N", "later.txt");
    const content = await sourceFor(repository).content(gitMapping());
    expect(content.files.find((file) => file.path === "later.txt")?.blobId).toBe(
      repository.git("hash-object", "later.txt").trim(),
    );
  });

  it("leaves out a tracked file deleted in the work tree", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const before = await source.content(gitMapping());
    repository.remove("docs/guide.md");
    const after = await source.content(gitMapping());
    expect(after.contentId).not.toBe(before.contentId);
    expect(after.files.map((file) => file.path)).not.toContain("docs/guide.md");
    expect(after.files).toHaveLength(before.files.length - 1);
  });

  it("changes for a mode change", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const before = await source.content(gitMapping());
    repository.chmod("src/main.ts", 0o755);
    const after = await source.content(gitMapping());
    expect(after.contentId).not.toBe(before.contentId);
    expect(after.files.find((file) => file.path === "src/main.ts")?.mode).toBe(0o100755);
  });

  it("does not change when an unselected file changes", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const mapping = gitMapping({ add: "/src", excludePaths: ["**/*.md"] });
    const before = await source.content(mapping);
    repository.write("docs/guide.md", "changed\n");
    repository.write("README.md", "changed\n");
    repository.write("src/util/strings.md", "changed\n");
    repository.remove("package.json");
    expect((await source.content(mapping)).contentId).toBe(before.contentId);
    repository.write("src/util/strings.ts", "changed\n");
    expect((await source.content(mapping)).contentId).not.toBe(before.contentId);
  });

  it("does not change when only the stat of a file changes, and refreshes the index", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const before = await source.content(gitMapping());
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(repository.root, "src/main.ts"), future, future);
    expect(repository.git("diff-files", "--name-only").trim()).toBe("src/main.ts");
    expect((await source.content(gitMapping())).contentId).toBe(before.contentId);
    expect(repository.git("diff-files", "--name-only").trim()).toBe("");
  });

  it("never writes the index with refreshIndex: false", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository, { refreshIndex: false });
    const before = await source.content(gitMapping());
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(repository.root, "src/main.ts"), future, future);
    expect((await source.content(gitMapping())).contentId).toBe(before.contentId);
    expect(repository.git("diff-files", "--name-only").trim()).toBe("src/main.ts");
  });

  it("takes the work tree content of a conflicted file", async () => {
    const repository = repositoryWith({ "f.txt": "base\n", "g.txt": "g\n" });
    repository.git("checkout", "-q", "-b", "other");
    repository.write("f.txt", "other\n");
    repository.commitAll();
    repository.git("checkout", "-q", "main");
    repository.write("f.txt", "main\n");
    repository.commitAll();
    expect(() => repository.git("merge", "-q", "other")).toThrow();
    const content = await sourceFor(repository).content(gitMapping());
    expect(content.files.map((file) => file.path)).toEqual(["f.txt", "g.txt"]);
    expect(content.files[0]?.blobId).toBe(repository.git("hash-object", "f.txt").trim());
  });

  it("skips submodules without an error", async () => {
    const inner = repositoryWith({ "inner.txt": "inner\n" });
    const repository = repositoryWith({ "a.txt": "a\n" });
    repository.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", inner.root, "vendor/inner");
    repository.commitAll();
    const content = await sourceFor(repository).content(gitMapping());
    expect(content.files.map((file) => file.path)).toEqual([".gitmodules", "a.txt"]);
    // The first record of git's output, and changed in the work tree.
    repository.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", inner.root, "!first");
    repository.commitAll();
    repository.write("!first/inner.txt", "changed\n");
    const again = await sourceFor(repository).content(gitMapping());
    expect(again.files.map((file) => file.path)).toEqual([".gitmodules", "a.txt"]);
    expect(await sourceFor(repository).content(gitMapping({ add: "/vendor" }))).toMatchObject({ files: [] });
  });

  it("handles unusual path names", async () => {
    const names = ["space name.txt", "ünïcödé.txt", "tab\tname.txt", "new\nline.txt", '"quoted".txt', "back\\slash"];
    const repository = repositoryWith(Object.fromEntries(names.map((name) => [name, name])));
    const source = sourceFor(repository);
    const before = await source.content(gitMapping());
    expect(before.files.map((file) => file.path).sort()).toEqual([...names].sort());
    for (const name of names) repository.write(name, `${name} edited`);
    const after = await source.content(gitMapping());
    for (const name of names) {
      const blobId = createHash("sha1")
        .update(`blob ${Buffer.byteLength(`${name} edited`)}\0${name} edited`)
        .digest("hex");
      expect(after.files.find((file) => file.path === name)?.blobId).toBe(blobId);
    }
  });

  it("gives the same id whichever way it reads the index", async () => {
    const files = Object.fromEntries(Array.from({ length: 300 }, (_, index) => [`dir/file-${index}.txt`, `${index}`]));
    const repository = repositoryWith(files);
    const source = sourceFor(repository);
    const committed = await source.content(gitMapping());
    const listed = execFileSync("git", ["ls-files", "--stage", "-z"], { cwd: repository.root });
    expect(committed.contentId).toBe(createHash("sha256").update(listed).digest("hex"));
    for (let index = 0; index < 300; index++) repository.write(`dir/file-${index}.txt`, `edited ${index}`);
    const edited = await source.content(gitMapping());
    repository.commitAll();
    repository.write("dir/file-7.txt", "7");
    repository.remove("dir/file-8.txt");
    const patched = await source.content(gitMapping());
    expect(patched.files).toHaveLength(299);
    expect(patched.files.find((file) => file.path === "dir/file-7.txt")?.blobId).toBe(
      committed.files.find((file) => file.path === "dir/file-7.txt")?.blobId,
    );
    // Selected through a pattern, the list is parsed rather than taken from git's output: same ids.
    const everything = gitMapping({ includePaths: ["**"] });
    expect((await source.content(everything)).contentId).toBe(patched.contentId);
    repository.commitAll();
    const recommitted = await source.content(gitMapping());
    expect(patched.contentId).toBe(recommitted.contentId);
    expect(patched.files).toEqual(recommitted.files);
    repository.git("reset", "-q", "--hard", "HEAD~1");
    expect((await source.content(gitMapping())).contentId).toBe(edited.contentId);
    expect((await source.content(everything)).contentId).toBe(edited.contentId);
  });

  it("finds every edited file among paths that sort close together", async () => {
    const names = [
      "x",
      "x y",
      "x\ty",
      "x-y",
      "x.y",
      "x/y.txt",
      "x/y/z.txt",
      "x0",
      "xy",
      "y",
      "ü",
      "\u{1F600}",
      "\uFF5E",
    ];
    const repository = repositoryWith(Object.fromEntries(names.map((name) => [name.replace(/^x$/, "x.txt"), name])));
    const source = sourceFor(repository);
    const committed = await source.content(gitMapping());
    const all = committed.files.map((file) => file.path);
    for (const path of all) {
      repository.write(path, `${path} edited`);
      const content = await source.content(gitMapping());
      expect(content.files.map((file) => file.path)).toEqual(all);
      expect(content.files.find((file) => file.path === path)?.blobId).toBe(
        repository.git("hash-object", "--", path).trim(),
      );
      repository.git("checkout", "--", path);
    }
  });

  it("hashes exactly what git ls-files prints, whatever the path names", async () => {
    const repository = repositoryWith({ "odd 1\tname": "odd", "plain.txt": "plain" });
    const content = await sourceFor(repository).content(gitMapping());
    const listed = execFileSync("git", ["ls-files", "--stage", "-z"], { cwd: repository.root });
    expect(content.contentId).toBe(createHash("sha256").update(listed).digest("hex"));
    expect(content.files.map((file) => file.path)).toEqual(["odd 1\tname", "plain.txt"]);
  });

  it("sorts files by the UTF-8 bytes of their paths", async () => {
    const repository = repositoryWith({ "b.txt": "b", "a/z.txt": "z", "a.txt": "a", "a-b.txt": "ab", "Z.txt": "Z" });
    expect(await paths(sourceFor(repository), gitMapping())).toEqual(["Z.txt", "a-b.txt", "a.txt", "a/z.txt", "b.txt"]);
  });
});

describe("selection", () => {
  it("makes paths relative to add", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    expect(await paths(source, gitMapping({ add: "/src" }))).toEqual(["main.ts", "util/strings.md", "util/strings.ts"]);
    expect(await paths(source, gitMapping({ add: "/src/util/" }))).toEqual(["strings.md", "strings.ts"]);
  });

  it("selects one file when add names a file, with the empty path", async () => {
    const repository = repositoryWith(sampleFiles);
    const content = await sourceFor(repository).content(gitMapping({ add: "/package.json" }));
    expect(content.files).toEqual([
      { path: "", mode: 0o100644, blobId: repository.git("hash-object", "package.json").trim() },
    ]);
  });

  it("does not select a sibling whose name starts like add", async () => {
    const repository = repositoryWith({ "src/a.ts": "a", "src2/b.ts": "b", "src.ts": "c" });
    expect(await paths(sourceFor(repository), gitMapping({ add: "/src" }))).toEqual(["a.ts"]);
  });

  it("includes a directory's whole tree through its name", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    expect(await paths(source, gitMapping({ includePaths: ["src"] }))).toEqual([
      "src/main.ts",
      "src/util/strings.md",
      "src/util/strings.ts",
    ]);
    expect(await paths(source, gitMapping({ includePaths: ["src/util/", "package.json"] }))).toEqual([
      "package.json",
      "src/util/strings.md",
      "src/util/strings.ts",
    ]);
  });

  it("keeps * inside one directory and lets ** cross directories", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    expect(await paths(source, gitMapping({ includePaths: ["*.md"] }))).toEqual(["README.md"]);
    expect(await paths(source, gitMapping({ includePaths: ["**/*.md"] }))).toEqual([
      "README.md",
      "docs/guide.md",
      "src/util/strings.md",
    ]);
    expect(await paths(source, gitMapping({ includePaths: ["src/*"] }))).toEqual([
      "src/main.ts",
      "src/util/strings.md",
      "src/util/strings.ts",
    ]);
    expect(await paths(source, gitMapping({ includePaths: ["{docs,src/util}/*.md"] }))).toEqual([
      "docs/guide.md",
      "src/util/strings.md",
    ]);
  });

  it("matches dot files like any other", async () => {
    const repository = repositoryWith(sampleFiles);
    expect(await paths(sourceFor(repository), gitMapping({ includePaths: ["docs/*"] }))).toEqual([
      "docs/.hidden",
      "docs/guide.md",
    ]);
  });

  it("lets exclude win over include", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    expect(await paths(source, gitMapping({ includePaths: ["src"], excludePaths: ["**/*.md"] }))).toEqual([
      "src/main.ts",
      "src/util/strings.ts",
    ]);
    expect(await paths(source, gitMapping({ includePaths: ["src"], excludePaths: ["src/util"] }))).toEqual([
      "src/main.ts",
    ]);
    expect(await paths(source, gitMapping({ excludePaths: ["src", "docs", "*.md"] }))).toEqual(["package.json"]);
  });

  it("applies patterns relative to add", async () => {
    const repository = repositoryWith(sampleFiles);
    expect(
      await paths(sourceFor(repository), gitMapping({ add: "/src", includePaths: ["util"], excludePaths: ["*.md"] })),
    ).toEqual(["util/strings.md", "util/strings.ts"]);
    expect(
      await paths(sourceFor(repository), gitMapping({ add: "/src", excludePaths: ["**/*.md", "main.ts"] })),
    ).toEqual(["util/strings.ts"]);
  });

  it("gives symlinks mode 120000 and the blob of their target text", async () => {
    const repository = repositoryWith({ "a.txt": "a\n" });
    repository.symlink("to-a", "a.txt");
    repository.symlink("dangling", "does/not/exist");
    repository.commitAll();
    const source = sourceFor(repository);
    const files = (await source.content(gitMapping())).files;
    expect(files.find((file) => file.path === "to-a")).toEqual({
      path: "to-a",
      mode: 0o120000,
      blobId: createHash("sha1").update("blob 5\0a.txt").digest("hex"),
    });
    expect(files.find((file) => file.path === "dangling")?.mode).toBe(0o120000);
    // Retargeted in the work tree only: hashed from the link, not from the file it points to.
    repository.remove("to-a");
    repository.symlink("to-a", "dangling");
    const retargeted = (await source.content(gitMapping())).files.find((file) => file.path === "to-a");
    expect(retargeted?.blobId).toBe(createHash("sha1").update("blob 8\0dangling").digest("hex"));
    // A file turned into a symlink.
    repository.remove("a.txt");
    repository.symlink("a.txt", "to-a");
    expect((await source.content(gitMapping())).files.find((file) => file.path === "a.txt")?.mode).toBe(0o120000);
  });
});

describe("dependenciesChecksum", () => {
  it("depends only on the files its globs match, within the mapping", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const mapping = gitMapping({ excludePaths: ["**/*.md"] });
    const before = await source.dependenciesChecksum(mapping, ["package.json", "src/**/*.ts"]);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    repository.write("docs/guide.md", "changed\n");
    repository.write("src/util/strings.md", "changed\n");
    expect(await source.dependenciesChecksum(mapping, ["package.json", "src/**/*.ts"])).toBe(before);
    repository.write("src/util/strings.ts", "changed\n");
    expect(await source.dependenciesChecksum(mapping, ["package.json", "src/**/*.ts"])).not.toBe(before);
  });

  it("uses the pattern semantics of includePaths (a directory selects its tree)", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const before = await source.dependenciesChecksum(gitMapping(), ["src"]);
    repository.write("src/util/strings.md", "changed\n");
    expect(await source.dependenciesChecksum(gitMapping(), ["src"])).not.toBe(before);
  });

  it("ignores the order and repetition of globs but not the globs themselves", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const mapping = gitMapping();
    const checksum = await source.dependenciesChecksum(mapping, ["package.json", "src/main.ts"]);
    expect(await source.dependenciesChecksum(mapping, ["src/main.ts", "package.json", "package.json"])).toBe(checksum);
    // Same matched files, other globs.
    expect(await source.dependenciesChecksum(mapping, ["package.json", "src/main.ts", "nothing"])).not.toBe(checksum);
  });

  it("is stable when nothing matches", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const none = await source.dependenciesChecksum(gitMapping(), ["nothing/**"]);
    repository.write("src/main.ts", "changed\n");
    expect(await source.dependenciesChecksum(gitMapping(), ["nothing/**"])).toBe(none);
    expect(none).toBe(createHash("sha256").update("1\nnothing/**\0").digest("hex"));
    expect(await source.dependenciesChecksum(gitMapping(), [])).toBe(createHash("sha256").update("0\n").digest("hex"));
  });

  it("matches globs relative to add", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const mapping = gitMapping({ add: "/src" });
    const before = await source.dependenciesChecksum(mapping, ["util/*.ts"]);
    repository.write("src/main.ts", "changed\n");
    expect(await source.dependenciesChecksum(mapping, ["util/*.ts"])).toBe(before);
    repository.write("src/util/strings.ts", "changed\n");
    expect(await source.dependenciesChecksum(mapping, ["util/*.ts"])).not.toBe(before);
  });
});

describe("diff", () => {
  it("lists added, changed and deleted files between two contents", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const mapping = gitMapping({ add: "/src" });
    const before = await source.content(mapping);
    repository.write("src/main.ts", "changed\n");
    repository.chmod("src/util/strings.md", 0o755);
    repository.remove("src/util/strings.ts");
    repository.write("src/added.ts", "added\n");
    repository.git("add", "src/added.ts");
    repository.write("README.md", "outside the mapping\n");
    const after = await source.content(mapping);
    const diff = await source.diff(mapping, before.contentId, after.contentId);
    expect(diff).toEqual({
      added: [{ path: "added.ts", mode: 0o100644, blobId: repository.git("hash-object", "src/added.ts").trim() }],
      changed: [
        { path: "main.ts", mode: 0o100644, blobId: repository.git("hash-object", "src/main.ts").trim() },
        { path: "util/strings.md", mode: 0o100755, blobId: before.files[1]?.blobId },
      ],
      deleted: ["util/strings.ts"],
    });
    expect(await source.diff(mapping, after.contentId, before.contentId)).toEqual({
      added: [before.files.find((file) => file.path === "util/strings.ts")],
      changed: [before.files[0], before.files[1]],
      deleted: ["added.ts"],
    });
    expect(await source.diff(mapping, after.contentId, after.contentId)).toEqual({
      added: [],
      changed: [],
      deleted: [],
    });
  });

  it("works from another source of the same repository (the lists are on disk)", async () => {
    const repository = repositoryWith(sampleFiles);
    const before = await sourceFor(repository).content(gitMapping());
    repository.remove("README.md");
    const later = sourceFor(repository);
    const after = await later.content(gitMapping());
    expect(await later.diff(gitMapping(), before.contentId, after.contentId)).toEqual({
      added: [],
      changed: [],
      deleted: ["README.md"],
    });
    expect(readdirSync(join(repository.root, ".git", "stages", "contents")).length).toBe(2);
  });

  it("computes the current content when `to` was not seen yet", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const before = await source.content(gitMapping());
    repository.write("package.json", "{}\n");
    const expected = await sourceFor(repository).content(gitMapping());
    rmSync(join(repository.root, ".git", "stages", "contents", `${expected.contentId}.list.br`));
    const diff = await source.diff(gitMapping(), before.contentId, expected.contentId);
    expect(diff?.changed.map((file) => file.path)).toEqual(["package.json"]);
  });

  it("returns null for a content it does not know", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const current = await source.content(gitMapping());
    const unknown = parseContentId("0".repeat(64));
    expect(await source.diff(gitMapping(), unknown, current.contentId)).toBeNull();
    expect(await source.diff(gitMapping(), current.contentId, unknown)).toBeNull();
  });

  it("treats a damaged cache entry as unknown", async () => {
    const repository = repositoryWith(sampleFiles);
    const cacheDir = mkdtempSync(join(tmpdir(), "stages-git-cache-"));
    directories.push(cacheDir);
    const source = createGitSource({ workTree: repository.root, cacheDir, historyDepth: 0 });
    const before = await source.content(gitMapping());
    repository.write("README.md", "changed\n");
    const after = await source.content(gitMapping());
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(cacheDir, `${before.contentId}.list.br`), "garbage");
    expect(await source.diff(gitMapping(), before.contentId, after.contentId)).toBeNull();
    expect(existsSync(join(cacheDir, `${after.contentId}.list.br`))).toBe(true);
  });

  it("keeps at most cacheLimit lists", async () => {
    const repository = repositoryWith(sampleFiles);
    const cacheDir = mkdtempSync(join(tmpdir(), "stages-git-cache-"));
    directories.push(cacheDir);
    const source = createGitSource({ workTree: repository.root, cacheDir, cacheLimit: 2 });
    const ids: ContentId[] = [];
    for (let index = 0; index < 4; index++) {
      repository.write("README.md", `version ${index}\n`);
      ids.push((await source.content(gitMapping())).contentId);
      // mtime resolution: make the order of use unambiguous.
      const past = new Date(Date.now() - (10 - index) * 1000);
      utimesSync(join(cacheDir, `${ids[index]}.list.br`), past, past);
    }
    expect(readdirSync(cacheDir).sort()).toEqual([`${ids[2]}.list.br`, `${ids[3]}.list.br`].sort());
  });

  it("keeps at most cacheMaxBytes, but always the newest list", async () => {
    const repository = repositoryWith(sampleFiles);
    const cacheDir = mkdtempSync(join(tmpdir(), "stages-git-cache-"));
    directories.push(cacheDir);
    const source = createGitSource({ workTree: repository.root, cacheDir, cacheMaxBytes: 1, historyDepth: 0 });
    const first = await source.content(gitMapping());
    repository.write("README.md", "changed\n");
    const past = new Date(Date.now() - 10_000);
    utimesSync(join(cacheDir, `${first.contentId}.list.br`), past, past);
    const second = await source.content(gitMapping());
    expect(readdirSync(cacheDir)).toEqual([`${second.contentId}.list.br`]);
    expect(await source.diff(gitMapping(), first.contentId, second.contentId)).toBeNull();
  });
});

describe("readFile", () => {
  it("reads a selected file from the work tree, uncommitted edits included", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const mapping = gitMapping({ add: "/src" });
    expect(Buffer.from(await source.readFile(mapping, "util/strings.ts")).toString()).toBe("export const a = 1;\n");
    repository.write("src/main.ts", "edited\n");
    expect(Buffer.from(await source.readFile(mapping, "main.ts")).toString()).toBe("edited\n");
    const bytes = new Uint8Array([0, 255, 10, 13]);
    repository.write("src/binary.bin", bytes);
    expect(new Uint8Array(await source.readFile(mapping, "binary.bin"))).toEqual(bytes);
  });

  it("gives a symlink's target text", async () => {
    const repository = repositoryWith({ "a.txt": "a\n" });
    repository.symlink("link", "a.txt");
    repository.commitAll();
    expect(Buffer.from(await sourceFor(repository).readFile(gitMapping(), "link")).toString()).toBe("a.txt");
  });

  it("reads the file a file mapping adds through the empty path", async () => {
    const repository = repositoryWith(sampleFiles);
    const data = await sourceFor(repository).readFile(gitMapping({ add: "/package.json" }), "");
    expect(Buffer.from(data).toString()).toBe('{"name":"sample"}\n');
  });

  it("refuses paths outside the mapping", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = sourceFor(repository);
    const mapping = gitMapping({ add: "/src", excludePaths: ["**/*.md"] });
    for (const path of ["../package.json", "/etc/passwd", "util/../../README.md", "./main.ts", "util//strings.ts"]) {
      await expect(source.readFile(mapping, path)).rejects.toThrow(/not a path inside git mapping git-0/);
    }
    await expect(source.readFile(mapping, "util/strings.md")).rejects.toThrow(/not selected by git mapping git-0/);
    await expect(source.readFile(mapping, "missing.ts")).rejects.toSatisfy(GitError.isInstance);
  });

  it("refuses to follow a symlinked directory out of the work tree", async () => {
    const repository = repositoryWith({ "a.txt": "a\n" });
    const outside = mkdtempSync(join(tmpdir(), "stages-git-outside-"));
    directories.push(outside);
    repository.symlink("escape", outside);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(outside, "secret"), "secret");
    await expect(sourceFor(repository).readFile(gitMapping(), "escape/secret")).rejects.toThrow(
      /outside the work tree/,
    );
  });
});

describe("errors", () => {
  it("says when the directory is not a git work tree", async () => {
    const directory = mkdtempSync(join(tmpdir(), "stages-git-plain-"));
    directories.push(directory);
    const error = await createGitSource({ workTree: directory })
      .content(gitMapping())
      .catch((caught: unknown) => caught);
    expect(GitError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("is not a git work tree");
    expect((error as StagesError).hint).toMatch(/git init/);
  });

  it("says when the work tree does not exist", async () => {
    await expect(createGitSource({ workTree: "/does/not/exist" }).content(gitMapping())).rejects.toThrow(
      /is not a git work tree/,
    );
  });

  it("says when git cannot be found", async () => {
    const repository = repositoryWith(sampleFiles);
    const error = await createGitSource({ workTree: repository.root, gitBinary: "/nowhere/git" })
      .content(gitMapping())
      .catch((caught: unknown) => caught);
    expect(GitError.isInstance(error)).toBe(true);
    expect((error as StagesError).hint).toMatch(/install git/);
  });

  it("refuses an add that leaves the repository", async () => {
    const repository = repositoryWith(sampleFiles);
    await expect(sourceFor(repository).content(gitMapping({ add: "/../etc" }))).rejects.toThrow(
      /leaves the repository/,
    );
  });

  it("works from a subdirectory of the work tree, with paths from its top", async () => {
    const repository = repositoryWith(sampleFiles);
    const source = createGitSource({ workTree: join(repository.root, "src", "util") });
    expect(await paths(source, gitMapping({ add: "/docs" }))).toEqual([".hidden", "guide.md"]);
  });

  it("stops with AbortedError when the signal aborts", async () => {
    const repository = repositoryWith(sampleFiles);
    const controller = new AbortController();
    controller.abort();
    await expect(sourceFor(repository).content(gitMapping(), { signal: controller.signal })).rejects.toSatisfy(
      AbortedError.isInstance,
    );
    const source = sourceFor(repository);
    await source.content(gitMapping());
    const running = new AbortController();
    const pending = source.content(gitMapping(), { signal: running.signal });
    running.abort();
    await expect(pending).rejects.toSatisfy(AbortedError.isInstance);
  });
});
