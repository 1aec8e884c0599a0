import type { CallOptions } from "../adapters/common.js";
import type { GitSource } from "../adapters/git-source.js";
import type { ImageTransfer } from "../adapters/image-transfer.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import type { StagesConfig } from "../config/model.js";
import { type ResolvedImage, type ResolvedStage, resolveImages } from "../resolve.js";
import type { Signature } from "../signature-type.js";
import { selectedImages } from "./build.js";
import { type EventListener, emitter, type ProcedureResult, type StageAction } from "./events.js";
import { forEachLimited } from "./limit.js";
import { procedureResult } from "./result.js";
import { transferStage } from "./transfer-stage.js";

export interface PullOptions extends CallOptions {
  config: StagesConfig;
  /** Images whose stages to pull; empty = every image. */
  images?: readonly string[];
  local: StagesStorage;
  remote: StagesStorage;
  repository: string;
  transfer: ImageTransfer;
  git?: GitSource;
  /** Pull every remote stage missing locally, not just the last common one. */
  all?: boolean;
  parallel?: number;
  onEvent?: EventListener;
}

/** Which stages pulling would bring, per signature: `pulled`, `local` or `skipped`. */
export function planPull(images: readonly ResolvedImage[], all: boolean): Map<Signature, StageAction> {
  const actions = new Map<Signature, StageAction>();
  const set = (stage: ResolvedStage, action: StageAction) => {
    const known = actions.get(stage.signature);
    // A stage shared by two images is pulled once: `pulled` wins over `skipped`.
    if (known === undefined || known === "skipped") actions.set(stage.signature, action);
  };
  for (const image of images) {
    if (all) {
      for (const stage of image.stages) {
        set(stage, stage.presence.local ? "local" : stage.presence.remote ? "pulled" : "skipped");
      }
      continue;
    }
    let found = false;
    for (let index = image.stages.length - 1; index >= 0; index--) {
      const stage = image.stages[index] as ResolvedStage;
      if (found) set(stage, "skipped");
      else if (stage.presence.local) {
        set(stage, "local");
        found = true;
      } else if (stage.presence.remote) {
        set(stage, "pulled");
        found = true;
      } else set(stage, "skipped");
    }
  }
  return actions;
}

/**
 * The pull procedure (DESIGN §7): per image, walk the conveyor from the last stage backwards and
 * stop at the first stage present locally (nothing to pull) or remotely (pull it). `all` pulls
 * every remote stage missing locally. A stage shared by several images is pulled once.
 */
export async function pullStages(options: PullOptions): Promise<ProcedureResult> {
  const emit = emitter(options.onEvent);
  const project = options.config.meta.project;
  const resolved = await resolveImages({
    config: options.config,
    images: options.images ?? [],
    storages: { local: options.local, remote: options.remote },
    git: options.git,
    signal: options.signal,
    lookupRemoteAlways: false,
  });
  const selected = selectedImages(resolved, options.images ?? []);
  const actions = planPull(selected, options.all ?? false);
  const stages = new Map<Signature, ResolvedStage>();
  for (const image of selected) for (const stage of image.stages) stages.set(stage.signature, stage);
  const toPull = [...actions].filter(([, action]) => action === "pulled").map(([signature]) => stages.get(signature)!);
  const context = { project, repository: options.repository, transfer: options.transfer, signal: options.signal, emit };
  await forEachLimited(toPull, options.parallel ?? 2, (stage) => transferStage("pull", stage, context));
  return procedureResult(selected, actions, "skipped");
}
