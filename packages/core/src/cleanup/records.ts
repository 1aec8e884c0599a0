import type { GitHead } from "../adapters/git-history.js";
import type { CommitRecord, StageLease } from "../adapters/housekeeping.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import { StorageError } from "../errors.js";
import { buildNeedsOf } from "../procedures/plans.js";
import type { ResolvedImage, ResolvedProject, ResolvedStage } from "../resolve.js";
import type { Signature } from "../signature-type.js";

/**
 * Every stage an image needs (DESIGN §15): its whole conveyor, and — closed over — each stage's
 * base and the stages its instructions read (fromImage/fromArtifact bases, import sources, COPY
 * --from sources), with their own chains. Sorted, so equal closures give equal records.
 */
export function imageClosure(project: ResolvedProject, image: ResolvedImage): Signature[] {
  const bySignature = new Map<Signature, ResolvedStage>();
  for (const candidate of project.images) for (const stage of candidate.stages) bySignature.set(stage.signature, stage);
  const closure = new Set<Signature>();
  const pending: Signature[] = image.stages.map((stage) => stage.signature);
  while (pending.length > 0) {
    const signature = pending.pop() as Signature;
    if (closure.has(signature)) continue;
    closure.add(signature);
    const stage = bySignature.get(signature);
    if (stage) pending.push(...buildNeedsOf(stage));
  }
  return [...closure].sort();
}

/** The records of a push or publish: one per image of `images`, for HEAD's commit. */
export function commitRecordsOf(
  project: ResolvedProject,
  images: readonly ResolvedImage[],
  head: GitHead,
  now: Date,
): CommitRecord[] {
  return images.map((image) => ({
    commit: head.commit,
    image: image.name,
    stages: imageClosure(project, image),
    dirty: head.dirty,
    at: now.toISOString(),
  }));
}

/**
 * Writes the records of a push or publish into REPO, when it keeps records and HEAD is known. A
 * failure fails the command: stages without a record are kept only by the time rule, and the user
 * must know that.
 */
export async function recordCommit(
  remote: StagesStorage,
  records: readonly CommitRecord[],
  options: { signal?: AbortSignal | undefined },
): Promise<boolean> {
  if (!remote.housekeeping || records.length === 0) return false;
  try {
    await remote.housekeeping.addRecords(records, { signal: options.signal });
    return true;
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const commit = records[0]?.commit.slice(0, 12) ?? "";
    throw new StorageError(
      `the stages are in ${remote.description}, but recording that commit ${commit} has them failed: ${(error as Error).message}`,
      {
        cause: error,
        hint: "run the command again (it only writes the record); without it cleanup keeps these stages only while they are recent",
      },
    );
  }
}

/** How long a build's lease protects the stages it uses from cleanup: builds longer than this lose it. */
export const defaultLeaseMs = 6 * 60 * 60 * 1000;

/** A lease id: 16 random hex characters (not secret, only unique). */
export function newLeaseId(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Takes a lease on the stages a build or pull uses from REPO, so that a cleanup running meanwhile
 * keeps them. Best effort: a REPO this host may only read (pull credentials) cannot hold leases, and
 * a stage that vanishes anyway is a cache miss the build recovers from. Returns the release, and
 * the reason it could not be taken (for a warning) or null.
 */
export async function takeLease(
  remote: StagesStorage,
  stages: readonly Signature[],
  options: { holder: string; now: Date; leaseMs?: number | undefined; signal?: AbortSignal | undefined },
): Promise<{ release: () => Promise<void>; problem: string | null }> {
  const nothing = async () => {};
  if (!remote.housekeeping || stages.length === 0) return { release: nothing, problem: null };
  const lease: StageLease = {
    id: newLeaseId(),
    holder: options.holder,
    expiresAt: new Date(options.now.getTime() + (options.leaseMs ?? defaultLeaseMs)).toISOString(),
    stages: [...new Set(stages)].sort(),
  };
  try {
    const remove = await remote.housekeeping.putLease(lease, { signal: options.signal });
    return {
      release: async () => {
        try {
          await remove();
        } catch {
          // An expired lease protects nothing; the next cleanup removes it.
        }
      },
      problem: null,
    };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { release: nothing, problem: (error as Error).message };
  }
}
