import type { CallOptions } from "../adapters/common.js";
import type { GitHistory } from "../adapters/git-history.js";
import type { CommitRecord, ForeignTag, RegistryHousekeeping, StageLease } from "../adapters/housekeeping.js";
import type { StageDescriptor, StagesStorage } from "../adapters/stages-storage.js";
import { forEachLimited } from "../concurrency.js";
import type { StagesConfig } from "../config/model.js";
import { UsageError } from "../errors.js";
import { remoteStageReference } from "../naming.js";
import { type EventListener, emitter } from "../procedures/events.js";
import type { Signature } from "../signature-type.js";
import type { StageName } from "../stage-name.js";
import { buildTimeRule, cleanupPolicies, imageVersionsOf, isBuiltWithin, selectKeptImages } from "./policies.js";

export interface CleanupOptions extends CallOptions {
  config: StagesConfig;
  /** The REPO's stages storage; it must keep records (`housekeeping`). */
  remote: StagesStorage;
  repository: string;
  history: GitHistory;
  /** Report what would happen; delete nothing, write nothing. */
  dryRun?: boolean;
  /** Deletes at once (default 8). */
  parallel?: number;
  /** The time policies are evaluated at (default: now). */
  now?: Date;
  onEvent?: EventListener;
}

/** What cleanup did (or would do) with one stage of the project in REPO. */
export interface CleanupStage {
  signature: Signature;
  image: string | null;
  stage: StageName;
  /** Manifest digest the plan saw. */
  digest: string;
  createdAt: string | null;
  size: number | null;
  /**
   * `kept`; `deleted`; `would-delete` (dry run); `absent` (gone before cleanup deleted it); `changed`
   * (pushed again since the plan: kept).
   */
  outcome: "kept" | "deleted" | "would-delete" | "absent" | "changed";
  /** Why it is kept (every reason that applies); empty for the others. */
  reasons: string[];
}

/** The result document of `stages cleanup` (`--json`). */
export interface CleanupResult {
  repository: string;
  dryRun: boolean;
  kept: CleanupStage[];
  /** Deleted, or to be deleted in a dry run (and those found gone or changed at deletion). */
  deleted: CleanupStage[];
  /** Commit records: read, and kept after merging (the others name only deleted stages). */
  records: { read: number; kept: number };
  /** Leases of builds in progress that protected stages, and expired ones removed. */
  leases: { live: number; expired: number };
}

/** One stage of a cleanup or purge report. */
export function cleanupStageOf(
  stage: StageDescriptor,
  outcome: CleanupStage["outcome"],
  reasons: string[],
): CleanupStage {
  return {
    signature: stage.signature,
    image: stage.image,
    stage: stage.stage,
    digest: stage.id,
    createdAt: stage.createdAt,
    size: stage.size,
    outcome,
    reasons,
  };
}

/** The remote's housekeeping; a UsageError naming `what` when the remote keeps no records. */
export function requireHousekeeping(remote: StagesStorage, what: string): RegistryHousekeeping {
  if (!remote.housekeeping)
    throw new UsageError(`${what} needs a remote storage that keeps commit records; ${remote.description} does not`, {
      hint: "give a registry REPO (host[:port]/path)",
    });
  return remote.housekeeping;
}

/** Why stages are kept, gathered from every rule. */
class Reasons {
  readonly bySignature = new Map<Signature, string[]>();
  add(signature: Signature, reason: string): void {
    const list = this.bySignature.get(signature);
    if (!list) this.bySignature.set(signature, [reason]);
    else if (!list.includes(reason)) list.push(reason);
  }
  has(signature: Signature): boolean {
    return this.bySignature.has(signature);
  }
}

const short = (text: string) => text.slice(0, 12);

function keepLeases(reasons: Reasons, leases: readonly StageLease[], now: Date): StageLease[] {
  const live = leases.filter((lease) => Date.parse(lease.expiresAt) > now.getTime());
  for (const lease of live)
    for (const signature of lease.stages)
      reasons.add(signature, `in use by a build (${lease.holder}, lease until ${lease.expiresAt})`);
  return live;
}

function keepPublished(reasons: Reasons, stages: readonly StageDescriptor[], tags: readonly ForeignTag[]): void {
  const byDigest = new Map<string, string[]>();
  for (const tag of tags) byDigest.set(tag.digest, [...(byDigest.get(tag.digest) ?? []), tag.reference]);
  for (const stage of stages) {
    // Deleting a digest deletes every tag of it (CNCF Distribution): a stage that shares its manifest
    // with a published tag stays while that tag does.
    for (const reference of byDigest.get(stage.id) ?? [])
      reasons.add(stage.signature, `shares its manifest with ${reference}`);
  }
}

function keepRecorded(reasons: Reasons, records: readonly CommitRecord[], reason: (record: CommitRecord) => string) {
  for (const record of records) for (const signature of record.stages) reasons.add(signature, reason(record));
}

/** A kept stage keeps its parents: a chain is only useful whole. */
function keepParents(reasons: Reasons, stages: readonly StageDescriptor[]): void {
  const bySignature = new Map(stages.map((stage) => [stage.signature, stage]));
  for (const signature of [...reasons.bySignature.keys()]) {
    let parent = bySignature.get(signature)?.parent ?? null;
    while (parent !== null && !reasons.has(parent)) {
      reasons.add(parent, `base of kept stage ${short(signature)}`);
      parent = bySignature.get(parent)?.parent ?? null;
    }
  }
}

const recordKey = (commit: string, image: string | null) => `${commit}\0${image ?? ""}`;

/**
 * The cleanup procedure (DESIGN §15): keeps, for each git reference the policies select, the images
 * of the newest commits of its history as recorded in REPO (each image's whole closure of stages),
 * every stage built within the time rule, every stage a live lease names, and every stage whose
 * manifest a published tag shares; deletes the project's other stages. Before deleting it reads
 * leases, records and tags again (a build or push that started meanwhile keeps what it uses), then
 * deletes each candidate by digest only if its tag still points there.
 */
export async function cleanup(options: CleanupOptions): Promise<CleanupResult> {
  const housekeeping = requireHousekeeping(options.remote, "cleanup");
  const emit = emitter(options.onEvent);
  const signal = options.signal;
  const now = options.now ?? new Date();
  const policies = cleanupPolicies(options.config.meta);
  const [stages, records, leases, foreign, references] = await Promise.all([
    options.remote.list({ signal }),
    housekeeping.readRecords({ signal }),
    housekeeping.readLeases({ signal }),
    housekeeping.foreignTags({ signal }),
    options.history.references({ signal }),
  ]);

  const recorded = new Map<string, Set<string | null>>();
  const recordsByKey = new Map<string, CommitRecord[]>();
  for (const record of records) {
    const images = recorded.get(record.commit) ?? new Set<string | null>();
    images.add(record.image);
    recorded.set(record.commit, images);
    const key = recordKey(record.commit, record.image);
    recordsByKey.set(key, [...(recordsByKey.get(key) ?? []), record]);
  }
  const reasons = new Reasons();
  const keptImages = await selectKeptImages({
    config: policies,
    references,
    commits: (head) => options.history.commits(head, { signal }),
    recorded,
    version: imageVersionsOf(records),
    now,
    signal,
  });
  for (const kept of keptImages) {
    for (const record of recordsByKey.get(recordKey(kept.commit, kept.image)) ?? []) {
      for (const reason of kept.reasons)
        for (const signature of record.stages)
          reasons.add(
            signature,
            `${reason}: ${kept.image ?? "~"} at ${short(kept.commit)}${record.dirty ? " (uncommitted edits)" : ""}`,
          );
    }
  }
  // A stage whose creation time is unknown counts as new: never delete what cannot be dated.
  const timeRule = buildTimeRule(policies, now);
  for (const stage of stages)
    if (timeRule && isBuiltWithin(timeRule, stage.createdAt)) reasons.add(stage.signature, timeRule.reason);
  // werf's `cleanup.disable: true`: the report says what the policies would keep, nothing is deleted.
  if (policies.disabled)
    for (const stage of stages) reasons.add(stage.signature, "cleanup is disabled (cleanup.disable: true)");
  const live = keepLeases(reasons, leases, now);
  keepPublished(reasons, stages, foreign);
  keepParents(reasons, stages);

  const report = (stage: StageDescriptor, outcome: CleanupStage["outcome"]): CleanupStage =>
    cleanupStageOf(
      stage,
      outcome,
      outcome === "kept" || outcome === "changed" ? (reasons.bySignature.get(stage.signature) ?? []) : [],
    );
  const expired = leases.filter((lease) => !live.includes(lease));
  let candidates = stages.filter((stage) => !reasons.has(stage.signature));

  if (options.dryRun) {
    return finish(
      stages.filter((stage) => reasons.has(stage.signature)).map((stage) => report(stage, "kept")),
      candidates.map((stage) => report(stage, "would-delete")),
      { read: records.length, kept: records.length },
      { live: live.length, expired: expired.length },
    );
  }

  // Re-check: what started since the plan keeps what it uses.
  const [recordsNow, leasesNow, foreignNow] = await Promise.all([
    housekeeping.readRecords({ signal }),
    housekeeping.readLeases({ signal }),
    housekeeping.foreignTags({ signal }),
  ]);
  const seen = new Set(records.map((record) => JSON.stringify(record)));
  keepRecorded(
    reasons,
    recordsNow.filter((record) => !seen.has(JSON.stringify(record))),
    (record) => `recorded since the plan: ${record.image ?? "~"} at ${short(record.commit)}`,
  );
  keepLeases(reasons, leasesNow, now);
  keepPublished(reasons, stages, foreignNow);
  keepParents(reasons, stages);
  candidates = candidates.filter((stage) => !reasons.has(stage.signature));

  const outcomes = new Map<Signature, CleanupStage["outcome"]>();
  await forEachLimited(candidates, options.parallel ?? 8, async (stage) => {
    const outcome = await housekeeping.deleteStage(stage.signature, stage.id, { signal });
    outcomes.set(stage.signature, outcome);
    const reference = remoteStageReference(options.repository, stage.signature);
    emit({
      type: "note",
      level: "info",
      text:
        outcome === "changed"
          ? `kept ${reference}: pushed again since the plan`
          : `${outcome === "deleted" ? "deleted" : "already gone"}: ${reference} (${stage.image ?? "~"} ${stage.stage})`,
    });
  });
  for (const stage of candidates)
    if (outcomes.get(stage.signature) === "changed") reasons.add(stage.signature, "pushed again since the plan");

  // A record stays when it is new since the plan, when the policies kept its commit, or when every
  // stage it names is still there (kept by time or lease: a later cleanup may still need it); the
  // others are dropped, and the rest merged into one object.
  const gone = new Set(
    candidates.filter((stage) => outcomes.get(stage.signature) !== "changed").map((stage) => stage.signature),
  );
  const keptKeys = new Set(keptImages.map((kept) => recordKey(kept.commit, kept.image)));
  const keepRecords = recordsNow.filter(
    (record) =>
      !seen.has(JSON.stringify(record)) ||
      keptKeys.has(recordKey(record.commit, record.image)) ||
      record.stages.every((signature) => !gone.has(signature)),
  );
  await housekeeping.compactRecords(keepRecords, { signal });
  const expiredNow = leasesNow.filter((lease) => Date.parse(lease.expiresAt) <= now.getTime());
  if (expiredNow.length > 0)
    await housekeeping.dropLeases(
      expiredNow.map((lease) => lease.id),
      { signal },
    );

  return finish(
    stages
      .filter((stage) => !gone.has(stage.signature))
      .map((stage) => report(stage, outcomes.get(stage.signature) === "changed" ? "changed" : "kept")),
    candidates
      .filter((stage) => gone.has(stage.signature))
      .map((stage) => report(stage, outcomes.get(stage.signature) === "absent" ? "absent" : "deleted")),
    { read: recordsNow.length, kept: keepRecords.length },
    { live: keepLeasesCount(leasesNow, now), expired: expiredNow.length },
  );

  function finish(
    kept: CleanupStage[],
    deleted: CleanupStage[],
    recordCounts: CleanupResult["records"],
    leaseCounts: CleanupResult["leases"],
  ): CleanupResult {
    const order = (a: CleanupStage, b: CleanupStage) =>
      (a.image ?? "").localeCompare(b.image ?? "") ||
      (a.createdAt ?? "").localeCompare(b.createdAt ?? "") ||
      a.signature.localeCompare(b.signature);
    return {
      repository: options.repository,
      dryRun: options.dryRun ?? false,
      kept: kept.sort(order),
      deleted: deleted.sort(order),
      records: recordCounts,
      leases: leaseCounts,
    };
  }
}

function keepLeasesCount(leases: readonly StageLease[], now: Date): number {
  return leases.filter((lease) => Date.parse(lease.expiresAt) > now.getTime()).length;
}
