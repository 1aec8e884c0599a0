import type { GitMapping } from "../config/model.js";
import type { ContentId } from "../signature-type.js";
import type { CallOptions } from "./common.js";
import type { GitHistory } from "./git-history.js";

/** One file a git mapping selects. */
export interface GitFile {
  /** Path relative to the mapping's `add`, POSIX separators, no leading slash. */
  path: string;
  /** Git file mode: 0o100644, 0o100755 or 0o120000 (symlink). */
  mode: number;
  /** Git blob id (sha1 or sha256 hex) of the content as in the work tree. */
  blobId: string;
}

/** The content a mapping selects right now. */
export interface MappingContent {
  mappingId: string;
  /** sha256 over the sorted (path, mode, blob id) of `files` (DESIGN §4). */
  contentId: ContentId;
  /** Sorted by path. */
  files: readonly GitFile[];
  /** A remote mapping (`url:`): the commit its branch, tag or default branch resolved to, which the files are of. */
  commit?: string;
}

/** Difference between two contents of one mapping. */
export interface GitDiff {
  added: GitFile[];
  changed: GitFile[];
  /** Paths relative to the mapping's `add`. */
  deleted: string[];
}

/**
 * The version of the GitSource contract. Each adapter contract has its own, so one can change without the
 * others; an adapter declares the version it implements and the host refuses one that differs.
 */
export const gitSourceSpecificationVersion = "v1" as const;
export type GitSourceSpecificationVersion = typeof gitSourceSpecificationVersion;

/** The build context of a Dockerfile image (DESIGN §12). */
export interface DockerContextSpec {
  /** The context folder relative to the project directory (the git source's work tree), POSIX, "" for that directory. */
  directory: string;
  /** The Dockerfile's path relative to the context (BuildKit reads `<Dockerfile>.dockerignore` before `.dockerignore`). */
  dockerfile: string;
  /** Files git does not track (relative to the context) that still enter it (`contextAddFiles`). */
  addFiles: readonly string[];
}

/** Gives git mappings and stageDependencies their content. */
export interface GitSource {
  readonly specificationVersion: GitSourceSpecificationVersion;
  /** The files the mapping selects in the work tree (uncommitted edits included) and their content id. */
  content(mapping: GitMapping, options?: CallOptions): Promise<MappingContent>;
  /** Checksum (64 hex) of the files of the mapping matched by `globs` (relative to `add`). */
  dependenciesChecksum(mapping: GitMapping, globs: readonly string[], options?: CallOptions): Promise<string>;
  /**
   * What changed between a content this source has seen before (`from`) and the current one (`to`),
   * or null when `from` is unknown here (the caller then puts the whole mapping, removing nothing).
   */
  diff(mapping: GitMapping, from: ContentId, to: ContentId, options?: CallOptions): Promise<GitDiff | null>;
  /** The bytes of one selected file as in the work tree (a symlink gives its target). */
  readFile(mapping: GitMapping, path: string, options?: CallOptions): Promise<Uint8Array>;
  /**
   * The files of a Dockerfile build context: the tracked files under the folder as in the work tree
   * (uncommitted edits included, deleted ones left out) plus `addFiles`, minus what `.dockerignore`
   * excludes; paths relative to the context, sorted; `mappingId` is `context`. Untracked files git
   * ignores are not in it unless listed in `addFiles`.
   */
  contextContent?(spec: DockerContextSpec, options?: CallOptions): Promise<MappingContent>;
  /** The bytes of one file of a context (a symlink gives its target). */
  readContextFile?(spec: DockerContextSpec, path: string, options?: CallOptions): Promise<Uint8Array>;
  /** Branches, tags and commits, for cleanup policies and commit records (DESIGN §15). Optional capability. */
  readonly history?: GitHistory;
}
