import type { CallOptions } from "../adapters/common.js";
import type { ImageTransfer } from "../adapters/image-transfer.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import { type HousekeepingOptions, projectSignatures, touchLocal } from "../cleanup/housekeeping-options.js";
import { commitRecordsOf, recordCommit } from "../cleanup/records.js";
import { forEachLimited } from "../concurrency.js";
import type { StagesConfig } from "../config/model.js";
import { type FactsProvider, type ResolvedProject, resolveProject } from "../resolve.js";
import { type EventListener, emitter, type ProcedureResult, stageSubject } from "./events.js";
import { planPush, type StagesPlan } from "./plans.js";
import { procedureResult } from "./result.js";
import { transferStage } from "./transfer-stage.js";

export interface PushOptions extends CallOptions, HousekeepingOptions {
  config: StagesConfig;
  /** Images whose stages to push (their dependencies come along); empty = every image. */
  images?: readonly string[];
  local: StagesStorage;
  remote: StagesStorage;
  /** The REPO the remote storage is on. */
  repository: string;
  transfer: ImageTransfer;
  /** Git content, stageDependencies checksums and base digests (see `createFactsProvider`). */
  facts: FactsProvider;
  /** How many stages are pushed at once. */
  parallel?: number;
  onEvent?: EventListener;
}

/**
 * The stages push procedure (DESIGN §7): every stage of the current conveyors that is local and not
 * remote is pushed as `REPO:image-stage-<signature>`; stages REPO has cost one request each.
 */
export async function pushStages(options: PushOptions): Promise<ProcedureResult> {
  const project = await resolveProject({
    config: options.config,
    images: options.images,
    storages: { local: options.local, remote: options.remote, repository: options.repository },
    facts: options.facts,
    remoteLookup: "remote-first",
    signal: options.signal,
  });
  const plan = planPush(project);
  await touchLocal(options.local, projectSignatures(project), options.signal);
  await carryOutPush(plan, options);
  const result = procedureResult(plan);
  const recorded = await recordImages(project, options);
  if (recorded) result.recorded = recorded;
  return result;
}

/**
 * Records in REPO that HEAD's commit has the project's images (DESIGN §15), after their stages went
 * there. Null when nothing was recorded.
 */
export async function recordImages(
  project: ResolvedProject,
  options: Pick<PushOptions, "head" | "remote" | "signal">,
): Promise<ProcedureResult["recorded"] | null> {
  if (!options.head) return null;
  const records = commitRecordsOf(project, project.images, options.head, new Date());
  if (!(await recordCommit(options.remote, records, { signal: options.signal }))) return null;
  return {
    commit: options.head.commit,
    dirty: options.head.dirty,
    images: records.map((record) => record.image),
  };
}

/** Pushes the stages a push plan marks `pushed`, and reports the others as finished. */
export async function carryOutPush(
  plan: StagesPlan,
  options: Pick<PushOptions, "repository" | "transfer" | "parallel" | "onEvent" | "signal">,
): Promise<void> {
  const emit = emitter(options.onEvent);
  const context = {
    project: plan.project.config.meta.project,
    repository: options.repository,
    transfer: options.transfer,
    signal: options.signal,
    emit,
  };
  const steps = [...plan.steps.values()];
  const toPush = steps.filter((step) => step.action === "pushed").map((step) => step.stage);
  await forEachLimited(toPush, options.parallel ?? 2, (stage) => transferStage("push", stage, context));
  for (const { stage, action } of steps) {
    if (action === "pushed") continue;
    emit({
      type: "stage-finished",
      action,
      durationMs: 0,
      ...stageSubject(stage),
    });
  }
}
