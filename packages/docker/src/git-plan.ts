import { posix } from "node:path";
import type { GitDiff, GitFile, GitMapping, MappingContent } from "@stages/core";

/** What to do in the image to bring one git mapping to a content. */
export interface GitUpdatePlan {
  mapping: GitMapping;
  /** Absolute path of `to`. */
  to: string;
  /** Whether the mapping is a single file (its one path is ""), put at `to` itself. */
  singleFile: boolean;
  /** Directories below `to` to write with the mapping's owner (absolute, parents first). */
  directories: string[];
  /** Files to write: where in the image and which file of the content. */
  files: { target: string; file: GitFile }[];
  /** Absolute paths to remove (after the files were written). */
  removals: string[];
}

const gitModeSymlink = 0o120000;
const gitModeSubmodule = 0o160000;

/** Normalizes `to` to an absolute POSIX path without a trailing slash. */
export function normalizeTarget(to: string): string {
  return posix.resolve("/", to);
}

function targetOf(to: string, path: string): string {
  return path === "" ? to : posix.join(to, path);
}

/** Every parent directory of `path` (relative, without "" ), nearest last: `a/b/c` → `a`, `a/b`. */
function parentsOf(path: string): string[] {
  const parents: string[] = [];
  let slash = path.indexOf("/");
  while (slash !== -1) {
    parents.push(path.slice(0, slash));
    slash = path.indexOf("/", slash + 1);
  }
  return parents;
}

function puttable(files: readonly GitFile[]): GitFile[] {
  // Submodules are commits, not files; nothing to put for them.
  return files.filter((file) => file.mode !== gitModeSubmodule);
}

/** Puts the whole content (gitArchive): every file and every directory below `to`. */
export function planFullPut(mapping: GitMapping, content: MappingContent): GitUpdatePlan {
  const to = normalizeTarget(mapping.to);
  const files = puttable(content.files);
  const directories = new Set<string>();
  for (const file of files) for (const parent of parentsOf(file.path)) directories.add(parent);
  return {
    mapping,
    to,
    singleFile: files.length === 1 && files[0]?.path === "",
    directories: [...directories].sort().map((directory) => targetOf(to, directory)),
    files: files.map((file) => ({ target: targetOf(to, file.path), file })),
    removals: [],
  };
}

/**
 * Applies a diff: added and changed files put, deleted ones removed. Only directories that did
 * not hold any file before get a directory entry, so directories that already exist keep the
 * mode and owner that later stages may have given them.
 */
export function planPatch(mapping: GitMapping, content: MappingContent, diff: GitDiff): GitUpdatePlan {
  const to = normalizeTarget(mapping.to);
  const added = new Set(puttable(diff.added).map((file) => file.path));
  const existed = new Set<string>();
  for (const file of content.files) {
    if (!added.has(file.path)) for (const parent of parentsOf(file.path)) existed.add(parent);
  }
  const directories = new Set<string>();
  for (const path of added) for (const parent of parentsOf(path)) if (!existed.has(parent)) directories.add(parent);
  const written = [...puttable(diff.added), ...puttable(diff.changed)].sort((a, b) => compare(a.path, b.path));
  return {
    mapping,
    to,
    singleFile: content.files.length === 1 && content.files[0]?.path === "",
    directories: [...directories].sort().map((directory) => targetOf(to, directory)),
    files: written.map((file) => ({ target: targetOf(to, file.path), file })),
    removals: safeRemovals(diff.deleted, content).map((path) => targetOf(to, path)),
  };
}

/**
 * Drops removals that would undo a put: a path that is now a directory of the content (or the
 * content's file itself), and a path below a file of the content (writing that file replaced the
 * directory it was in).
 */
export function safeRemovals(paths: readonly string[], content: MappingContent): string[] {
  const files = new Set<string>();
  const directories = new Set<string>();
  for (const file of content.files) {
    files.add(file.path);
    for (const parent of parentsOf(file.path)) directories.add(parent);
  }
  return [...paths]
    .filter(
      (path) => !files.has(path) && !directories.has(path) && !parentsOf(path).some((parent) => files.has(parent)),
    )
    .sort(compare);
}

/** Whether a git file is a symlink. */
export function isSymlink(file: GitFile): boolean {
  return (file.mode & 0o170000) === gitModeSymlink;
}

/** The permission bits a git file gets in the image. */
export function fileMode(file: GitFile): number {
  if (isSymlink(file)) return 0o777;
  return (file.mode & 0o111) !== 0 ? 0o755 : 0o644;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
