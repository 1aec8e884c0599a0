import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GitFile, GitSource, StagesError } from "@stages/core";
import { GitError } from "@stages/core";
import { gitMapping } from "@stages/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { contentIdOf } from "./content-list.js";
import type { DockerContextSpec } from "./docker-context.js";
import { createGitSource, type GitSourceOptions } from "./git-source.js";
import { createTestRepository, type TestRepository } from "./test-repository.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function repositoryWith(files: Record<string, string>): TestRepository {
  const repository = createTestRepository(files);
  cleanups.push(() => repository.dispose());
  return repository;
}

function context(overrides: Partial<DockerContextSpec> = {}): DockerContextSpec {
  return { directory: "", dockerfile: "Dockerfile", addFiles: [], ...overrides };
}

function source(
  workTree: string,
  options: Partial<GitSourceOptions> = {},
): GitSource & Required<Pick<GitSource, "contextContent" | "readContextFile">> {
  return createGitSource({ workTree, ...options }) as GitSource &
    Required<Pick<GitSource, "contextContent" | "readContextFile">>;
}

async function contextPaths(gitSource: ReturnType<typeof source>, spec: DockerContextSpec): Promise<string[]> {
  return (await gitSource.contextContent(spec)).files.map((file) => file.path);
}

/** What `git hash-object` prints for a work tree file. */
function hashObject(repository: TestRepository, path: string): string {
  return repository.git("hash-object", "--", path).trim();
}

async function rejection(promise: Promise<unknown>): Promise<StagesError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(GitError.isInstance(error), `expected a GitError, got ${String(error)}`).toBe(true);
  return error as StagesError;
}

describe("contextContent", () => {
  it("lists tracked files with their work tree content, without deleted, untracked or ignored ones", async () => {
    const repository = repositoryWith({
      Dockerfile: "FROM scratch\n",
      ".gitignore": "*.tmp\n",
      "src/a.txt": "a\n",
      "src/b.txt": "b\n",
      "src/gone.txt": "gone\n",
    });
    repository.write("src/a.txt", "a, edited\n");
    repository.remove("src/gone.txt");
    repository.write("src/untracked.txt", "new\n");
    repository.write("src/cache.tmp", "ignored by git\n");
    const content = await source(repository.root).contextContent(context());
    expect(content.mappingId).toBe("context");
    expect(content.files).toEqual([
      { path: ".gitignore", mode: 0o100644, blobId: hashObject(repository, ".gitignore") },
      { path: "Dockerfile", mode: 0o100644, blobId: hashObject(repository, "Dockerfile") },
      { path: "src/a.txt", mode: 0o100644, blobId: hashObject(repository, "src/a.txt") },
      { path: "src/b.txt", mode: 0o100644, blobId: hashObject(repository, "src/b.txt") },
    ]);
    expect(content.contentId).toBe(contentIdOf(content.files));
  });

  it("has the content id of a git mapping of the same clean folder (one encoding for both)", async () => {
    const repository = repositoryWith({ "app/Dockerfile": "FROM scratch\n", "app/x/y.sh": "#!/bin/sh\n", z: "z\n" });
    repository.chmod("app/x/y.sh", 0o755);
    repository.commitAll();
    const gitSource = source(repository.root);
    const mapping = await gitSource.content(gitMapping({ add: "/app" }));
    const contextContent = await gitSource.contextContent(context({ directory: "app" }));
    expect(contextContent.files).toEqual(mapping.files);
    expect(contextContent.contentId).toBe(mapping.contentId);
    // And what git itself prints for the folder.
    const listed = execFileSync("sh", ["-c", "cd app && git ls-files --stage -z | sha256sum"], {
      cwd: repository.root,
      encoding: "utf8",
    });
    expect(contextContent.contentId).toBe(listed.split(" ")[0]);
  });

  it("adds untracked and git-ignored files listed in addFiles, folders with everything below them", async () => {
    const repository = repositoryWith({
      ".gitignore": "generated/\n*.key\n",
      Dockerfile: "FROM scratch\n",
      "tracked.txt": "t\n",
    });
    repository.write("build/out.bin", "binary\n");
    repository.write("generated/one.txt", "1\n");
    repository.write("generated/deep/two.txt", "2\n");
    repository.write("secret.key", "key\n");
    repository.write("not-listed.txt", "no\n");
    const gitSource = source(repository.root);
    const spec = context({ addFiles: ["build/out.bin", "./generated/", "secret.key", "tracked.txt"] });
    const content = await gitSource.contextContent(spec);
    expect(content.files.map((file) => file.path)).toEqual([
      ".gitignore",
      "Dockerfile",
      "build/out.bin",
      "generated/deep/two.txt",
      "generated/one.txt",
      "secret.key",
      "tracked.txt",
    ]);
    for (const file of content.files) expect(file.blobId).toBe(hashObject(repository, file.path));
    expect(Buffer.from(await gitSource.readContextFile(spec, "generated/deep/two.txt")).toString()).toBe("2\n");
  });

  it("refuses an addFiles entry that does not exist, naming it", async () => {
    const repository = repositoryWith({ Dockerfile: "FROM scratch\n" });
    const error = await rejection(source(repository.root).contextContent(context({ addFiles: ["dist/missing.js"] })));
    expect(error.message).toContain('"dist/missing.js"');
    expect(error.message).toContain("does not exist");
    const outside = await rejection(source(repository.root).contextContent(context({ addFiles: ["../elsewhere"] })));
    expect(outside.message).toContain("../elsewhere");
  });

  it("refuses added files reached through a symlink out of the work tree", async () => {
    const repository = repositoryWith({ Dockerfile: "FROM scratch\n" });
    const elsewhere = mkdtempSync(join(tmpdir(), "stages-context-elsewhere-"));
    cleanups.push(() => rmSync(elsewhere, { recursive: true, force: true }));
    writeFileSync(join(elsewhere, "secret.txt"), "secret\n");
    repository.symlink("outside", elsewhere);
    const gitSource = source(repository.root);
    const error = await rejection(gitSource.contextContent(context({ addFiles: ["outside/secret.txt"] })));
    expect(error.message).toContain("leads outside the work tree");
    // The link itself is fine: it is added as a link.
    const content = await gitSource.contextContent(context({ addFiles: ["outside"] }));
    expect(content.files.find((file) => file.path === "outside")?.mode).toBe(0o120000);
  });

  it("adds new files without the executable bit when core.fileMode is false, as git add does", async () => {
    const repository = repositoryWith({ Dockerfile: "FROM scratch\n" });
    repository.write("run.sh", "#!/bin/sh\n");
    repository.chmod("run.sh", 0o755);
    const spec = context({ addFiles: ["run.sh"] });
    expect((await source(repository.root).contextContent(spec)).files[1]?.mode).toBe(0o100755);
    repository.git("config", "core.fileMode", "false");
    expect((await source(repository.root).contextContent(spec)).files[1]?.mode).toBe(0o100644);
    repository.git("add", "run.sh");
    expect(repository.git("ls-files", "--stage", "run.sh")).toMatch(/^100644 /);
  });

  it("applies .dockerignore with exceptions, ** and anchored patterns", async () => {
    const repository = repositoryWith({
      Dockerfile: "FROM scratch\n",
      ".dockerignore": [
        "# a comment",
        "**/*.log",
        "!keep.log",
        "docs",
        "!docs/README.md",
        "/build",
        "./tmp/*",
        "*.md",
        "!docs/*.md",
        "Secret",
        "",
      ].join("\n"),
      "a.log": "a\n",
      "keep.log": "k\n",
      "deep/nested/b.log": "b\n",
      "docs/README.md": "r\n",
      "docs/guide.txt": "g\n",
      "docs/sub/c.md": "c\n",
      "build/x": "x\n",
      "src/build/y": "y\n",
      "tmp/z": "z\n",
      "tmp/more/w": "w\n",
      "top.md": "t\n",
      secret: "lower case is not Secret\n",
    });
    expect(await contextPaths(source(repository.root), context())).toEqual([
      ".dockerignore",
      "Dockerfile",
      "docs/README.md",
      "keep.log",
      "secret",
      "src/build/y",
    ]);
  });

  it("prefers the Dockerfile's own ignore file and still reads an ignored Dockerfile", async () => {
    const repository = repositoryWith({
      "docker/app.Dockerfile": "FROM scratch\n",
      "docker/app.Dockerfile.dockerignore": "docker\nsrc/*.test.ts\n",
      ".dockerignore": "src\n",
      "src/main.ts": "main\n",
      "src/main.test.ts": "test\n",
    });
    const gitSource = source(repository.root);
    const spec = context({ dockerfile: "docker/app.Dockerfile" });
    expect(await contextPaths(gitSource, spec)).toEqual([".dockerignore", "src/main.ts"]);
    // Without the Dockerfile's own file, .dockerignore applies.
    expect(await contextPaths(gitSource, context({ dockerfile: "docker/other.Dockerfile" }))).toEqual([
      ".dockerignore",
      "docker/app.Dockerfile",
      "docker/app.Dockerfile.dockerignore",
    ]);
    expect(Buffer.from(await gitSource.readContextFile(spec, "docker/app.Dockerfile")).toString()).toBe(
      "FROM scratch\n",
    );
    // However the Dockerfile's path is written.
    const dotted = context({ dockerfile: "./docker/app.Dockerfile" });
    expect(await contextPaths(gitSource, dotted)).toEqual([".dockerignore", "src/main.ts"]);
    expect(Buffer.from(await gitSource.readContextFile(dotted, "docker/app.Dockerfile")).toString()).toBe(
      "FROM scratch\n",
    );
    const ignored = await rejection(gitSource.readContextFile(spec, "src/main.test.ts"));
    expect(ignored.message).toContain("docker/app.Dockerfile.dockerignore excludes it");
  });

  it("reads the ignore file only when git tracks it or it is added", async () => {
    const repository = repositoryWith({ Dockerfile: "FROM scratch\n", "a.txt": "a\n" });
    repository.write(".dockerignore", "a.txt\n");
    const gitSource = source(repository.root);
    expect(await contextPaths(gitSource, context())).toEqual(["Dockerfile", "a.txt"]);
    expect(await contextPaths(gitSource, context({ addFiles: [".dockerignore"] }))).toEqual([
      ".dockerignore",
      "Dockerfile",
    ]);
  });

  it("takes the context relative to the project directory, which may be below the repository's top", async () => {
    const repository = repositoryWith({
      "outside.txt": "o\n",
      "project/stages.yaml": "project: p\n",
      "project/app/Dockerfile": "FROM scratch\n",
      "project/app/.dockerignore": "*.txt\n",
      "project/app/main.go": "package main\n",
      "project/app/notes.txt": "n\n",
      "project/shared/lib.go": "package lib\n",
    });
    repository.write("project/app/generated.go", "package main // generated\n");
    const gitSource = source(join(repository.root, "project"));
    const spec = context({ directory: "app", addFiles: ["generated.go"] });
    const content = await gitSource.contextContent(spec);
    expect(content.files.map((file) => file.path)).toEqual([".dockerignore", "Dockerfile", "generated.go", "main.go"]);
    expect(content.files.find((file) => file.path === "generated.go")?.blobId).toBe(
      hashObject(repository, "project/app/generated.go"),
    );
    expect(await contextPaths(gitSource, context({ directory: "" }))).toEqual([
      "app/.dockerignore",
      "app/Dockerfile",
      "app/main.go",
      "app/notes.txt",
      "shared/lib.go",
      "stages.yaml",
    ]);
    // Up from the project is fine while inside the repository; out of it is not.
    expect(await contextPaths(gitSource, context({ directory: "../" }))).toContain("outside.txt");
    expect((await rejection(gitSource.contextContent(context({ directory: "../.." })))).message).toContain(
      "leaves the git repository",
    );
    expect((await rejection(gitSource.contextContent(context({ directory: "missing" })))).message).toContain(
      "does not exist",
    );
    expect(Buffer.from(await gitSource.readContextFile(spec, "main.go")).toString()).toBe("package main\n");
    const outside = await rejection(gitSource.readContextFile(spec, "../shared/lib.go"));
    expect(outside.message).toContain("not a path inside the build context");
  });

  it("keeps symlinks as links (mode 120000, blob of the target) and executable bits", async () => {
    const repository = repositoryWith({ "bin/run.sh": "#!/bin/sh\necho run\n", "bin/plain.sh": "#!/bin/sh\n" });
    repository.symlink("current", "bin/run.sh");
    repository.chmod("bin/run.sh", 0o755);
    repository.commitAll();
    // An edit of the mode only, and untracked ones.
    repository.chmod("bin/plain.sh", 0o744);
    repository.symlink("extra/link", "../bin/plain.sh");
    repository.write("extra/tool", "#!/bin/sh\n");
    repository.chmod("extra/tool", 0o700);
    const gitSource = source(repository.root);
    const spec = context({ addFiles: ["extra"] });
    const content = await gitSource.contextContent(spec);
    const byPath = new Map(content.files.map((file): [string, GitFile] => [file.path, file]));
    expect(byPath.get("current")).toEqual({ path: "current", mode: 0o120000, blobId: hashBlob("bin/run.sh") });
    expect(byPath.get("extra/link")).toEqual({
      path: "extra/link",
      mode: 0o120000,
      blobId: hashBlob("../bin/plain.sh"),
    });
    expect(byPath.get("bin/run.sh")?.mode).toBe(0o100755);
    expect(byPath.get("bin/plain.sh")?.mode).toBe(0o100755);
    expect(byPath.get("extra/tool")).toEqual({
      path: "extra/tool",
      mode: 0o100755,
      blobId: hashObject(repository, "extra/tool"),
    });
    // git agrees once the files are added.
    repository.git("add", "-A");
    const staged = repository.git("ls-files", "--stage", "--", "current", "extra/link", "extra/tool", "bin/plain.sh");
    expect(staged).toContain(`120000 ${hashBlob("../bin/plain.sh")} 0\textra/link`);
    expect(staged).toContain("100755");
    expect(Buffer.from(await gitSource.readContextFile(spec, "current")).toString()).toBe("bin/run.sh");
  });

  it("gives two clones made with other umasks and mtimes the same content id", async () => {
    const repository = repositoryWith({
      Dockerfile: "FROM scratch\n",
      ".dockerignore": "*.tmp\n",
      "tool.sh": "#!/bin/sh\n",
      "data/a.txt": "a\n",
      "x.tmp": "t\n",
    });
    repository.chmod("tool.sh", 0o755);
    repository.symlink("link", "data/a.txt");
    repository.commitAll();
    const clones = mkdtempSync(join(tmpdir(), "stages-context-clones-"));
    cleanups.push(() => rmSync(clones, { recursive: true, force: true }));
    const ids: string[] = [];
    for (const [name, umask] of [
      ["one", "022"],
      ["two", "077"],
    ] as const) {
      const clone = join(clones, name);
      execFileSync("sh", ["-c", `umask ${umask} && git clone -q "$0" "$1"`, repository.root, clone]);
      writeFileSync(join(clone, "added.txt"), "added\n", { mode: umask === "022" ? 0o644 : 0o600 });
      if (name === "two") {
        const past = new Date("2001-02-03T04:05:06Z");
        for (const path of ["Dockerfile", "tool.sh", "data/a.txt", "added.txt"])
          utimesSync(join(clone, path), past, past);
      }
      ids.push((await source(clone).contextContent(context({ addFiles: ["added.txt"] }))).contentId);
    }
    expect(ids[0]).toBe(ids[1]);
  });

  it("refuses to read files that are not in the context", async () => {
    const repository = repositoryWith({ Dockerfile: "FROM scratch\n", "a.txt": "a\n" });
    repository.write("untracked.txt", "u\n");
    repository.write("a.txt", "a, edited\n");
    const gitSource = source(repository.root);
    const spec = context();
    expect(Buffer.from(await gitSource.readContextFile(spec, "a.txt")).toString()).toBe("a, edited\n");
    expect((await rejection(gitSource.readContextFile(spec, "untracked.txt"))).message).toContain(
      "neither tracked by git nor listed in contextAddFiles",
    );
    for (const path of ["/etc/passwd", "../a.txt", "./a.txt", "", "a//b"]) {
      expect((await rejection(gitSource.readContextFile(spec, path))).message).toContain("not a path inside");
    }
  });

  it("in snapshot mode reads the work tree once for contexts and mappings of the same folder", async () => {
    const repository = repositoryWith({ "app/Dockerfile": "FROM scratch\n", "app/a.txt": "a\n" });
    repository.write("app/a.txt", "edited\n");
    const directory = mkdtempSync(join(tmpdir(), "stages-context-count-"));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const log = join(directory, "calls.log");
    const binary = join(directory, "git");
    writeFileSync(binary, `#!/bin/sh\necho "$*" >> "${log}"\nexec git "$@"\n`);
    chmodSync(binary, 0o755);
    writeFileSync(log, "");
    const snapshot = source(repository.root, { snapshot: true, gitBinary: binary });
    const plain = source(repository.root);
    const spec = context({ directory: "app" });
    const first = await snapshot.contextContent(spec);
    expect(await snapshot.contextContent(spec)).toEqual(first);
    expect(first).toEqual(await plain.contextContent(spec));
    await snapshot.content(gitMapping({ add: "/app" }));
    await snapshot.readContextFile(spec, "a.txt");
    const calls = readFileSync(log, "utf8").split("\n").filter(Boolean);
    expect(calls.filter((call) => / ls-files /.test(` ${call} `))).toHaveLength(1);
    expect(calls.filter((call) => / hash-object /.test(` ${call} `))).toHaveLength(1);
  });
});

/** The git blob id (sha1) of a symlink target text. */
function hashBlob(target: string): string {
  return execFileSync("git", ["hash-object", "--stdin"], { input: target, encoding: "utf8" }).trim();
}
