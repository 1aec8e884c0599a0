import { AbortedError } from "./errors.js";

/*
 * The concurrency helpers of every package, with one failure rule:
 *
 *   the first failure (in time) stops further calls from starting; calls already running are awaited
 *   until they settle, so no work outlives the helper (temporary files removed, connections given
 *   back, nothing left to fail unobserved); then that first failure is rethrown. Failures of calls
 *   that were already running are dropped: they are most often consequences of the first.
 */

/** Runs `work` over `items`, at most `limit` at a time, in item order; see the failure rule above. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const failure = createFirstFailure();
  let next = 0;
  const worker = async () => {
    while (!failure.happened && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure.record(error);
      }
    }
  };
  // Workers never reject, so this waits for every running call, even after a failure.
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  failure.rethrow();
}

/**
 * Maps `items` with at most `limit` results mapped ahead of the consumer (running or waiting to be
 * taken) and yields them in the items' order, reading ahead while the consumer works. Same failure
 * rule; a consumer that stops early (break, throw) also stops new calls and waits for running ones.
 */
export async function* mapOrdered<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const failure = createFirstFailure();
  const ahead: Array<Promise<{ value: R } | null>> = [];
  let next = 0;
  const fill = () => {
    while (!failure.happened && next < items.length && ahead.length < Math.max(1, limit)) {
      const item = items[next++] as T;
      ahead.push(
        map(item).then(
          (value) => ({ value }),
          (error: unknown) => {
            failure.record(error);
            return null;
          },
        ),
      );
    }
  };
  try {
    fill();
    while (ahead.length > 0) {
      const result = await (ahead.shift() as Promise<{ value: R } | null>);
      if (result === null || failure.happened) break;
      fill();
      yield result.value;
    }
  } finally {
    // The promises never reject: this only waits for the calls still running.
    await Promise.all(ahead);
  }
  failure.rethrow();
}

/** Bounds how many holders run at once, across unrelated callers (e.g. one per registry for its HTTP requests). */
export interface Limiter {
  /** Waits for a free slot, first come first served; the returned function gives it back (twice is harmless). */
  acquire(signal?: AbortSignal): Promise<() => void>;
  readonly active: number;
}

/**
 * A semaphore of `maximum` slots. Unlike `forEachLimited` it knows no list of work: it is for
 * callers that arrive independently (every request of a client), and a waiter whose signal aborts
 * leaves the queue with an AbortedError.
 */
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

function createFirstFailure() {
  let failure: { error: unknown } | null = null;
  return {
    get happened() {
      return failure !== null;
    },
    record(error: unknown) {
      failure ??= { error };
    },
    rethrow() {
      if (failure !== null) throw failure.error;
    },
  };
}

/** Waits `ms`, or rejects with AbortedError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError("the operation was cancelled", { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError("the operation was cancelled", { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
