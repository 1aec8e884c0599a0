import type { CallOptions } from "../adapters/common.js";
import type { ImageTransfer } from "../adapters/image-transfer.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import { type HousekeepingOptions, projectSignatures, touchLocal } from "../cleanup/housekeeping-options.js";
import { takeLease } from "../cleanup/records.js";
import { forEachLimited } from "../concurrency.js";
import type { StagesConfig } from "../config/model.js";
import { type FactsProvider, resolveProject } from "../resolve.js";
import { type EventListener, emitter, type ProcedureResult } from "./events.js";
import { planPull } from "./plans.js";
import { procedureResult } from "./result.js";
import { transferStage } from "./transfer-stage.js";

export interface PullOptions extends CallOptions, HousekeepingOptions {
  config: StagesConfig;
  /** Images whose stages to pull; empty = every image. */
  images?: readonly string[];
  local: StagesStorage;
  remote: StagesStorage;
  repository: string;
  transfer: ImageTransfer;
  /** Git content, stageDependencies checksums and base digests (see `createFactsProvider`). */
  facts: FactsProvider;
  /** Pull every remote stage missing locally, not just the last common one. */
  all?: boolean;
  parallel?: number;
  onEvent?: EventListener;
}

/** The pull procedure (DESIGN §7): resolve, plan (`planPull`), then pull the stages it marks `pulled`. */
export async function pullStages(options: PullOptions): Promise<ProcedureResult> {
  const project = await resolveProject({
    config: options.config,
    images: options.images,
    storages: { local: options.local, remote: options.remote, repository: options.repository },
    facts: options.facts,
    remoteLookup: "when-missing",
    signal: options.signal,
  });
  const plan = planPull(project, options.all ?? false);
  const toPull = [...plan.steps.values()].filter((step) => step.action === "pulled").map((step) => step.stage);
  const emit = emitter(options.onEvent);
  const context = {
    project: options.config.meta.project,
    repository: options.repository,
    transfer: options.transfer,
    signal: options.signal,
    emit,
  };
  await touchLocal(options.local, projectSignatures(project), options.signal);
  // While it pulls, a cleanup elsewhere keeps what it pulls.
  const lease = await takeLease(
    options.remote,
    toPull.map((stage) => stage.signature),
    { holder: options.holder ?? "stages pull", now: new Date(), leaseMs: options.leaseMs, signal: options.signal },
  );
  if (lease.problem)
    emit({
      type: "note",
      level: "warning",
      text: `no lease in ${options.remote.description} (${lease.problem}): a cleanup running now may delete what this pull fetches`,
    });
  try {
    await forEachLimited(toPull, options.parallel ?? 2, (stage) => transferStage("pull", stage, context));
  } finally {
    await lease.release();
  }
  return procedureResult(plan);
}
