import type { CallOptions } from "./common.js";

/**
 * A branch or tag of the project's repository, as cleanup policies select them (DESIGN §15). Local
 * branches (`refs/heads/<name>`) and remote-tracking ones (`refs/remotes/<remote>/<name>`, named
 * `<name>` without the remote, as werf does) are both branches; when both exist and point at
 * different commits, each is its own entry with the same name.
 */
export interface GitReference {
  kind: "branch" | "tag";
  /** `main`, `feature/x`, `v1.2.0`: without `refs/heads/`, `refs/remotes/<remote>/`, `refs/tags/`. */
  name: string;
  /** The commit it points at (an annotated tag is peeled to its commit), full hex. */
  commit: string;
  /**
   * ISO 8601 time that orders references for `limit.last` and filters them for `limit.in`: the commit
   * date of `commit` (werf: "based on the HEAD commit creation date"); for an annotated tag, the tag's
   * own creation date.
   */
  date: string;
}

/** One commit of a reference's history. */
export interface GitCommitInfo {
  /** Full hex hash. */
  hash: string;
  /** ISO 8601 committer date. */
  date: string;
}

/** HEAD of the work tree. */
export interface GitHead {
  /** Full hex hash of the commit HEAD points at. */
  commit: string;
  /** Whether tracked files differ from that commit (uncommitted edits, staged or not). */
  dirty: boolean;
}

/** Reads the history cleanup policies and commit records need. Optional capability of a GitSource. */
export interface GitHistory {
  /** HEAD's commit, or null when the repository has no commit yet. */
  head(options?: CallOptions): Promise<GitHead | null>;
  /** Every branch (local and remote-tracking) and tag. */
  references(options?: CallOptions): Promise<GitReference[]>;
  /**
   * The commits reachable from `commit` (itself first), newest first in git log's default order.
   * The caller may stop iterating early; the adapter then stops reading.
   */
  commits(commit: string, options?: CallOptions): AsyncIterable<GitCommitInfo>;
}
