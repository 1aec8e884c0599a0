import type { GitHead } from "../adapters/git-history.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import type { ResolvedProject } from "../resolve.js";
import type { Signature } from "../signature-type.js";

/** What procedures record and hold for cleanup (DESIGN §15). */
export interface HousekeepingOptions {
  /**
   * HEAD of the work tree. Push, publish and build --push record in REPO which images this commit
   * has; absent or null (not a git repository), nothing is recorded and cleanup keeps those stages
   * only by the time rule.
   */
  head?: GitHead | null | undefined;
  /** Who holds leases in REPO and stages on the host (`host pid`), shown by cleanup reports. */
  holder?: string | undefined;
  /** How long a lease protects the stages a build pulls or pushes (default 6 h). */
  leaseMs?: number | undefined;
}

/** Every signature of the resolved images. */
export function projectSignatures(project: ResolvedProject): Signature[] {
  const signatures = new Set<Signature>();
  for (const image of project.images) for (const stage of image.stages) signatures.add(stage.signature);
  return [...signatures];
}

/**
 * Marks the stages as used now by this command on the host (host cleanup removes the least recently
 * used first, and never what a running command holds). Best effort: an engine storage without the
 * capability, or a state directory that cannot be written, changes nothing else.
 */
export async function touchLocal(
  local: StagesStorage,
  signatures: readonly Signature[],
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!local.host || signatures.length === 0) return;
  try {
    await local.host.touch(signatures, { signal });
  } catch {
    // Host cleanup then sees the stages' creation times only.
  }
}
