import type { Lock, SecretRedactor } from "@stages/core";
import type { Services } from "./services.js";

/** A lock the command opened; closed when the command ends, whatever happened (when it can be). */
export type ClosableLock = Lock & { close?(): Promise<void> };

export interface LockSettings {
  /** `--lock`, else `STAGES_LOCK` (an empty value: no lock). */
  url: string | undefined;
  redactor: SecretRedactor;
  /** Makes the chosen lock adapter's lock at a location. */
  services: Pick<Services, "lock">;
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

/**
 * Opens the lock of a run when a location is given, with the lock adapter the project chose
 * (`redis` by default: @stages/lock-redis, which loads ioredis only now). Its TTL is the setting
 * `lock.ttl-ms` (STAGES_LOCK_TTL_MS); its warnings go to the run's log, redacted.
 */
export async function openLock(settings: LockSettings): Promise<ClosableLock | undefined> {
  if (!settings.url) return undefined;
  registerLockSecrets(settings.url, settings.redactor);
  return settings.services.lock(settings.url);
}
