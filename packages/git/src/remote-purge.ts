import { randomBytes } from "node:crypto";
import { readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { withLockFile } from "./remote-lock.js";

/** Where the mirrors of a project's remote mappings live under the host's state directory. */
export function remoteCacheDirectory(stateDirectory: string, project: string): string {
  return join(stateDirectory, "git", project);
}

/** A mirror's directory name: 32 hex characters of its url's hash (remote-mirror.ts). */
const mirrorName = /^[0-9a-f]{32}$/;
/**
 * What an interrupted purge leaves. (A half-made `.tmp-*` mirror is its creator's to remove: it
 * may be in the making under the lock right now.)
 */
const leftoverName = /^[0-9a-f]{32}\.purge-[0-9a-f]+$/;

/**
 * `stages host purge`: removes the project's git mirrors (the next build clones again), each under
 * its fetch lock so that no fetch is writing into it, renamed aside first so that a reader never
 * sees half a mirror. Returns the directories removed (or, with `dryRun`, that would be).
 * A missing cache directory is no mirror.
 */
export async function purgeRemoteMirrors(
  cacheDirectory: string,
  options: { dryRun: boolean; signal?: AbortSignal | undefined },
): Promise<string[]> {
  const names = await readdir(cacheDirectory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });
  const mirrors = names.filter((name) => mirrorName.test(name)).sort();
  if (options.dryRun) return mirrors.map((name) => join(cacheDirectory, name));
  const removed: string[] = [];
  for (const name of mirrors) {
    const directory = join(cacheDirectory, name);
    const aside = `${directory}.purge-${randomBytes(6).toString("hex")}`;
    await withLockFile(`${directory}.lock`, { timeoutMs: 30_000, signal: options.signal }, async () => {
      await rename(directory, aside);
    });
    await rm(aside, { recursive: true, force: true });
    removed.push(directory);
  }
  for (const name of names.filter((entry) => leftoverName.test(entry))) {
    await rm(join(cacheDirectory, name), { recursive: true, force: true });
  }
  return removed;
}
