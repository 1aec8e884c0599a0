import { createHash } from "node:crypto";
import { readlink } from "node:fs/promises";
import { join } from "node:path";
import type { GitFile } from "@stages/core";
import { GitError } from "@stages/core";
import type { PathMatcher } from "@stages/core/internal";
import { encodeFileList, firstRecordFrom, parseOctal, sha256Hex } from "./content-list.js";
import { runGit, runGitChecked } from "./git-process.js";
import type { Repository } from "./repository.js";

/** What to read: the tracked files under one directory (or the one file) of the work tree. */
export interface TrackedFilesRequest {
  repository: Repository;
  /** Repository-relative path without leading or trailing slash; "" for the whole work tree. */
  prefix: string;
  /** Which paths (relative to `prefix`) to keep; null keeps all. Not applied when `prefix` is a file. */
  selection: PathMatcher | null;
  /** Let git record the stat data of files whose stat changed but whose content did not. */
  refreshIndex: boolean;
  signal: AbortSignal | undefined;
}

const modeSymlink = 0o120000;
const modeSubmodule = 0o160000;

/** What `git diff-files` reports, by path relative to the prefix. */
interface WorktreeChanges {
  /** The mode in the work tree of each changed file, 0 when it is gone. */
  modes: Map<string, number>;
  /** Whether some path is unmerged (its index entries are conflict stages). */
  unmerged: boolean;
}

/**
 * The tracked files of a request: parsed, or only as their `encodeFileList` bytes (for the whole work
 * tree without selection, git prints exactly those; parsing them is left to whoever needs the files).
 */
export type TrackedFiles = { files: GitFile[]; encoded: null } | { files: null; encoded: EncodedList };

/** An encoded file list (`encodeFileList`) in the pieces git printed it in, and its sha256 hex. */
export interface EncodedList {
  pieces: readonly Buffer[];
  sha256: string;
}

/** The bytes of an encoded list in one buffer. */
export function joinEncodedList(list: EncodedList): Buffer {
  return list.pieces.length === 1 ? (list.pieces[0] as Buffer) : Buffer.concat(list.pieces);
}

/**
 * The tracked files under `prefix` as they are in the work tree, sorted by path (git's index order),
 * paths relative to `prefix`. Blob ids come from the index; only files git reports as changed in the
 * work tree (stat changed, and content too when git cannot tell from the stat) are hashed, through
 * `git hash-object` so that clean filters (autocrlf, LFS) apply as for `git add`. Files deleted in the
 * work tree are left out, submodules are skipped.
 */
export async function readTrackedFiles(request: TrackedFilesRequest): Promise<TrackedFiles> {
  const { prefix } = request;
  const pathspec = prefix === "" ? [] : ["--", prefix];
  const [listed, { modes: changes, unmerged }] = await Promise.all([
    listIndex(request, pathspec),
    listWorktreeChanges(request.repository, prefix, pathspec, request.signal),
  ]);
  if (changes.size === 0) return listed;
  if (listed.encoded === null) return readChangedFiles(request, listed.files, changes);
  const output = joinEncodedList(listed.encoded);
  if (unmerged) {
    // git printed conflict stages, which are not encoded files: parse them.
    const parser = createIndexParser(prefix, null);
    parser.parse(output.toString("utf8", 0, Math.max(0, output.length - 1)));
    return readChangedFiles(request, parser.files, changes);
  }
  const records = locateRecords(output, changes.keys());
  await applyWorktreeChanges(request, records, changes);
  const patched = replaceRecords(output, records);
  return { files: null, encoded: { pieces: [patched], sha256: sha256Hex(patched) } };
}

async function readChangedFiles(
  request: TrackedFilesRequest,
  files: GitFile[],
  changes: ReadonlyMap<string, number>,
): Promise<TrackedFiles> {
  const deleted = await applyWorktreeChanges(request, files, changes);
  return { files: deleted === 0 ? files : files.filter((file) => file.mode !== 0), encoded: null };
}

/**
 * Brings the files that `changes` names to their work tree state, in place; a deleted file gets mode 0.
 * Returns how many were deleted.
 */
async function applyWorktreeChanges(
  request: TrackedFilesRequest,
  files: readonly GitFile[],
  changes: ReadonlyMap<string, number>,
): Promise<number> {
  const { repository, prefix, signal } = request;
  const toHash: GitFile[] = [];
  const symlinks: GitFile[] = [];
  let deleted = 0;
  for (const file of files) {
    const mode = changes.get(file.path);
    if (mode === undefined) continue;
    if (mode === 0 || mode === modeSubmodule) {
      file.mode = 0;
      deleted++;
    } else if (mode === modeSymlink) {
      symlinks.push(file);
    } else {
      toHash.push(file);
    }
  }
  const fullPath = (file: GitFile) =>
    prefix === "" ? file.path : file.path === "" ? prefix : `${prefix}/${file.path}`;
  const [hashed, linked] = await Promise.all([
    hashWorktreeFiles(repository, toHash.map(fullPath), signal),
    Promise.all(symlinks.map((file) => hashSymlink(repository, fullPath(file), file))),
  ]);

  let statOnly = 0;
  const update = (file: GitFile, mode: number, blobId: string) => {
    if (file.mode === mode && file.blobId === blobId) statOnly++;
    file.mode = mode;
    file.blobId = blobId;
  };
  for (const [position, file] of toHash.entries()) {
    update(file, changes.get(file.path) as number, hashed[position] as string);
  }
  for (const [position, file] of symlinks.entries()) update(file, modeSymlink, linked[position] as string);
  if (statOnly > 0 && request.refreshIndex) {
    // Like `git status`: record the new stat data so these files are not hashed again next time.
    // Best effort: another git process may hold the index lock, which is fine.
    await runGit({
      gitBinary: repository.gitBinary,
      args: ["update-index", "-q", "--refresh"],
      cwd: repository.root,
      signal,
    });
  }
  return deleted;
}

/** A file's record found in an encoded list: bytes `start` to `end` (after its NUL). */
interface LocatedRecord extends GitFile {
  start: number;
  end: number;
}

/** Finds the records of `paths` in an encoded list; paths it does not hold are left out. */
function locateRecords(encoded: Buffer, paths: Iterable<string>): LocatedRecord[] {
  const records: LocatedRecord[] = [];
  for (const path of paths) {
    const record = findRecord(encoded, Buffer.from(path, "utf8"));
    if (record === null) continue;
    const [mode = "", blobId = ""] = encoded.toString("latin1", record.start, record.tab).split(" ");
    records.push({ path, mode: parseOctal(mode, 0, mode.length), blobId, start: record.start, end: record.end });
  }
  return records.sort((left, right) => left.start - right.start);
}

/** The record of `path` in an encoded list (firstRecordFrom's format), or null. */
function findRecord(encoded: Buffer, path: Buffer): { start: number; tab: number; end: number } | null {
  const start = firstRecordFrom(encoded, path);
  if (start >= encoded.length) return null;
  const tab = encoded.indexOf(9, start);
  const end = encoded.indexOf(0, tab);
  return Buffer.compare(encoded.subarray(tab + 1, end), path) === 0 ? { start, tab, end: end + 1 } : null;
}

/** The encoded list with each located record replaced by its file's current state (none for mode 0). */
function replaceRecords(encoded: Buffer, records: readonly LocatedRecord[]): Buffer {
  const pieces: Buffer[] = [];
  let position = 0;
  for (const record of records) {
    pieces.push(encoded.subarray(position, record.start));
    if (record.mode !== 0) pieces.push(Buffer.from(encodeFileList([record]), "utf8"));
    position = record.end;
  }
  pieces.push(encoded.subarray(position));
  return Buffer.concat(pieces);
}

/** Turns `git ls-files --stage -z` records into files relative to `prefix`, keeping the selected ones. */
function createIndexParser(prefix: string, selection: PathMatcher | null) {
  const files: GitFile[] = [];
  const skip = prefix === "" ? 0 : prefix.length + 1;
  let conflictedPath: string | null = null;

  // Each record is `<mode> SP <blob id> SP <stage> TAB <path>`; `text` holds whole records without their NUL.
  const parse = (text: string) => {
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf("\0", start);
      if (end < 0) end = text.length;
      const space = text.indexOf(" ", start);
      const secondSpace = space < 0 ? -1 : text.indexOf(" ", space + 1);
      const tab = secondSpace < 0 ? -1 : text.indexOf("\t", secondSpace + 1);
      if (tab < 0 || tab > end || space - start !== 6) {
        throw new GitError(`[git] unexpected output of git ls-files: ${JSON.stringify(text.slice(start, end))}`);
      }
      const mode = parseOctal(text, start, space);
      const fullPath = text.slice(tab + 1, end);
      const stage = text.charCodeAt(secondSpace + 1);
      start = end + 1;
      if (stage !== 48) {
        // A conflicted path has one entry per stage; keep one, the work tree holds its content anyway.
        if (fullPath === conflictedPath) continue;
        conflictedPath = fullPath;
      }
      if (mode === modeSubmodule) continue;
      const path = skip === 0 ? fullPath : fullPath.length < skip ? "" : fullPath.slice(skip);
      if (selection !== null && path !== "" && !selection(path)) continue;
      files.push({ path, mode, blobId: text.slice(space + 1, secondSpace) });
    }
  };
  return { files, parse };
}

/**
 * How a submodule's record starts: it is not a file, so git's output holding one is not an encoded
 * list. Searching the bytes for it natively is much cheaper than parsing. (Conflict stages are the
 * other records that are not files; diff-files reports them.)
 */
const submoduleRecord = Buffer.from("\x00160000 ", "latin1");

/** Reads `git ls-files --stage -z`, parsing while git prints unless the output is the encoded list. */
async function listIndex(request: TrackedFilesRequest, pathspec: readonly string[]): Promise<TrackedFiles> {
  const { repository, prefix, selection } = request;
  const whole = prefix === "" && selection === null;
  const parser = createIndexParser(prefix, selection);
  const chunks: Buffer[] = [];
  const hash = createHash("sha256");
  // The last bytes seen, to find a submodule record split between chunks; output starts a record.
  let tail: Buffer = Buffer.from([0]);
  let submodules = false;
  let carry: Buffer | null = null;
  await runGitChecked({
    gitBinary: repository.gitBinary,
    args: ["--literal-pathspecs", "ls-files", "--stage", "-z", ...pathspec],
    cwd: repository.root,
    signal: request.signal,
    onStdout: (chunk) => {
      if (whole) {
        chunks.push(chunk);
        hash.update(chunk);
        if (!submodules) {
          submodules =
            Buffer.concat([tail, chunk.subarray(0, submoduleRecord.length - 1)]).includes(submoduleRecord) ||
            chunk.includes(submoduleRecord);
          tail = (chunk.length >= 7 ? chunk : Buffer.concat([tail, chunk])).subarray(1 - submoduleRecord.length);
        }
        return;
      }
      const bytes = carry === null ? chunk : Buffer.concat([carry, chunk]);
      const last = bytes.lastIndexOf(0);
      if (last < 0) {
        carry = bytes;
        return;
      }
      carry = last + 1 < bytes.length ? bytes.subarray(last + 1) : null;
      parser.parse(bytes.toString("utf8", 0, last));
    },
  });
  if (whole) {
    const last = chunks.at(-1);
    if (!submodules && (last === undefined || last[last.length - 1] === 0)) {
      return { files: null, encoded: { pieces: chunks, sha256: hash.digest("hex") } };
    }
    const output = Buffer.concat(chunks);
    parser.parse(output.toString("utf8", 0, output[output.length - 1] === 0 ? output.length - 1 : output.length));
    return { files: parser.files, encoded: null };
  }
  const rest = carry as Buffer | null;
  if (rest !== null) parser.parse(rest.toString("utf8"));
  return { files: parser.files, encoded: null };
}

/** Tracked files whose work tree state differs from the index (`git diff-files`), by path relative to prefix. */
async function listWorktreeChanges(
  repository: Repository,
  prefix: string,
  pathspec: readonly string[],
  signal: AbortSignal | undefined,
): Promise<WorktreeChanges> {
  const output = await runGitChecked({
    gitBinary: repository.gitBinary,
    args: ["--literal-pathspecs", "diff-files", "--raw", "-z", "--ignore-submodules=all", ...pathspec],
    cwd: repository.root,
    signal,
  });
  const changes: WorktreeChanges = { modes: new Map(), unmerged: false };
  if (output.stdout.length === 0) return changes;
  const skip = prefix === "" ? 0 : prefix.length + 1;
  // `:<mode> SP <mode in work tree> SP <blob id> SP <blob id> SP <status>` NUL `<path>` NUL
  const fields = output.stdout.toString("utf8").split("\0");
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const meta = fields[index] as string;
    const fullPath = fields[index + 1] as string;
    if (!meta.startsWith(":") || meta.length < 15) {
      throw new GitError(`[git] unexpected output of git diff-files: ${JSON.stringify(meta)}`);
    }
    const path = fullPath.length < skip ? "" : fullPath.slice(skip);
    changes.modes.set(path, parseOctal(meta, 8, 14));
    if (meta.endsWith("U")) changes.unmerged = true;
  }
  return changes;
}

/** Blob ids of work tree files, as `git add` would store them (clean filters applied). */
export async function hashWorktreeFiles(
  repository: Repository,
  paths: readonly string[],
  signal: AbortSignal | undefined,
): Promise<string[]> {
  if (paths.length === 0) return [];
  const output = await runGitChecked({
    gitBinary: repository.gitBinary,
    args: ["hash-object", "--stdin-paths"],
    cwd: repository.root,
    input: `${paths.map(quoteStdinPath).join("\n")}\n`,
    signal,
  });
  const blobIds = output.stdout.toString("utf8").split("\n", paths.length);
  if (blobIds.length !== paths.length) {
    throw new GitError(`[git] git hash-object returned ${blobIds.length} ids for ${paths.length} files`);
  }
  return blobIds;
}

/** `--stdin-paths` reads one path a line and unquotes C-style quoted ones: quote what a line cannot hold. */
function quoteStdinPath(path: string): string {
  if (!path.startsWith('"') && !/[\n\r]/.test(path)) return path;
  return `"${path.replace(/[\\"\n\r]/g, (character) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r" })[character] as string)}"`;
}

/** The blob id of a symlink: git stores its target text as the blob. */
async function hashSymlink(repository: Repository, fullPath: string, indexFile: GitFile): Promise<string> {
  let target: Buffer;
  try {
    target = await readlink(join(repository.root, fullPath), { encoding: "buffer" });
  } catch (error) {
    throw new GitError(`[git] cannot read symlink ${fullPath}: ${(error as Error).message}`, {
      cause: error,
      hint: "the work tree changed while stages read it; run again",
    });
  }
  const algorithm = indexFile.blobId.length === 64 ? "sha256" : "sha1";
  return createHash(algorithm).update(`blob ${target.length}\0`).update(target).digest("hex");
}
