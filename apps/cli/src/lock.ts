import type { Lock, SecretRedactor } from "@stages/core";
import { UsageError } from "@stages/core";

/** A lock the command opened; closed when the command ends, whatever happened. */
export type ClosableLock = Lock & { close(): Promise<void> };

export interface LockSettings {
  /** `--lock`, else `STAGES_LOCK` (an empty value: no lock). */
  url: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  redactor: SecretRedactor;
  /** Where the one "Redis unreachable: building without the lock" line goes (stderr). */
  warn(line: string): void;
}

/** The lock URL of a run: the flag wins over `STAGES_LOCK`; empty means none. */
export function lockUrlOf(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const url = flag ?? env.STAGES_LOCK;
  return url ? url : undefined;
}

/**
 * Registers the password of a lock URL with the run's redactor before anything can print it
 * (a parse error, a connection error, --json). Works on URLs `new URL` refuses too.
 */
export function registerLockSecrets(url: string, redactor: SecretRedactor): void {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^@/?#]*)@/i.exec(url)?.[1];
  if (!userinfo) return;
  const colon = userinfo.indexOf(":");
  const password = colon === -1 ? userinfo : userinfo.slice(colon + 1);
  redactor.add(password);
  try {
    redactor.add(decodeURIComponent(password));
  } catch {
    // not percent-encoded: the raw form is registered
  }
}

/** `STAGES_LOCK_TTL_MS`: how long a dead holder keeps a stage locked (default: the adapter's, 30 s). */
export function lockTtlOf(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const value = env.STAGES_LOCK_TTL_MS;
  if (value === undefined || value === "") return undefined;
  const ttl = Number(value);
  if (!Number.isInteger(ttl) || ttl < 100) {
    throw new UsageError(`STAGES_LOCK_TTL_MS is "${value}", not a number of milliseconds`, {
      hint: "give a whole number of milliseconds, at least 100 (e.g. STAGES_LOCK_TTL_MS=30000), or unset it",
    });
  }
  return ttl;
}

/**
 * Opens the Redis lock when a URL is given. @stages/lock-redis (and ioredis with it) is imported
 * only here, so a run without --lock never loads it.
 */
export async function openLock(settings: LockSettings): Promise<ClosableLock | undefined> {
  if (!settings.url) return undefined;
  registerLockSecrets(settings.url, settings.redactor);
  const ttlMs = lockTtlOf(settings.env);
  const { createRedisLock } = await import("@stages/lock-redis");
  let warned = false;
  return createRedisLock({
    url: settings.url,
    ...(ttlMs !== undefined ? { ttlMs } : {}),
    onUnavailable: (message) => {
      // Once per run, however many stages ask.
      if (warned) return;
      warned = true;
      settings.warn(`warning: ${settings.redactor.redact(message)}`);
    },
    // A lock lost while held (its renewal failed) concerns one stage: each is said.
    onLost: (message) => settings.warn(`warning: ${settings.redactor.redact(message)}`),
  });
}
