import type { CallOptions } from "../adapters/common.js";
import type { GitSource } from "../adapters/git-source.js";
import type { ImageTransfer } from "../adapters/image-transfer.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import type { StagesConfig } from "../config/model.js";
import { type ResolvedStage, resolveImages } from "../resolve.js";
import type { Signature } from "../signature-type.js";
import { type EventListener, emitter, type ProcedureResult, type StageAction } from "./events.js";
import { forEachLimited } from "./limit.js";
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
  git?: GitSource;
  /** How many stages are pushed at once. */
  parallel?: number;
  onEvent?: EventListener;
}

/**
 * The stages push procedure (DESIGN §7): every stage of the current conveyors that is local and not
 * remote is pushed as `REPO:image-stage-<signature>`; stages REPO has cost one request each.
 */
export async function pushStages(options: PushOptions): Promise<ProcedureResult> {
  const emit = emitter(options.onEvent);
  const project = options.config.meta.project;
  const resolved = await resolveImages({
    config: options.config,
    images: options.images ?? [],
    storages: { local: options.local, remote: options.remote },
    git: options.git,
    signal: options.signal,
    lookupRemoteAlways: true,
  });
  const actions = new Map<Signature, StageAction>();
  const toPush: ResolvedStage[] = [];
  for (const image of resolved) {
    for (const stage of image.stages) {
      if (actions.has(stage.signature)) continue;
      if (stage.presence.remote) actions.set(stage.signature, "skipped");
      else if (!stage.presence.local) actions.set(stage.signature, "missing");
      else {
        actions.set(stage.signature, "pushed");
        toPush.push(stage);
      }
    }
  }
  const context = { project, repository: options.repository, transfer: options.transfer, signal: options.signal, emit };
  await forEachLimited(toPush, options.parallel ?? 2, (stage) => transferStage("push", stage, context));
  for (const [signature, action] of actions) {
    if (action === "pushed") continue;
    const stage = resolved.flatMap((image) => image.stages).find((candidate) => candidate.signature === signature)!;
    emit({ type: "stage-finished", action, durationMs: 0, image: stage.image, stage: stage.name, signature });
  }
  return procedureResult(resolved, actions, "missing");
}
