import type { Signature } from "../signature-type.js";
import type { CallOptions } from "./common.js";

/*
 * What cleanup needs from the stores besides stages (DESIGN §15). The registry keeps, next to the
 * stages of a project, records of which commit had which images and short-lived leases of builds in
 * progress; an engine knows what it holds, what containers use and how full its storage is.
 */

/** Which commit had which image: written to REPO at push, build --push and publish. */
export interface CommitRecord {
  /** Full hex hash of the commit the images were computed from (HEAD of the work tree). */
  commit: string;
  /** The image (null: the nameless image). */
  image: string | null;
  /**
   * Every stage the image needs, in no particular order: its whole conveyor and, closed over, the
   * conveyors of the images it imports from, copies from and is based on.
   */
  stages: readonly Signature[];
  /** The work tree had uncommitted edits: the stages are those of the edited tree, not of the commit. */
  dirty: boolean;
  /** ISO 8601 time the record was first written (the same record written again keeps it). */
  at: string;
}

/** A build in progress using stages of REPO: cleanup keeps them until the lease expires. */
export interface StageLease {
  /** Unique id of this lease. */
  id: string;
  /** Who holds it, for reports (`host pid`), never secrets. */
  holder: string;
  /** ISO 8601 expiry; an expired lease protects nothing and cleanup removes it. */
  expiresAt: string;
  stages: readonly Signature[];
}

/** A tag of REPO that is not a stage, a record or a lease: a published image (or something else). */
export interface ForeignTag {
  /** Full reference, e.g. `localhost:5000/taxi:v1`. */
  reference: string;
  /** Manifest digest it points at. */
  digest: string;
  /** `io.stages.project` of the image when it is one of stages' images, else null. */
  project: string | null;
}

/** What deleting one stage by its planned digest did. */
export type StageDeletion =
  /** The tag still pointed at the planned digest, which was deleted. */
  | "deleted"
  /** The tag was gone already (404 counts as done). */
  | "absent"
  /** The tag now points at another digest (pushed again since planning): kept. */
  | "changed";

/**
 * Bookkeeping a remote stages storage keeps for cleanup, scoped to its project. Optional capability
 * of a remote StagesStorage (`storage.housekeeping`). Concurrent writers never lose each other's
 * records: each write is a new object, and merging (`compactRecords`) deletes only what it merged.
 */
export interface RegistryHousekeeping {
  /** Adds records (one write; none when records equal but for `at` are there). Never lists REPO's tags. */
  addRecords(records: readonly CommitRecord[], options?: CallOptions): Promise<void>;
  /** Every record of the project, deduplicated (same commit, image and stages). */
  readRecords(options?: CallOptions): Promise<CommitRecord[]>;
  /**
   * Replaces every record object read by the last `readRecords` of this instance with one object
   * holding `keep`; records written since that read are untouched.
   */
  compactRecords(keep: readonly CommitRecord[], options?: CallOptions): Promise<void>;
  /** Writes a lease; returns a function that removes it (idempotent, never throws for a 404). */
  putLease(lease: StageLease, options?: CallOptions): Promise<() => Promise<void>>;
  /** Every lease of the project, expired ones included. */
  readLeases(options?: CallOptions): Promise<StageLease[]>;
  /** Removes leases by id (expired ones, found by cleanup). */
  dropLeases(ids: readonly string[], options?: CallOptions): Promise<void>;
  /** Every tag of REPO that is not a stage, record or lease tag, with its digest. */
  foreignTags(options?: CallOptions): Promise<ForeignTag[]>;
  /**
   * Tags of `REPO/<image>` (the final repository of a named image), with digests and projects; empty
   * when that repository does not exist.
   */
  imageTags(image: string, options?: CallOptions): Promise<ForeignTag[]>;
  /**
   * Deletes the stage if its tag still points at `digest`: one HEAD, then DELETE by digest. A 405 or
   * UNSUPPORTED answer throws a StorageError (code `DELETE_UNSUPPORTED`) whose hint names the
   * registry setting or API that is needed.
   */
  deleteStage(signature: Signature, digest: string, options?: CallOptions): Promise<StageDeletion>;
}

/** How full the storage an engine keeps its images in is. */
export interface StorageUsage {
  /** Where it was measured (the engine's data root). */
  path: string;
  usedBytes: number;
  totalBytes: number;
}

/** A local stage image as host cleanup sees it. */
export interface LocalStageUse {
  signature: Signature;
  /** Engine image id. */
  id: string;
  /**
   * The previous stage (`io.stages.parent`), when known: removing a stage whose child stays frees
   * nothing, so host cleanup keeps the parents of the stages it keeps.
   */
  parent?: Signature | null;
  /** ISO 8601: the newest of its creation, its last tagging and its last use by a stages command. */
  lastUsedAt: string;
  createdAt: string | null;
  size: number | null;
  /** Containers (any state) that use the image, by name: never removed while any exists. */
  containers: readonly string[];
  /** Running stages commands holding it (`host pid command`): never removed while any runs. */
  heldBy: readonly string[];
}

/** What an engine-backed local storage knows for host cleanup. Optional capability (`storage.host`). */
export interface HostHousekeeping {
  /** Usage of the engine's storage, or null when it cannot be measured from here (a remote engine). */
  usage(options?: CallOptions): Promise<StorageUsage | null>;
  /** Every stage image of the project with its use. */
  stages(options?: CallOptions): Promise<LocalStageUse[]>;
  /** Removes one stage image (untags it; the engine frees layers no other image uses). False when in use. */
  remove(signature: Signature, options?: CallOptions): Promise<boolean>;
  /** Records that this command uses these stages (they count as used now and are held until it exits). */
  touch(signatures: readonly Signature[], options?: CallOptions): Promise<void>;
  /**
   * Removes what killed runs of the project left (build containers of dead owners, untagged
   * commits nothing uses); host purge calls it. Optional. Returns container names and image ids.
   */
  sweepLeftovers?(options?: CallOptions): Promise<{ containers: string[]; images: string[]; volumes?: string[] }>;
  /**
   * The project's build caches that persist between builds (werf's `mount: from: build_dir`,
   * a Dockerfile's `RUN --mount=type=cache`), by
   * name; removes those no running build uses unless `dryRun`. Host purge calls it, host cleanup never
   * does (they are caches the next build fills again at a cost). Optional.
   */
  purgeBuildDirectories?(options?: CallOptions & { dryRun?: boolean }): Promise<string[]>;
}
