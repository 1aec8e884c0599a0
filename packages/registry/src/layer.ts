import { gzipSync } from "node:zlib";
import type { Digest } from "@stages/core";
import { UsageError } from "@stages/core";
import { sha256Digest } from "./digest.js";
import { mediaTypes } from "./media-types.js";

/** One entry of a layer tarball. */
export interface LayerEntry {
  /** Path inside the image, without a leading slash; directories may end in `/`. */
  path: string;
  type?: "file" | "directory" | "symlink";
  content?: Uint8Array | string;
  /** Permission bits; default 0o644 for files, 0o755 for directories. */
  mode?: number;
  linkTarget?: string;
  uid?: number;
  gid?: number;
}

/** A layer ready to push: compressed bytes, their digest, and the digest of the uncompressed tar. */
export interface Layer {
  mediaType: string;
  bytes: Uint8Array;
  digest: Digest;
  size: number;
  /** sha256 of the uncompressed tar (what `rootfs.diff_ids` of the config lists). */
  diffId: Digest;
}

function writeString(header: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.byteLength > length) throw new UsageError(`tar field "${value}" is longer than ${length} bytes`);
  bytes.copy(header, offset);
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  writeString(header, offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
}

function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
  const cut = path.lastIndexOf("/", path.length - 2);
  const prefix = path.slice(0, cut);
  const name = path.slice(cut + 1);
  if (cut <= 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(name) > 100) {
    throw new UsageError(`tar path "${path}" is too long`);
  }
  return { name, prefix };
}

/** A deterministic ustar archive (mtime 0) of `entries`, in the order given. */
export function createTar(entries: readonly LayerEntry[]): Uint8Array {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? (entry.path.endsWith("/") ? "directory" : "file");
    const path = type === "directory" && !entry.path.endsWith("/") ? `${entry.path}/` : entry.path;
    const content = type === "file" ? Buffer.from(entry.content ?? "") : Buffer.alloc(0);
    const header = Buffer.alloc(512);
    const { name, prefix } = splitPath(path.replace(/^\/+/, ""));
    writeString(header, 0, 100, name);
    writeOctal(header, 100, 8, entry.mode ?? (type === "directory" ? 0o755 : 0o644));
    writeOctal(header, 108, 8, entry.uid ?? 0);
    writeOctal(header, 116, 8, entry.gid ?? 0);
    writeOctal(header, 124, 12, content.byteLength);
    writeOctal(header, 136, 12, 0);
    header.fill(0x20, 148, 156);
    writeString(header, 156, 1, type === "directory" ? "5" : type === "symlink" ? "2" : "0");
    if (type === "symlink") writeString(header, 157, 100, entry.linkTarget ?? "");
    writeString(header, 257, 6, "ustar\0");
    writeString(header, 263, 2, "00");
    writeString(header, 345, 155, prefix);
    let checksum = 0;
    for (const byte of header) checksum += byte;
    writeString(header, 148, 8, `${checksum.toString(8).padStart(6, "0")}\0 `);
    blocks.push(header, content, Buffer.alloc((512 - (content.byteLength % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A gzip-compressed layer of `entries`, with its digest and diff id. */
export function createLayer(entries: readonly LayerEntry[], format: "docker" | "oci" = "docker"): Layer {
  const tar = createTar(entries);
  const bytes = gzipSync(tar, { level: 6 });
  return {
    mediaType: format === "docker" ? mediaTypes.dockerLayerGzip : mediaTypes.ociLayerGzip,
    bytes,
    digest: sha256Digest(bytes),
    size: bytes.byteLength,
    diffId: sha256Digest(tar),
  };
}
