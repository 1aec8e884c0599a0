import type { CallOptions, SpecificationVersion } from "./common.js";

/** A held lock; release it exactly once. */
export interface LockHandle {
  release(): Promise<void>;
}

/** Serializes work on one key (e.g. the building of one signature) across hosts. */
export interface Lock {
  readonly specificationVersion: SpecificationVersion;
  acquire(key: string, options?: CallOptions): Promise<LockHandle>;
}
