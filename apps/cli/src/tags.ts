import { spawnSync } from "node:child_process";
import { slugifyTag, UsageError } from "@stages/core";

/** The tag options of publish, as parsed (a flag given without a value reads it from git). */
export interface TagOptions {
  custom: readonly string[];
  gitBranch: string | boolean | undefined;
  gitTag: string | boolean | undefined;
  gitCommit: string | boolean | undefined;
}

function git(directory: string, args: string[], what: string, flag: string): string {
  const result = spawnSync("git", args, { cwd: directory, encoding: "utf8" });
  if (result.error || result.status !== 0) {
    throw new UsageError(
      `${flag} needs the ${what}, and git could not tell it: ${(result.stderr || result.error?.message || "").trim()}`,
      {
        hint: `give it explicitly: ${flag}=<value>`,
      },
    );
  }
  return result.stdout.trim();
}

/**
 * The tags to publish under, slugified where they are not valid Docker tags; `notes` says what was
 * changed so the CLI can tell the user.
 */
export function resolveTags(options: TagOptions, directory: string): { tags: string[]; notes: string[] } {
  const raw: string[] = [...options.custom];
  if (options.gitBranch !== undefined && options.gitBranch !== false) {
    let branch =
      typeof options.gitBranch === "string"
        ? options.gitBranch
        : git(directory, ["rev-parse", "--abbrev-ref", "HEAD"], "current branch", "--tag-git-branch");
    if (branch === "HEAD")
      throw new UsageError("--tag-git-branch: the work tree is on a detached HEAD", {
        hint: "check out a branch or pass --tag-git-branch=<name>",
      });
    branch = branch.replace(/^refs\/heads\//, "");
    raw.push(branch);
  }
  if (options.gitTag !== undefined && options.gitTag !== false) {
    raw.push(
      typeof options.gitTag === "string"
        ? options.gitTag
        : git(directory, ["describe", "--tags", "--exact-match", "HEAD"], "git tag of HEAD", "--tag-git-tag"),
    );
  }
  if (options.gitCommit !== undefined && options.gitCommit !== false) {
    raw.push(
      typeof options.gitCommit === "string"
        ? options.gitCommit
        : git(directory, ["rev-parse", "HEAD"], "commit of HEAD", "--tag-git-commit"),
    );
  }
  const tags: string[] = [];
  const notes: string[] = [];
  for (const value of raw) {
    const { tag, changed } = slugifyTag(value);
    if (changed) notes.push(`"${value}" is not a valid Docker tag: publishing it as "${tag}"`);
    if (!tags.includes(tag)) tags.push(tag);
  }
  return { tags, notes };
}
