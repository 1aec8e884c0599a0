import { isAbsolute, resolve } from "node:path";
import { GitError } from "@stages/core";
import { runGit } from "./git-process.js";

/** Where a work tree's repository lives. */
export interface Repository {
  gitBinary: string;
  /** Absolute path of the top of the work tree: mapping paths are relative to it. */
  root: string;
  /** Absolute path of the git directory shared by all work trees of the repository. */
  commonDir: string;
}

/** Finds the repository of `workTree`, or throws GitError telling the user what to do. */
export async function openRepository(
  workTree: string,
  gitBinary: string,
  signal: AbortSignal | undefined,
): Promise<Repository> {
  const output = await runGit({
    gitBinary,
    args: ["-C", workTree, "rev-parse", "--show-toplevel", "--git-common-dir"],
    signal,
  });
  if (output.exitCode !== 0) {
    const detail = output.stderr === "" ? `git exited with code ${output.exitCode}` : output.stderr;
    throw new GitError(`[git] ${workTree} is not a git work tree: ${detail}`, {
      hint: "run stages inside a git work tree (git init, or git clone), or pass the work tree's path",
    });
  }
  const lines = output.stdout.toString("utf8").split("\n");
  const root = lines[0] ?? "";
  const commonDir = lines[1] ?? "";
  if (root === "" || commonDir === "") {
    throw new GitError(`[git] ${workTree} is not a git work tree: git rev-parse printed no top level`, {
      hint: "run stages inside a git work tree, not in a bare repository or inside .git",
    });
  }
  // --git-common-dir is relative to the directory git ran in when it is not absolute.
  const absoluteCommonDir = isAbsolute(commonDir) ? commonDir : resolve(workTree, commonDir);
  return { gitBinary, root, commonDir: absoluteCommonDir };
}
