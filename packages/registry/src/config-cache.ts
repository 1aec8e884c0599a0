import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Digest } from "@stages/core";
import { sha256Digest } from "./digest.js";

/**
 * Image configs of stages read from REPO before, kept on disk by digest. A stage's descriptor (what
 * it carries, its labels) is in its config blob, which never changes for a digest: reading it again
 * from here makes `get` one manifest request instead of two, the cost of a `has`.
 */
export interface ConfigCache {
  /** The bytes of `digest` when kept and still matching it; null otherwise. */
  read(digest: Digest, size: number): Promise<Uint8Array | null>;
  /** Keeps the (verified) bytes of `digest`; best effort: a cache that cannot be written is no cache. */
  write(digest: Digest, bytes: Uint8Array): Promise<void>;
}

/** Configs larger than this are not kept (a stage's config is a few KiB). */
const largestKept = 256 * 1024;

/** A cache in `directory` (created on first write). Only sha256 digests are kept. */
export function createConfigCache(directory: string): ConfigCache {
  const pathOf = (digest: Digest): string | null => {
    const hex = digest.startsWith("sha256:") ? digest.slice("sha256:".length) : "";
    return /^[0-9a-f]{64}$/.test(hex) ? join(directory, hex) : null;
  };
  return {
    async read(digest, size) {
      const path = pathOf(digest);
      if (path === null || size > largestKept) return null;
      let bytes: Uint8Array;
      try {
        bytes = await readFile(path);
      } catch {
        return null;
      }
      // A file cut short or changed on disk is read from the registry again (and rewritten).
      return bytes.byteLength === size && sha256Digest(bytes) === digest ? bytes : null;
    },
    async write(digest, bytes) {
      const path = pathOf(digest);
      if (path === null || bytes.byteLength > largestKept) return;
      try {
        await mkdir(directory, { recursive: true });
        // Renamed into place: a reader never sees half a file under the digest's name.
        const temporary = `${path}.${process.pid}.tmp`;
        await writeFile(temporary, bytes);
        await rename(temporary, path);
      } catch {
        // Unwritable state directory: the next get reads the config from the registry again.
      }
    },
  };
}
