import type { ContentId, GitFile } from "@stages/core";
import type { PathMatcher } from "@stages/core/internal";
import { compareUtf8, contentIdOf } from "./content-list.js";
import { runGitChecked } from "./git-process.js";

export interface HistorySearch {
  gitBinary: string;
  /** The work tree root. */
  root: string;
  /** Repository-relative path of the mapping's `add` ("" for the root). */
  prefix: string;
  selection: PathMatcher | null;
  contentId: ContentId;
  /** How many commits of the first-parent history of `start` to look at. */
  depth: number;
  /** Where the history starts (a remote mapping's resolved commit in its bare mirror). Default: HEAD. */
  start?: string;
  signal?: AbortSignal | undefined;
}

/**
 * Finds the file list of a content another host computed, by looking for it in the recent commits
 * of HEAD: a stage built on a clean checkout carries exactly what a commit's tree selects. Null
 * when no commit within `depth` gives that content (it had uncommitted edits, or is older).
 */
export async function findContentInHistory(search: HistorySearch): Promise<GitFile[] | null> {
  const listed = await runGitChecked({
    gitBinary: search.gitBinary,
    args: ["-C", search.root, "rev-list", "--first-parent", `--max-count=${search.depth}`, search.start ?? "HEAD"],
    signal: search.signal,
  }).catch(() => null);
  if (listed === null) return null;
  const commits = listed.stdout.toString("utf8").split("\n").filter(Boolean);
  const seenTrees = new Set<string>();
  for (const commit of commits) {
    const tree = await runGitChecked({
      gitBinary: search.gitBinary,
      args: ["-C", search.root, "rev-parse", `${commit}:${search.prefix}`],
      signal: search.signal,
    }).catch(() => null);
    const treeId = tree?.stdout.toString("utf8").trim();
    // Commits that did not touch the mapping's directory share its tree: each tree is read once.
    if (!treeId || seenTrees.has(treeId)) continue;
    seenTrees.add(treeId);
    const files = await filesOfCommit(search, commit);
    if (files !== null && contentIdOf(files) === search.contentId) return files;
  }
  return null;
}

/** The files a commit's tree selects under `search.prefix` (sorted), or null when git cannot list it. */
export async function filesOfCommit(
  search: Pick<HistorySearch, "gitBinary" | "root" | "prefix" | "selection" | "signal">,
  commit: string,
): Promise<GitFile[] | null> {
  const output = await runGitChecked({
    gitBinary: search.gitBinary,
    args: [
      "-C",
      search.root,
      "ls-tree",
      "-r",
      "-z",
      "--full-tree",
      commit,
      ...(search.prefix === "" ? [] : ["--", search.prefix]),
    ],
    signal: search.signal,
  }).catch(() => null);
  if (output === null) return null;
  const files: GitFile[] = [];
  for (const record of output.stdout.toString("utf8").split("\0")) {
    if (record === "") continue;
    // `<mode> SP <type> SP <object> TAB <path>`
    const tab = record.indexOf("\t");
    const [mode, type, object] = record.slice(0, tab).split(" ");
    const fullPath = record.slice(tab + 1);
    if (type !== "blob" || mode === undefined || object === undefined) continue;
    let path: string;
    if (search.prefix === "") path = fullPath;
    else if (fullPath === search.prefix) path = "";
    else if (fullPath.startsWith(`${search.prefix}/`)) path = fullPath.slice(search.prefix.length + 1);
    else continue;
    files.push({ path, mode: Number.parseInt(mode, 8), blobId: object });
  }
  const single = files.length === 1 && files[0]?.path === "";
  const selected = single || search.selection === null ? files : files.filter((file) => search.selection!(file.path));
  return selected.sort((left, right) => compareUtf8(left.path, right.path));
}
