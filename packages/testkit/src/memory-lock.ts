import {
  AbortedError,
  type Lock,
  type LockAcquireOptions,
  type LockHandle,
  lockSpecificationVersion,
} from "@stages/core";

/** A Lock shared by the "hosts" of one test process, with what happened to it. */
export interface MemoryLock extends Lock {
  /** Keys in the order they were taken. */
  readonly taken: string[];
  /** Keys whose waiters gave up because `abandonWhen` said the work was done. */
  readonly abandoned: string[];
  /** Keys held now. */
  readonly held: ReadonlySet<string>;
}

/**
 * Creates an in-memory Lock of contract v2: a waiter is woken when the key is released and polls
 * `abandonWhen` every `pollMs` meanwhile (the option, else the lock's default).
 */
export function createMemoryLock(options: { pollMs?: number } = {}): MemoryLock {
  const held = new Set<string>();
  const wakers = new Map<string, Set<() => void>>();
  const taken: string[] = [];
  const abandoned: string[] = [];

  const aborted = (signal: AbortSignal | undefined) =>
    new AbortedError("the operation was cancelled", { cause: signal?.reason });

  /** Resolves after `ms`, or as soon as `key` is released; rejects when the signal aborts. */
  const wait = (key: string, ms: number, signal: AbortSignal | undefined) =>
    new Promise<void>((resolve, reject) => {
      const waiters = wakers.get(key) ?? new Set();
      wakers.set(key, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        signal?.removeEventListener("abort", onAbort);
      };
      const wake = () => {
        done();
        resolve();
      };
      const onAbort = () => {
        done();
        reject(aborted(signal));
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });

  return {
    specificationVersion: lockSpecificationVersion,
    taken,
    abandoned,
    held,
    async acquire(key: string, acquireOptions: LockAcquireOptions = {}): Promise<LockHandle | null> {
      const pollMs = acquireOptions.pollMs ?? options.pollMs ?? 500;
      for (;;) {
        if (acquireOptions.signal?.aborted) throw aborted(acquireOptions.signal);
        if (!held.has(key)) {
          held.add(key);
          taken.push(key);
          let released = false;
          return {
            async release() {
              if (released) throw new Error(`lock ${key} released twice`);
              released = true;
              held.delete(key);
              for (const wake of [...(wakers.get(key) ?? [])]) wake();
            },
          };
        }
        if (acquireOptions.abandonWhen && (await acquireOptions.abandonWhen())) {
          abandoned.push(key);
          return null;
        }
        await wait(key, pollMs, acquireOptions.signal);
      }
    },
  };
}
