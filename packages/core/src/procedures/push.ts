import type { CallOptions } from "../adapters/common.js";
import type { ImageTransfer } from "../adapters/image-transfer.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import { forEachLimited } from "../concurrency.js";
import type { StagesConfig } from "../config/model.js";
import { type FactsProvider, resolveProject } from "../resolve.js";
import { type EventListener, emitter, type ProcedureResult, stageSubject } from "./events.js";
import { planPush, type StagesPlan } from "./plans.js";
import { procedureResult } from "./result.js";
import { transferStage } from "./transfer-stage.js";

export interface PushOptions extends CallOptions {
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
    storages: { local: options.local, remote: options.remote },
    facts: options.facts,
    remoteLookup: "always",
    signal: options.signal,
  });
  const plan = planPush(project);
  await carryOutPush(plan, options);
  return procedureResult(plan);
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
