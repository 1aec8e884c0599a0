import { AbortedError, RegistryError } from "@stages/core";

/** Timeout and cancellation of one attempt of a request. */
export interface AttemptGuard {
  signal: AbortSignal;
  readonly timedOut: boolean;
  /** Restarts the timeout (while a streamed body makes progress). */
  touch(): void;
  done(): void;
}

export function createAttemptGuard(outer: AbortSignal | undefined, timeoutMs: number): AttemptGuard {
  const controller = new AbortController();
  let timedOut = false;
  const onTimeout = () => {
    timedOut = true;
    controller.abort(new Error("timed out"));
  };
  let timer = setTimeout(onTimeout, timeoutMs);
  const onAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    touch() {
      clearTimeout(timer);
      timer = setTimeout(onTimeout, timeoutMs);
    },
    done() {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    },
  };
}

/** The path of a URL or absolute URL string, without the query (which may hold upload state). */
export function pathOf(pathOrUrl: string): string {
  try {
    return new URL(pathOrUrl, "http://registry").pathname;
  } catch {
    return pathOrUrl.split("?")[0] ?? pathOrUrl;
  }
}

/** Throws AbortedError when the signal aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined, cause?: unknown): void {
  if (signal?.aborted) throw new AbortedError("the operation was cancelled", { cause: cause ?? signal.reason });
}

/** `promise`, or AbortedError as soon as `signal` aborts (the work behind the promise goes on). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  throwIfCancelled(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError("the operation was cancelled", { cause: signal.reason }));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** The whole body, refusing more than `limit` bytes; every piece restarts the attempt's timeout. */
export async function readBody(response: Response, limit: number, guard: AttemptGuard): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array();
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) {
    await response.body.cancel().catch(() => {});
    throw new RegistryError(`[registry] answer of ${declared} bytes is larger than the ${limit} bytes allowed`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    guard.touch();
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new RegistryError(`[registry] answer is larger than the ${limit} bytes allowed`);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
}
