import { AbortedError, RegistryError, type StagesError } from "@stages/core";
import { sleep } from "@stages/core/internal";
import { abortedError } from "./engine-errors.js";
import type { ProgressMessage } from "./progress.js";

/**
 * How engine transfers (push, pull) are retried and when a registry counts as unresponsive.
 * The engine retries a failed layer a few times itself, but gives up on the whole transfer at the
 * first failure of a manifest, a ping or an auth request; a new attempt is cheap because the
 * engine skips the layers the other side already has.
 */
export interface EngineTransferPolicy {
  /** Attempts in all (1: no retry). */
  attempts: number;
  /** The first wait between attempts; doubled each time, with jitter. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** An attempt during which the engine says nothing (no progress) for this long is abandoned. */
  stallTimeoutMs: number;
  /**
   * The transfer fails, naming the registry, once this long passed without any progress, over
   * all attempts: a registry that accepts connections but never answers fails in about this time.
   */
  unresponsiveTimeoutMs: number;
  /**
   * After an abort, how long the references a late engine transfer may still add are looked for
   * and removed (the engine's own transfer can outlive the cancelled request for a moment).
   */
  settleMs: number;
  /** Jitter source, [0, 1). */
  random: () => number;
}

export const defaultEngineTransferPolicy: EngineTransferPolicy = {
  attempts: 8,
  initialBackoffMs: 1_000,
  maxBackoffMs: 15_000,
  stallTimeoutMs: 30_000,
  unresponsiveTimeoutMs: 60_000,
  settleMs: 2_000,
  random: Math.random,
};

/**
 * Failures that a new attempt cannot fix: credentials, permissions, a missing or invalid image,
 * and nothing listening at the registry's address (said at once and plainly, as docker does).
 */
const permanentPattern =
  /\b(unauthori[sz]ed|authentication required|no basic auth credentials|denied|forbidden|401|403|404|not found|manifest (invalid|unknown)|name (invalid|unknown)|invalid reference|repository does not exist|no such image|tag does not exist|is not a Docker Engine|no Docker Engine answers|connection refused|no such host)\b/i;
/** What the engine says when the network or the registry failed for now. */
const transientPattern =
  /(connection reset|reset by peer|\bEOF\b|broken pipe|timeout|timed out|deadline exceeded|toomanyrequests|too many requests|\b429\b|\b5\d\d\b|service unavailable|bad gateway|internal server error|server error|unexpected end|use of closed network connection|connection closed|blob upload (unknown|invalid)|http2|stream error|short read|unexpected EOF|received unexpected HTTP status: 5\d\d|transport connection broken|malformed (MIME )?header|malformed HTTP|unknown: )/i;

/** Whether the engine's failure (its message) is worth another attempt. */
export function isTransientEngineFailure(error: unknown): boolean {
  if (AbortedError.isInstance(error)) return false;
  if (!(error instanceof Error)) return false;
  const text = error.message;
  // 5xx and 429 first: their bodies often say "not found" or "denied" about something else.
  if (/\b(5\d\d|429)\b|toomanyrequests|too many requests/i.test(text) && !/\b(401|403)\b/.test(text)) return true;
  if (permanentPattern.test(text)) return false;
  return transientPattern.test(text);
}

/** What one attempt gets: its own signal, and a callback to call on every sign of progress. */
export interface TransferAttempt {
  signal: AbortSignal;
  progressed(): void;
  /** 1-based. */
  number: number;
}

/**
 * Runs `attempt` until it succeeds, fails for good, runs out of attempts, or the registry stays
 * silent for `unresponsiveTimeoutMs`. An attempt without progress for `stallTimeoutMs` is
 * abandoned (its request to the engine is closed) and counts as a transient failure.
 */
export async function retryEngineTransfer<T>(
  what: string,
  registryHost: string,
  policy: EngineTransferPolicy,
  signal: AbortSignal | undefined,
  attempt: (context: TransferAttempt) => Promise<T>,
): Promise<T> {
  let lastProgress = Date.now();
  for (let number = 1; ; number++) {
    if (signal?.aborted) throw abortedError(signal);
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      const left = Math.min(policy.stallTimeoutMs, lastProgress + policy.unresponsiveTimeoutMs - Date.now());
      timer = setTimeout(
        () => {
          stalled = true;
          controller.abort(new Error("stalled"));
        },
        Math.max(0, left),
      );
    };
    const progressed = () => {
      lastProgress = Date.now();
      arm();
    };
    arm();
    try {
      return await attempt({ signal: controller.signal, progressed, number });
    } catch (error) {
      if (signal?.aborted) throw AbortedError.isInstance(error) ? error : abortedError(signal);
      const silentFor = Date.now() - lastProgress;
      if (stalled || silentFor >= policy.unresponsiveTimeoutMs) {
        if (silentFor >= policy.unresponsiveTimeoutMs || number >= policy.attempts) {
          throw unresponsiveRegistry(what, registryHost, silentFor);
        }
      } else if (!isTransientEngineFailure(error) || number >= policy.attempts) {
        throw error;
      }
      const backoff = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (number - 1));
      // Never wait past the point where the registry counts as unresponsive.
      const wait = Math.min(
        backoff * (0.5 + policy.random() / 2),
        Math.max(0, lastProgress + policy.unresponsiveTimeoutMs - Date.now()),
      );
      await sleep(wait, signal);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}

function unresponsiveRegistry(what: string, host: string, silentMs: number): StagesError {
  return new RegistryError(
    `[docker] ${what} failed: the registry ${host} did not answer the Docker Engine for ${Math.round(silentMs / 1000)} s`,
    {
      hint: `check that ${host} is up and reachable from the Docker Engine (its network, proxy and firewall), then run the command again`,
    },
  );
}

/**
 * Whether an engine message shows the registry answering: a layer moving or done, a digest. Not
 * what the engine says before it asks the registry anything ("The push refers to", "Preparing",
 * "Waiting", which every new attempt repeats) nor its countdown between its own layer retries
 * ("Retrying in 5 seconds"): counting those would keep a dead registry alive forever.
 */
export function isProgressMessage(message: ProgressMessage): boolean {
  if (message.kind === "layer") return !/^(Preparing|Waiting|Retrying in )/.test(message.progress.status);
  return message.kind === "digest";
}
