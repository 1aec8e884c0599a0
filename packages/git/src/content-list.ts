import { createHash } from "node:crypto";
import type { ContentId, GitFile } from "@stages/core";

/** Git's octal text of a file mode, six digits as `git ls-files --stage` prints it. */
export function modeText(mode: number): string {
  switch (mode) {
    case 0o100644:
      return "100644";
    case 0o100755:
      return "100755";
    case 0o120000:
      return "120000";
    default:
      return mode.toString(8).padStart(6, "0");
  }
}

/** Feeds the encoding of `files` to `sink` in pieces of about 64 KiB. */
function encodeInPieces(files: readonly GitFile[], sink: (piece: string) => void): void {
  let piece = "";
  for (const file of files) {
    piece += `${modeText(file.mode)} ${file.blobId} 0\t${file.path}\0`;
    if (piece.length > 65536) {
      sink(piece);
      piece = "";
    }
  }
  if (piece !== "") sink(piece);
}

/**
 * The text a content id is the sha256 of (as UTF-8). For every file, in ascending order of the UTF-8
 * bytes of its path (git's index order): `<mode> SP <blob id> SP 0 TAB <path> NUL`, where `mode` is six
 * octal digits (`100644`, `100755`, `120000`), `blob id` lowercase hex and `path` relative to the
 * mapping's `add`. That is exactly what `git ls-files --stage -z` prints for those files with their
 * content in the index. An empty list is the empty text.
 */
export function encodeFileList(files: readonly GitFile[]): string {
  const pieces: string[] = [];
  encodeInPieces(files, (piece) => pieces.push(piece));
  return pieces.join("");
}

/** Parses the text of `encodeFileList` back into files. */
export function decodeFileList(text: string): GitFile[] {
  const files: GitFile[] = [];
  let start = 0;
  while (start < text.length) {
    const space = text.indexOf(" ", start);
    const secondSpace = space < 0 ? -1 : text.indexOf(" ", space + 1);
    const tab = secondSpace < 0 ? -1 : text.indexOf("\t", secondSpace + 1);
    const end = tab < 0 ? -1 : text.indexOf("\0", tab + 1);
    if (end < 0) throw new Error("truncated file list");
    files.push({
      path: text.slice(tab + 1, end),
      mode: parseOctal(text, start, space),
      blobId: text.slice(space + 1, secondSpace),
    });
    start = end + 1;
  }
  return files;
}

/**
 * The files of an encoded list (`encodeFileList` bytes, sorted by path bytes) whose paths start with
 * one of `prefixes`, in list order: each prefix's records are found by binary search and decoded
 * alone, so a large list costs what the files under the prefixes cost.
 */
export function decodeFilesUnder(encoded: Buffer, prefixes: readonly string[]): GitFile[] {
  const ranges: [number, number][] = [];
  for (const prefix of prefixes) {
    const bytes = Buffer.from(prefix, "utf8");
    const start = firstRecordFrom(encoded, bytes);
    let end = start;
    while (end < encoded.length) {
      const tab = encoded.indexOf(9, end);
      const nul = tab < 0 ? -1 : encoded.indexOf(0, tab);
      if (nul < 0) throw new Error("truncated file list");
      const path = encoded.subarray(tab + 1, nul);
      if (path.length < bytes.length || Buffer.compare(path.subarray(0, bytes.length), bytes) !== 0) break;
      end = nul + 1;
    }
    if (end > start) ranges.push([start, end]);
  }
  // One prefix may hold another ("src", "src/lib"): each record is decoded once.
  ranges.sort((left, right) => left[0] - right[0]);
  const files: GitFile[] = [];
  let decodedTo = 0;
  for (const [start, end] of ranges) {
    const from = Math.max(start, decodedTo);
    if (from < end) files.push(...decodeFileList(encoded.toString("utf8", from, end)));
    decodedTo = Math.max(decodedTo, end);
  }
  return files;
}

/**
 * The offset of the first record whose path is not before `path` in byte order (the length when
 * none), by binary search: records are `<mode> SP <blob id> SP 0 TAB <path> NUL`, sorted by the
 * bytes of their paths. `low` is always a record start with every record before it before `path`; every record
 * starting at or after `high` is not.
 */
export function firstRecordFrom(encoded: Buffer, path: Buffer): number {
  let low = 0;
  let high = encoded.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const previousEnd = middle === 0 ? -1 : encoded.indexOf(0, middle - 1);
    const start = middle === 0 ? 0 : previousEnd < 0 ? encoded.length : previousEnd + 1;
    if (start >= high) {
      high = middle;
      continue;
    }
    const tab = encoded.indexOf(9, start);
    const end = tab < 0 ? -1 : encoded.indexOf(0, tab);
    if (end < 0) throw new Error("truncated file list");
    if (Buffer.compare(encoded.subarray(tab + 1, end), path) < 0) low = end + 1;
    else high = start;
  }
  return low;
}

/** Reads octal digits by hand: cheaper than a substring and parseInt per file. */
export function parseOctal(text: string, start: number, end: number): number {
  let value = 0;
  for (let position = start; position < end; position++) {
    value = value * 8 + (text.charCodeAt(position) - 48);
  }
  return value;
}

/** sha256 hex of bytes, or of a text's UTF-8 bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The content id of a file list (sorted as `encodeFileList` requires): sha256 hex of its encoding. */
export function contentIdOf(files: readonly GitFile[]): ContentId {
  const hash = createHash("sha256");
  encodeInPieces(files, (piece) => hash.update(piece, "utf8"));
  return hash.digest("hex") as ContentId;
}

/** Orders strings by their UTF-8 bytes, the order git sorts paths in. */
export function compareUtf8(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, "utf8"), Buffer.from(right, "utf8"));
}

/**
 * The checksum of a mapping's stageDependencies for one stage: sha256 hex of `<count> LF`, then every
 * distinct glob as given, in ascending UTF-8 byte order, each followed by NUL, then `encodeFileList`
 * of the matched files. Globs are part of it so that changing them changes the checksum even when
 * they match the same files; with no file matched it is still stable.
 */
export function dependenciesChecksumOf(globs: readonly string[], files: readonly GitFile[]): string {
  const sortedGlobs = [...new Set(globs)].sort(compareUtf8);
  let header = `${sortedGlobs.length}\n`;
  for (const glob of sortedGlobs) header += `${glob}\0`;
  const hash = createHash("sha256").update(header, "utf8");
  encodeInPieces(files, (piece) => hash.update(piece, "utf8"));
  return hash.digest("hex");
}
