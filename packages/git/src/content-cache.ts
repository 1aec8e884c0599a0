import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { constants, deflateRaw, inflateRaw } from "node:zlib";
import type { ContentId, GitFile } from "@stages/core";
import { decodeFileList, sha256Hex } from "./content-list.js";

const deflateAsync = promisify(deflateRaw);
const inflateAsync = promisify(inflateRaw);

/** The file lists of contents seen before, by content id, so that a later diff can compare them. */
export interface ContentCache {
  /** Stores the encoded file list (`encodeFileList`) of `contentId` unless it is stored already. */
  remember(contentId: ContentId, encodedList: () => string | Uint8Array): Promise<void>;
  /** The file list of `contentId`, or null when it was never stored (or was pruned, or is damaged). */
  recall(contentId: ContentId): Promise<GitFile[] | null>;
}

const emptyContentId = sha256Hex("");

/**
 * A directory of deflated file lists named `<content id>.list.deflate`. Entries are written atomically
 * (temporary file, then rename), verified against their id when read, and the least recently used
 * ones beyond `limit` are deleted. Failing to write is not an error: a later diff then returns null
 * and the caller syncs the whole mapping.
 */
export function createContentCache(directory: string, limit: number): ContentCache {
  const fileOf = (contentId: ContentId) => join(directory, `${contentId}.list.deflate`);

  async function prune(): Promise<void> {
    const names = (await readdir(directory)).filter((name) => name.endsWith(".list.deflate"));
    if (names.length <= limit) return;
    const entries = await Promise.all(
      names.map(async (name) => {
        const time = await stat(join(directory, name)).then(
          (stats) => stats.mtimeMs,
          () => 0,
        );
        return { name, time };
      }),
    );
    entries.sort((left, right) => left.time - right.time);
    await Promise.all(
      entries.slice(0, entries.length - limit).map((entry) => rm(join(directory, entry.name), { force: true })),
    );
  }

  return {
    async remember(contentId, encodedList) {
      if (contentId === emptyContentId) return;
      const file = fileOf(contentId);
      try {
        const now = new Date();
        // Already there: mark it recently used.
        await utimes(file, now, now);
        return;
      } catch {}
      try {
        await mkdir(directory, { recursive: true });
        const compressed = await deflateAsync(encodedList(), { level: constants.Z_BEST_SPEED });
        const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
        try {
          await writeFile(temporary, compressed);
          await rename(temporary, file);
        } catch (error) {
          await rm(temporary, { force: true });
          throw error;
        }
        await prune();
      } catch {
        // The cache only saves work later; content ids stay right without it.
      }
    },

    async recall(contentId) {
      if (contentId === emptyContentId) return [];
      const file = fileOf(contentId);
      let text: string;
      try {
        text = (await inflateAsync(await readFile(file))).toString("utf8");
      } catch {
        return null;
      }
      if (sha256Hex(text) !== contentId) {
        await rm(file, { force: true }).catch(() => {});
        return null;
      }
      const now = new Date();
      await utimes(file, now, now).catch(() => {});
      return decodeFileList(text);
    },
  };
}
