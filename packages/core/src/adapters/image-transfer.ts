import type { Signature } from "../signature-type.js";
import type { CallOptions, TransferProgress } from "./common.js";
import type { StageDescriptor } from "./stages-storage.js";

/** Moving one stage between local storage and a registry reference. */
export interface StageTransferRequest extends CallOptions {
  project: string;
  signature: Signature;
  /** Full reference in the registry, e.g. `localhost:5000/taxi:image-stage-<sig>` or a final name. */
  reference: string;
  onProgress?: (progress: TransferProgress) => void;
}

/** A registry-side copy of a manifest from one reference to another on the same registry. */
export interface CopyRequest extends CallOptions {
  from: string;
  to: string;
}

/**
 * The version of the ImageTransfer contract. Each adapter contract has its own, so one can change without the
 * others; an adapter declares the version it implements and the host refuses one that differs.
 */
export const imageTransferSpecificationVersion = "v1" as const;
export type ImageTransferSpecificationVersion = typeof imageTransferSpecificationVersion;

/** Moves stages between a host and registries. */
export interface ImageTransfer {
  readonly specificationVersion: ImageTransferSpecificationVersion;
  /** Pushes the local stage to `reference` (tag, push, remove the temporary alias). Returns the manifest digest. */
  push(request: StageTransferRequest): Promise<{ digest: string }>;
  /**
   * Pulls `reference` and stores it locally as the stage `signature`. Layers present are not fetched.
   * A pull of a reference the registry does not have throws StageMissingError (the build then builds
   * the stage: cleanup may delete a tag between the lookup and the pull).
   */
  pull(request: StageTransferRequest): Promise<StageDescriptor>;
  /** Copies registry-side (blobs mounted, manifest put): no layer passes through this host. Optional capability. */
  copy?(request: CopyRequest): Promise<{ digest: string }>;
}
