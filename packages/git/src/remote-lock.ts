import { open, readFile, rm, stat, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import { AbortedError, GitError, throwIfAborted } from "@stages/core";

/** How long to wait for a lock another process holds. */
export interface LockWait {
  /** Give up after this many milliseconds (a fetch of a big repository can take minutes). */
  timeoutMs: number;
  /**
   * A lock file not touched for this long is left by a process that is gone (a holder touches it
   * every third of this while it works). Default: `timeoutMs`.
   */
  staleMs?: number;
  /** How often to look again. */
  pollMs?: number;
  signal?: AbortSignal | undefined;
}

/**
 * Runs `work` holding the lock file `path` (created exclusively, holding `host pid`), so that the
 * builds of one host never fetch into one mirror at once (two fetches of one ref fight over git's
 * ref locks and one fails). A lock whose process is gone (same host, pid not alive) is taken over;
 * so is one nobody touched for `staleMs`, whatever host wrote it (a crashed container): a live
 * holder touches it while it works, so a long fetch keeps its lock.
 */
export async function withLockFile<T>(path: string, wait: LockWait, work: () => Promise<T>): Promise<T> {
  const me = `${hostname()} ${process.pid}`;
  const started = Date.now();
  for (;;) {
    throwIfAborted(wait.signal);
    try {
      const handle = await open(path, "wx");
      try {
        await handle.writeFile(`${me}\n`);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (await isStale(path, wait.staleMs ?? wait.timeoutMs)) {
      // Removed only when it still holds what was judged stale; a fresh holder's file is kept.
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() - started > wait.timeoutMs) {
      const holder = (await readFile(path, "utf8").catch(() => "")).trim() || "another process";
      throw new GitError(`[git] the git cache ${path.replace(/\.lock$/, "")} is locked by ${holder}`, {
        hint: `wait for the other build to finish, or remove ${path} if no build is running`,
      });
    }
    await sleep(wait.pollMs ?? 100, wait.signal);
  }
  const staleMs = wait.staleMs ?? wait.timeoutMs;
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(path, now, now).catch(() => {});
    },
    Math.max(staleMs / 3, 10),
  );
  heartbeat.unref();
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    await rm(path, { force: true });
  }
}

async function isStale(path: string, staleMs: number): Promise<boolean> {
  const [content, stats] = await Promise.all([readFile(path, "utf8").catch(() => null), stat(path).catch(() => null)]);
  // Gone meanwhile: try again at once.
  if (content === null || stats === null) return true;
  if (Date.now() - stats.mtimeMs > staleMs) return true;
  const [host, pidText] = content.trim().split(" ");
  // Written but not yet filled: the writer is alive.
  if (host === undefined || pidText === undefined) return false;
  if (host !== hostname()) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError("the operation was cancelled", { cause: signal?.reason }));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
