import type { CallOptions } from "../adapters/common.js";
import type { ForeignTag } from "../adapters/housekeeping.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import { forEachLimited } from "../concurrency.js";
import type { StagesConfig } from "../config/model.js";
import { UsageError } from "../errors.js";
import { remoteStageReference } from "../naming.js";
import { type EventListener, emitter } from "../procedures/events.js";
import { type CleanupStage, cleanupStageOf, requireHousekeeping } from "./cleanup.js";

export interface PurgeOptions extends CallOptions {
  config: StagesConfig;
  remote: StagesStorage;
  repository: string;
  /** Purge even when REPO holds published images of the project (they stay; their stages go). */
  force?: boolean;
  dryRun?: boolean;
  parallel?: number;
  onEvent?: EventListener;
}

/** The result document of `stages purge` (`--json`). */
export interface PurgeResult {
  repository: string;
  dryRun: boolean;
  /** Published images of the project found in REPO and `REPO/<image>`: never removed. */
  published: string[];
  /** Stages kept: those whose manifest a published tag shares (deleting it would delete the tag). */
  kept: CleanupStage[];
  deleted: CleanupStage[];
  /** Commit records removed. */
  records: number;
}

/**
 * Removes every stage of the project from REPO, and its commit records. Refuses without `force` when
 * REPO holds published images of the project (`REPO:TAG`, `REPO/<image>:TAG`), naming them; with it,
 * the published images stay, and so does a stage whose manifest one of them shares.
 */
export async function purge(options: PurgeOptions): Promise<PurgeResult> {
  const housekeeping = requireHousekeeping(options.remote, "purge");
  const signal = options.signal;
  const emit = emitter(options.onEvent);
  const project = options.config.meta.project;
  const names = options.config.images
    .filter((image) => image.name !== null && !image.artifact)
    .map((image) => image.name as string);
  const [stages, records, foreign, ...imageTags] = await Promise.all([
    options.remote.list({ signal }),
    housekeeping.readRecords({ signal }),
    housekeeping.foreignTags({ signal }),
    ...names.map((name) => housekeeping.imageTags(name, { signal })),
  ]);
  const stageDigests = new Set(stages.map((stage) => stage.id));
  const published: ForeignTag[] = [
    ...foreign.filter((tag) => tag.project === project || stageDigests.has(tag.digest)),
    ...imageTags.flat().filter((tag) => tag.project === project),
  ];
  if (published.length > 0 && !options.force) {
    const listed = published.slice(0, 10).map((tag) => tag.reference);
    throw new UsageError(
      `${options.repository} holds ${published.length} published image${published.length === 1 ? "" : "s"} of project ${project}: ${listed.join(", ")}${published.length > listed.length ? ", …" : ""}`,
      {
        hint: "purge with --force to remove the stages anyway (published images are never removed), or clean up with `stages cleanup`",
      },
    );
  }
  const sharing = new Map<string, string[]>();
  for (const tag of [...foreign, ...imageTags.flat()])
    sharing.set(tag.digest, [...(sharing.get(tag.digest) ?? []), tag.reference]);
  const describe = (stage: (typeof stages)[number], outcome: CleanupStage["outcome"]): CleanupStage =>
    cleanupStageOf(
      stage,
      outcome,
      outcome === "kept"
        ? (sharing.get(stage.id) ?? []).map((reference) => `shares its manifest with ${reference}`)
        : [],
    );
  const kept = stages.filter((stage) => sharing.has(stage.id));
  const candidates = stages.filter((stage) => !sharing.has(stage.id));
  const result: PurgeResult = {
    repository: options.repository,
    dryRun: options.dryRun ?? false,
    published: published.map((tag) => tag.reference),
    kept: kept.map((stage) => describe(stage, "kept")),
    deleted: [],
    records: records.length,
  };
  if (options.dryRun) {
    result.deleted = candidates.map((stage) => describe(stage, "would-delete"));
    return result;
  }
  await forEachLimited(candidates, options.parallel ?? 8, async (stage) => {
    const outcome = await housekeeping.deleteStage(stage.signature, stage.id, { signal });
    const reference = remoteStageReference(options.repository, stage.signature);
    if (outcome === "changed") {
      result.kept.push({ ...describe(stage, "changed"), reasons: ["pushed again during the purge"] });
      return;
    }
    result.deleted.push(describe(stage, outcome === "deleted" ? "deleted" : "absent"));
    emit({ type: "note", level: "info", text: `${outcome === "deleted" ? "deleted" : "already gone"}: ${reference}` });
  });
  // Records of the stages purged go too; compacting to nothing writes no new object.
  await housekeeping.compactRecords([], { signal });
  return result;
}
