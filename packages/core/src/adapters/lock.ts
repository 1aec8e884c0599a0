import type { CallOptions } from "./common.js";

/** A held lock; release it exactly once. */
export interface LockHandle {
  release(): Promise<void>;
}

/**
 * The version of the Lock contract. Each adapter contract has its own, so one can change without the
 * others; an adapter declares the version it implements and the host refuses one that differs.
 */
export const lockSpecificationVersion = "v1" as const;
export type LockSpecificationVersion = typeof lockSpecificationVersion;

/** Serializes work on one key (e.g. the building of one signature) across hosts. */
export interface Lock {
  readonly specificationVersion: LockSpecificationVersion;
  acquire(key: string, options?: CallOptions): Promise<LockHandle>;
}
