import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createGitSource } from "../src/git-source.js";
import { createTestRepository, type TestRepository } from "../src/test-repository.js";

/**
 * The context BuildKit sends, next to ours: for a work tree where git tracks every file, the files a
 * `COPY . /context/` sees must be exactly the files of `contextContent`. This pins the ignore-file
 * semantics (matcher, Dockerfile-specific file) to the engine's rather than to the library's word.
 */

const host = process.env.STAGES_TEST_DOCKER_HOST_A ?? "";
const tags: string[] = [];
const repositories: TestRepository[] = [];

afterAll(() => {
  for (const tag of tags) {
    try {
      execFileSync("/usr/bin/docker", ["-H", host, "rmi", "-f", tag], { stdio: "ignore" });
    } catch {}
  }
  for (const repository of repositories) repository.dispose();
});

/** The files and symlinks BuildKit copied from the context into /context, relative to it. */
function buildKitContext(directory: string, dockerfile: string): string[] {
  if (!host) throw new Error("STAGES_TEST_DOCKER_HOST_A is not set: run under the test environment (globalSetup)");
  const tag = `stages-git-context/check:${randomBytes(4).toString("hex")}`;
  tags.push(tag);
  execFileSync("/usr/bin/docker", ["-H", host, "build", "-q", "--network", "none", "-f", dockerfile, "-t", tag, "."], {
    cwd: directory,
    env: { ...process.env, DOCKER_BUILDKIT: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const container = execFileSync("/usr/bin/docker", ["-H", host, "create", tag, "none"], { encoding: "utf8" }).trim();
  try {
    const listing = execFileSync("sh", ["-c", `/usr/bin/docker -H "$0" export "$1" | tar tvf -`, host, container], {
      encoding: "utf8",
      maxBuffer: 16 * 1024 * 1024,
    });
    return listing
      .split("\n")
      .filter((line) => line.startsWith("-") || line.startsWith("l"))
      .map((line) => (line.match(/ context\/(.*?)(?: -> .*)?$/) ?? [])[1])
      .filter((path): path is string => path !== undefined)
      .sort();
  } finally {
    execFileSync("/usr/bin/docker", ["-H", host, "rm", "-f", container], { stdio: "ignore" });
  }
}

async function ourContext(root: string, dockerfile: string): Promise<string[]> {
  const source = createGitSource({ workTree: root });
  const content = await (source.contextContent as NonNullable<typeof source.contextContent>)({
    directory: "",
    dockerfile,
    addFiles: [],
  });
  return content.files.map((file) => file.path).sort();
}

const tree: Record<string, string> = {
  "a.log": "",
  "important.log": "",
  "deep/er/b.log": "",
  "node_modules/dep/index.js": "",
  "node_modules/keep/x/keep.js": "",
  "src/temp.txt": "",
  "src/templates/t.html": "",
  "src/main.ts": "",
  "src/nested/temporary.ts": "",
  "docs/README.md": "",
  "docs/guide/intro.md": "",
  "docs/guide/README.md": "",
  "docs/guide/intro.txt": "",
  "build/out.js": "",
  "src/build/keep.js": "",
  ".env": "",
  ".env.example": "",
  ".config/settings.json": "",
  "a.conf": "",
  "b.conf": "",
  "c.conf": "",
  "file1.txt": "",
  "file22.txt": "",
  "dir with space/x.txt": "",
  "cache/one": "",
  "src/cache/two": "",
  Makefile: "",
  "MAKEFILE.md": "",
};

describe("contextContent against BuildKit (engine A)", () => {
  it("keeps exactly the files a COPY . sees, for .dockerignore and a Dockerfile's own ignore file", async () => {
    const repository = createTestRepository(tree);
    repositories.push(repository);
    repository.write("Dockerfile", "FROM scratch\nCOPY . /context/\n");
    repository.write(
      ".dockerignore",
      [
        ".git",
        "**/*.log",
        "!important.log",
        "node_modules",
        "!node_modules/keep/**",
        "*/temp*",
        "docs/**/*.md",
        "!docs/**/README.md",
        "/build/",
        ".*",
        "!.env.example",
        "[ab].conf",
        "file?.txt",
        "dir with space",
        "**/cache",
        "Dockerfile",
        "makefile",
        "",
      ].join("\n"),
    );
    repository.write("ci/app.Dockerfile", "FROM scratch\nCOPY . /context/\n");
    repository.write("ci/app.Dockerfile.dockerignore", ".git\nsrc\n!src/main.ts\n*.conf\nci\n");
    repository.commitAll();
    for (const dockerfile of ["Dockerfile", "ci/app.Dockerfile"]) {
      const theirs = buildKitContext(repository.root, dockerfile);
      expect(theirs.length).toBeGreaterThan(3);
      expect(await ourContext(repository.root, dockerfile), dockerfile).toEqual(theirs);
    }
  });
});
