import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, brotliDecompress, constants } from "node:zlib";
import type { ContentId, GitFile } from "@stages/core";
import { decodeFileList, sha256Hex } from "./content-list.js";

const compress = promisify(brotliCompress);
const decompress = promisify(brotliDecompress);

/** The file lists of contents seen before, by content id, so that a later diff can compare them. */
export interface ContentCache {
  /**
   * Stores the encoded file list (`encodeFileList`) of `contentId` unless it is stored already.
   * Never rejects: a list that could not be stored is simply unknown later.
   */
  remember(contentId: ContentId, encodedList: () => string | Uint8Array): Promise<void>;
  /** The file list of `contentId`, or null when it was never stored (or was pruned, or is damaged). */
  recall(contentId: ContentId): Promise<GitFile[] | null>;
}

/** Limits of a content cache. */
export interface ContentCacheLimits {
  /** Most lists kept. */
  entries: number;
  /** Most bytes kept (the newest list is kept whatever its size). */
  bytes: number;
}

const suffix = ".list.br";
const emptyContentId = sha256Hex("");

/**
 * A directory of brotli-compressed file lists named `<content id>.list.br` (about 26 bytes a file
 * for typical paths). Entries are written atomically (temporary file, then rename), verified against
 * their id when read, and the least recently used ones beyond the limits are deleted.
 */
export function createContentCache(directory: string, limits: ContentCacheLimits): ContentCache {
  const fileOf = (contentId: ContentId) => join(directory, `${contentId}${suffix}`);

  async function prune(): Promise<void> {
    const names = (await readdir(directory)).filter((name) => name.endsWith(suffix));
    const entries = await Promise.all(
      names.map(async (name) => {
        const stats = await stat(join(directory, name)).catch(() => null);
        return { name, time: stats?.mtimeMs ?? 0, size: stats?.size ?? 0 };
      }),
    );
    entries.sort((left, right) => right.time - left.time);
    let kept = 0;
    let bytes = 0;
    const removed: string[] = [];
    for (const entry of entries) {
      if (kept > 0 && (kept >= limits.entries || bytes + entry.size > limits.bytes)) {
        removed.push(entry.name);
        continue;
      }
      kept++;
      bytes += entry.size;
    }
    await Promise.all(removed.map((name) => rm(join(directory, name), { force: true })));
  }

  return {
    async remember(contentId, encodedList) {
      if (contentId === emptyContentId) return;
      const file = fileOf(contentId);
      const now = new Date();
      try {
        // Already there: mark it recently used.
        await utimes(file, now, now);
        return;
      } catch {}
      const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
      try {
        await mkdir(directory, { recursive: true });
        const list = encodedList();
        const compressed = await compress(list, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_SIZE_HINT]: list.length },
        });
        await writeFile(temporary, compressed);
        await rename(temporary, file);
        await prune();
      } catch {
        // The cache only saves work later; content ids stay right without it.
        await rm(temporary, { force: true }).catch(() => {});
      }
    },

    async recall(contentId) {
      if (contentId === emptyContentId) return [];
      const file = fileOf(contentId);
      let text: string;
      try {
        text = (await decompress(await readFile(file))).toString("utf8");
      } catch {
        return null;
      }
      if (sha256Hex(text) !== contentId) {
        await rm(file, { force: true }).catch(() => {});
        return null;
      }
      const now = new Date();
      await utimes(file, now, now).catch(() => {});
      try {
        return decodeFileList(text);
      } catch {
        return null;
      }
    },
  };
}
