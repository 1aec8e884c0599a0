/** How failed requests are tried again. */
export interface RetryOptions {
  /** Attempts after the first one. Default 4. */
  retries?: number;
  /** Delay before the first retry, doubled for each further one. Default 250 ms. */
  baseDelayMs?: number;
  /** Upper bound of one computed delay. Default 10 s. */
  maxDelayMs?: number;
  /** Upper bound of a delay a registry asks for with `Retry-After`. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Source of randomness for the jitter (tests pin it). Default Math.random. */
  random?: () => number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  return {
    retries: options.retries ?? 4,
    baseDelayMs: options.baseDelayMs ?? 250,
    maxDelayMs: options.maxDelayMs ?? 10_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    random: options.random ?? Math.random,
  };
}

/**
 * Delay before retry number `retry` (1-based): exponential backoff with "equal jitter" (half fixed,
 * half random) so that clients that failed together do not come back together. A `Retry-After` the
 * registry sent wins when it is longer.
 */
export function retryDelay(retry: number, options: ResolvedRetryOptions, retryAfterMs: number | null = null): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  const jittered = exponential / 2 + (options.random() * exponential) / 2;
  if (retryAfterMs === null) return Math.round(jittered);
  return Math.round(Math.max(jittered, Math.min(retryAfterMs, options.maxRetryAfterMs)));
}

/** Milliseconds a `Retry-After` header asks to wait (seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
