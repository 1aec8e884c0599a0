import type { ContentId, Signature } from "../signature-type.js";
import type { StageName } from "../stage-name.js";
import type { CallOptions } from "./common.js";
import type { HostHousekeeping, RegistryHousekeeping } from "./housekeeping.js";

/** What a stages storage knows of one stored stage. */
export interface StageDescriptor {
  signature: Signature;
  /** Local storage: the engine's image id (`sha256:...`). Remote: the manifest digest. */
  id: string;
  project: string;
  /** The image the stage was built for (null for the nameless image). */
  image: string | null;
  stage: StageName;
  /** Signature of the previous non-empty stage, if any. */
  parent: Signature | null;
  /** Git content the stage carries: mapping id → content id. */
  carried: Record<string, ContentId> | null;
  /** All labels of the stage image. */
  labels: Record<string, string>;
  /** ISO 8601 creation time, when known. */
  createdAt: string | null;
  /** Size in bytes, when known. */
  size: number | null;
}

/**
 * The version of the StagesStorage contract. Each adapter contract has its own, so one can change without the
 * others; an adapter declares the version it implements and the host refuses one that differs.
 */
export const stagesStorageSpecificationVersion = "v1" as const;
export type StagesStorageSpecificationVersion = typeof stagesStorageSpecificationVersion;

/**
 * Where stage images live: a Docker Engine's image store (local) or a registry repository (remote).
 * One instance is scoped to one project.
 */
export interface StagesStorage {
  readonly specificationVersion: StagesStorageSpecificationVersion;
  /** `local` or `remote`; plugins may add their own kinds. */
  readonly kind: string;
  /** Human-readable location, e.g. `registry localhost:5000/taxi`. Never contains secrets. */
  readonly description: string;
  /** The stage with this signature, or null when absent. */
  get(signature: Signature, options?: CallOptions): Promise<StageDescriptor | null>;
  /** Whether the stage is present (may be cheaper than get). */
  has(signature: Signature, options?: CallOptions): Promise<boolean>;
  /** Every stage of the project held here. */
  list(options?: CallOptions): Promise<StageDescriptor[]>;
  /** Removes the stage; removing an absent stage is not an error. */
  delete(signature: Signature, options?: CallOptions): Promise<void>;
  /** Remote storages: the records and leases cleanup reads (DESIGN §15). Optional capability. */
  readonly housekeeping?: RegistryHousekeeping;
  /** Engine-backed local storages: what host cleanup reads. Optional capability. */
  readonly host?: HostHousekeeping;
}
