import type { ContentId, GitFile, GitMapping, MappingContent } from "@stages/core";
import { describe, expect, it } from "vitest";
import { fileMode, isSymlink, planFullPut, planPatch, safeRemovals } from "./git-plan.js";

function mapping(fields: Partial<GitMapping> = {}): GitMapping {
  return {
    id: "git-0",
    add: "/",
    to: "/app/",
    includePaths: [],
    excludePaths: [],
    owner: null,
    group: null,
    stageDependencies: { beforeInstall: [], install: [], beforeSetup: [], setup: [] },
    position: { file: "stages.yaml", line: 1, column: 1 },
    ...fields,
  };
}

function file(path: string, mode = 0o100644): GitFile {
  return { path, mode, blobId: "0".repeat(40) };
}

function content(paths: string[]): MappingContent {
  return { mappingId: "git-0", contentId: "c".repeat(64) as ContentId, files: paths.map((path) => file(path)) };
}

describe("planFullPut", () => {
  it("puts every file at `to` with every directory below it, parents first", () => {
    const plan = planFullPut(mapping(), content(["a-b/x", "a/b/c.js", "a/d.js", "top"]));
    expect(plan.to).toBe("/app");
    expect(plan.singleFile).toBe(false);
    expect(plan.directories).toEqual(["/app/a", "/app/a-b", "/app/a/b"]);
    expect(plan.files.map((each) => each.target)).toEqual(["/app/a-b/x", "/app/a/b/c.js", "/app/a/d.js", "/app/top"]);
    expect(plan.removals).toEqual([]);
  });

  it("puts a single-file mapping at `to` itself and skips submodules", () => {
    const plan = planFullPut(mapping({ add: "/package.json", to: "/srv/package.json" }), content([""]));
    expect(plan.singleFile).toBe(true);
    expect(plan.files.map((each) => each.target)).toEqual(["/srv/package.json"]);
    const withSubmodule: MappingContent = { ...content(["a"]), files: [file("a"), file("vendor/lib", 0o160000)] };
    expect(planFullPut(mapping(), withSubmodule).files.map((each) => each.file.path)).toEqual(["a"]);
  });
});

describe("planPatch", () => {
  it("puts added and changed files, removes deleted ones, writes only new directories", () => {
    const after = content(["keep/k", "keep/new", "fresh/deep/n", "changed"]);
    const plan = planPatch(mapping(), after, {
      added: [file("keep/new"), file("fresh/deep/n")],
      changed: [file("changed")],
      deleted: ["gone", "keep/old"],
    });
    expect(plan.directories).toEqual(["/app/fresh", "/app/fresh/deep"]);
    expect(plan.files.map((each) => each.target)).toEqual(["/app/changed", "/app/fresh/deep/n", "/app/keep/new"]);
    expect(plan.removals).toEqual(["/app/gone", "/app/keep/old"]);
  });

  it("does not remove what a put replaced: a file that became a directory or lies under a new file", () => {
    const after = content(["bin/run/inside", "lib"]);
    const plan = planPatch(mapping(), after, {
      added: [file("bin/run/inside"), file("lib")],
      changed: [],
      deleted: ["bin/run", "lib/a.js", "lib/sub/b.js"],
    });
    expect(plan.removals).toEqual([]);
    expect(plan.directories).toEqual(["/app/bin", "/app/bin/run"]);
  });
});

describe("helpers", () => {
  it("filters removals against the content", () => {
    expect(safeRemovals(["b", "a", "dir", "file/x"], content(["dir/y", "file"]))).toEqual(["a", "b"]);
  });

  it("maps git modes to image modes", () => {
    expect(fileMode(file("x", 0o100755))).toBe(0o755);
    expect(fileMode(file("x", 0o100644))).toBe(0o644);
    expect(isSymlink(file("x", 0o120000))).toBe(true);
    expect(fileMode(file("x", 0o120000))).toBe(0o777);
  });
});
