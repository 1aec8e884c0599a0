import { createHash } from "node:crypto";
import { open, stat } from "node:fs/promises";
import type { Digest } from "@stages/core";
import { throwIfAborted } from "@stages/core";

/** Content to upload that can be read again from any offset (needed to resume an upload). */
export interface BlobSource {
  readonly size: number;
  /** Bytes `[start, end)`. */
  read(start: number, end: number): Promise<Uint8Array>;
}

/** A source over bytes in memory. */
export function bytesSource(bytes: Uint8Array): BlobSource {
  return {
    size: bytes.byteLength,
    read: async (start, end) => bytes.subarray(start, end),
  };
}

/** A source over a file (read piece by piece, never whole). */
export async function fileSource(path: string): Promise<BlobSource> {
  const { size } = await stat(path);
  return {
    size,
    async read(start, end) {
      const handle = await open(path, "r");
      try {
        const buffer = Buffer.alloc(end - start);
        let filled = 0;
        while (filled < buffer.byteLength) {
          const { bytesRead } = await handle.read(buffer, filled, buffer.byteLength - filled, start + filled);
          if (bytesRead === 0) throw new Error(`${path} became shorter while it was uploaded`);
          filled += bytesRead;
        }
        return buffer;
      } finally {
        await handle.close();
      }
    },
  };
}

/** The sha256 digest of a source, read in pieces of `pieceSize`. */
export async function digestOfSource(
  source: BlobSource,
  signal?: AbortSignal,
  pieceSize = 4 * 1024 * 1024,
): Promise<Digest> {
  const hash = createHash("sha256");
  for (let offset = 0; offset < source.size; offset += pieceSize) {
    throwIfAborted(signal);
    hash.update(await source.read(offset, Math.min(source.size, offset + pieceSize)));
  }
  return `sha256:${hash.digest("hex")}` as Digest;
}
