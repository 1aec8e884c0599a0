import type { CallOptions } from "./common.js";

/** A held lock; release it exactly once. Keeping it alive while held (renewal) is the adapter's job. */
export interface LockHandle {
  release(): Promise<void>;
}

/**
 * The version of the Lock contract. Each adapter contract has its own, so one can change without the
 * others; an adapter declares the version it implements and the host refuses one that differs.
 * v1 had no `abandonWhen` and `acquire` never resolved null.
 */
export const lockSpecificationVersion = "v2" as const;
export type LockSpecificationVersion = typeof lockSpecificationVersion;

export interface LockAcquireOptions extends CallOptions {
  /**
   * Polled while waiting (every `pollMs`, default 500): once it resolves true the work was done
   * elsewhere and acquire resolves null without taking the lock. A host waiting for a stage another
   * host builds passes "REPO has the tag", so it pulls the stage the moment it is pushed.
   */
  abandonWhen?: () => Promise<boolean>;
  /** How often `abandonWhen` is polled while waiting, in milliseconds (default 500). */
  pollMs?: number;
}

/** Serializes work on one key (e.g. the building of one signature, `stage:<project>:<signature>`) across hosts. */
export interface Lock {
  readonly specificationVersion: LockSpecificationVersion;
  /** The lock for `key`, or null when `abandonWhen` said the work is done. Rejects with AbortedError on abort. */
  acquire(key: string, options?: LockAcquireOptions): Promise<LockHandle | null>;
}
