import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { temporaryDirectory } from "../test/temporary.js";
import { resolveTags } from "./tags.js";

function repository(): string {
  const directory = temporaryDirectory("stages-tags-");
  const git = (...args: string[]) =>
    spawnSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...args], { cwd: directory });
  git("init", "-q", "-b", "Feature/Login");
  writeFileSync(join(directory, "a"), "a");
  git("add", "a");
  git("commit", "-q", "-m", "a");
  git("tag", "v1.2.3");
  return directory;
}

describe("resolveTags", () => {
  it("reads branch, tag and commit from git when no value is given, slugging what is invalid", () => {
    const directory = repository();
    const commit = spawnSync("git", ["rev-parse", "HEAD"], { cwd: directory, encoding: "utf8" }).stdout.trim();
    const { tags, notes } = resolveTags({ custom: ["v1"], gitBranch: true, gitTag: true, gitCommit: true }, directory);
    expect(tags).toEqual(["v1", "feature-login", "v1.2.3", commit]);
    expect(notes).toEqual(['"Feature/Login" is not a valid Docker tag: publishing it as "feature-login"']);
  });

  it("uses given values and drops duplicates", () => {
    const { tags } = resolveTags(
      { custom: ["v1", "v1"], gitBranch: "main", gitTag: false, gitCommit: undefined },
      tmpdir(),
    );
    expect(tags).toEqual(["v1", "main"]);
  });

  it("says how to give a value when git cannot tell it", () => {
    const directory = temporaryDirectory("stages-tags-");
    expect(() =>
      resolveTags({ custom: [], gitBranch: undefined, gitTag: true, gitCommit: undefined }, directory),
    ).toThrow(/--tag-git-tag/);
  });
});
