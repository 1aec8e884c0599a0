import { createHash } from "node:crypto";
import type { ContentId, GitFile } from "@stages/core";

/** Git's octal text of a file mode, six digits as `git ls-files -s` prints it. */
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

/**
 * The bytes a content id is the sha256 of (UTF-8): for every file, in ascending order of the UTF-8
 * bytes of its path (git's index order), `path NUL mode NUL blobId LF`, where `mode` is six octal
 * digits (`100644`, `100755`, `120000`) and `blobId` lowercase hex. An empty list is the empty string.
 * A path never holds NUL and a blob id never holds LF, so the text parses back unambiguously.
 */
export function encodeFileList(files: readonly GitFile[]): string {
  let text = "";
  for (const file of files) {
    text += `${file.path}\0${modeText(file.mode)}\0${file.blobId}\n`;
  }
  return text;
}

/** Parses the text of `encodeFileList` back into files. */
export function decodeFileList(text: string): GitFile[] {
  const files: GitFile[] = [];
  let position = 0;
  while (position < text.length) {
    const pathEnd = text.indexOf("\0", position);
    const modeEnd = pathEnd < 0 ? -1 : text.indexOf("\0", pathEnd + 1);
    const blobEnd = modeEnd < 0 ? -1 : text.indexOf("\n", modeEnd + 1);
    if (blobEnd < 0) throw new Error("truncated file list");
    files.push({
      path: text.slice(position, pathEnd),
      mode: Number.parseInt(text.slice(pathEnd + 1, modeEnd), 8),
      blobId: text.slice(modeEnd + 1, blobEnd),
    });
    position = blobEnd + 1;
  }
  return files;
}

/** sha256 hex of a text's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The content id of a file list (sorted as `encodeFileList` requires): sha256 hex of its encoding. */
export function contentIdOf(files: readonly GitFile[]): ContentId {
  return sha256Hex(encodeFileList(files)) as ContentId;
}

/** Orders strings by their UTF-8 bytes, the order git sorts paths in. */
export function compareUtf8(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, "utf8"), Buffer.from(right, "utf8"));
}

/**
 * The checksum of a mapping's stageDependencies for one stage: sha256 hex of `count LF`, then every
 * distinct glob as given, in ascending UTF-8 byte order, each followed by NUL, then `encodeFileList`
 * of the matched files. Globs are part of it so that changing them changes the checksum even when
 * they match the same files; with no file matched it is still stable.
 */
export function dependenciesChecksumOf(globs: readonly string[], files: readonly GitFile[]): string {
  const sortedGlobs = [...new Set(globs)].sort(compareUtf8);
  let header = `${sortedGlobs.length}\n`;
  for (const glob of sortedGlobs) header += `${glob}\0`;
  return createHash("sha256").update(header, "utf8").update(encodeFileList(files), "utf8").digest("hex");
}
