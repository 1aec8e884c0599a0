import { AbortedError } from "@stages/core";

/** Bounds how many requests run at once (one limiter per registry). */
export interface Limiter {
  /** Waits for a free slot; the returned function gives it back (calling it twice is harmless). */
  acquire(signal?: AbortSignal): Promise<() => void>;
  readonly active: number;
}

export function createLimiter(maximum: number): Limiter {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  const once = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  };
  return {
    get active() {
      return active;
    },
    acquire(signal) {
      if (signal?.aborted)
        return Promise.reject(new AbortedError("the operation was cancelled", { cause: signal.reason }));
      if (active < maximum) {
        active++;
        return Promise.resolve(once());
      }
      return new Promise((resolve, reject) => {
        const grant = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(once());
        };
        const onAbort = () => {
          const index = waiting.indexOf(grant);
          if (index !== -1) waiting.splice(index, 1);
          reject(new AbortedError("the operation was cancelled", { cause: signal?.reason }));
        };
        waiting.push(grant);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
  };
}
