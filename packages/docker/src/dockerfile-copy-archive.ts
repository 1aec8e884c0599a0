import { posix } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { StageBuildError } from "@stages/core";
import type { CopyWriter, Part } from "./dockerfile-copy-target.js";
import { entryName, staticPart, xattrsOf } from "./dockerfile-copy-target.js";
import type { TarEntryInput } from "./tar.js";
import { readTar } from "./tar.js";

/*
 * ADD of a local archive: a source file that is a tar archive (plain, gzip, bzip2 or xz, found by
 * content as docker's DecompressStream does; zstd is none to Engine 20.10) is extracted into the
 * destination as docker's Untar does for BuildKit, keeping the archive's owners and modes.
 */

/** How docker finds a compressed stream: by its first bytes. */
export type Compression = "gzip" | "bzip2" | "xz" | null;

/** The compression the bytes start with, as docker's DecompressStream tells it (no zstd on Engine 20.10). */
export function detectCompression(bytes: Uint8Array): Compression {
  const starts = (magic: number[]) => magic.every((byte, index) => bytes[index] === byte);
  if (starts([0x1f, 0x8b, 0x08])) return "gzip";
  if (starts([0x42, 0x5a, 0x68])) return "bzip2";
  if (starts([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return "xz";
  return null;
}

/** True when a 512-byte block is a tar header Go's archive/tar reads (its checksum is right). */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.byteLength < 512) return false;
  if (block.subarray(0, 512).every((byte) => byte === 0)) return false;
  const field = Buffer.from(block.subarray(148, 156))
    .toString("latin1")
    .replace(/[\0 ]+$/g, "")
    .trim();
  if (!/^[0-7]+$/.test(field)) return false;
  const recorded = Number.parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let index = 0; index < 512; index++) {
    const byte = index >= 148 && index < 156 ? 0x20 : (block[index] as number);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return recorded === unsigned || recorded === signed;
}

/** A source's bytes as an archive to extract, or null when they are none (then the file is copied). */
export async function archiveOf(bytes: Uint8Array): Promise<{ open: () => Promise<Readable> } | null> {
  const compression = detectCompression(bytes);
  const open = () => decompress(bytes, compression);
  const head = await readPrefix(await open(), 512);
  return isTarHeader(head) ? { open } : null;
}

async function decompress(bytes: Uint8Array, compression: Compression): Promise<Readable> {
  const input = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  switch (compression) {
    case null:
      return input;
    case "gzip":
      return input.pipe(createGunzip());
    case "bzip2": {
      // Loaded on use: an ADD of a bzip2 archive is rare, and start-up time is not. It is a
      // classic (through) stream, bridged by hand: async iteration of it closes early.
      const { default: bz2 } = await import("unbzip2-stream");
      const decoder = bz2();
      const output = new PassThrough();
      decoder.on("data", (chunk: Buffer) => {
        if (!output.write(chunk)) {
          decoder.pause();
          output.once("drain", () => decoder.resume());
        }
      });
      decoder.on("end", () => output.end());
      decoder.on("error", (error: Error) => output.destroy(error));
      output.on("close", () => decoder.destroy());
      decoder.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return output;
    }
    case "xz": {
      const { XzReadableStream } = await import("xz-decompress");
      const web = Readable.toWeb(input) as unknown as ReadableStream<Uint8Array>;
      return Readable.fromWeb(new XzReadableStream(web) as unknown as import("node:stream/web").ReadableStream);
    }
  }
}

/** Up to `size` first bytes of a stream (a broken stream gives what came before it broke). */
async function readPrefix(stream: Readable, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).byteLength;
      if (length >= size) break;
    }
  } catch {
    // Not a valid compressed stream: not an archive.
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, size);
}

/**
 * The entries of an archive extracted into the destination (docker's Untar as BuildKit calls it):
 * the destination is made (0755, --chown's), the archive's owners and modes are kept, its root
 * entry does not touch the destination, hard links are renamed to where their targets went.
 */
export async function planExtract(archive: { open: () => Promise<Readable> }, writer: CopyWriter): Promise<Part[]> {
  const made = await writer.target.mkdirAll(writer.destination.path, writer.owner, writer.subject);
  return [staticPart(made.entries), () => archiveEntries(archive, made.path, writer)];
}

async function* archiveEntries(
  archive: { open: () => Promise<Readable> },
  into: string,
  writer: CopyWriter,
): AsyncGenerator<TarEntryInput> {
  const { subject } = writer;
  for await (const entry of readTar(await archive.open())) {
    const { header } = entry;
    const relative = normalizeArchiveName(header.name);
    if (relative === null) {
      throw new StageBuildError(
        `[docker] ${subject}: ADD: the archive entry "${header.name}" points outside the destination`,
        { hint: "ADD extracts archives only inside the destination; fix the archive" },
      );
    }
    if (relative === "") continue;
    const path = posix.join(into, relative);
    const rewritten: TarEntryInput["header"] = {
      ...header,
      name: entryName(path),
      mode: (header.mode ?? 0) & 0o7777,
      // The old name and link of PAX records would win over the new ones: only xattrs come along.
      pax: xattrsOf(header, path, writer.warn),
    };
    if (header.type === "link") {
      const target = normalizeArchiveName(header.linkname ?? "");
      if (target === null || target === "") continue;
      rewritten.linkname = entryName(posix.join(into, target));
    }
    yield header.type === "file" || header.type === "contiguous-file"
      ? { header: { ...rewritten, type: "file" }, body: entry.body }
      : { header: { ...rewritten, size: 0 } };
  }
}

/** An archive member's name relative to where it is extracted, "" for the root, null when it climbs out. */
function normalizeArchiveName(name: string): string | null {
  const segments: string[] = [];
  for (const segment of name.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (segments.length === 0) return null;
      segments.pop();
    } else segments.push(segment);
  }
  return segments.join("/");
}
