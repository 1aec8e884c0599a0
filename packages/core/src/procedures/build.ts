import type { CallOptions } from "../adapters/common.js";
import type { ImageTransfer } from "../adapters/image-transfer.js";
import type { Lock } from "../adapters/lock.js";
import type { StageBuilder } from "../adapters/stage-builder.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import { forEachLimited } from "../concurrency.js";
import type { StagesConfig } from "../config/model.js";
import { throwIfAborted } from "../errors.js";
import { stageLabelsFor } from "../naming.js";
import { type FactsProvider, type ResolvedStage, resolveProject } from "../resolve.js";
import type { Signature } from "../signature-type.js";
import { type EventListener, emitter, type ProcedureResult, type StageAction, stageSubject } from "./events.js";
import { OncePerKey } from "./limit.js";
import { planBuild, type StagesPlan } from "./plans.js";
import { procedureResult } from "./result.js";
import { transferStage } from "./transfer-stage.js";

export interface BuildOptions extends CallOptions {
  config: StagesConfig;
  /** Images to build (dependencies come along); empty = every image and artifact. */
  images?: readonly string[];
  local: StagesStorage;
  builder: StageBuilder;
  /** Git content, stageDependencies checksums and base digests (see `createFactsProvider`). */
  facts: FactsProvider;
  /** With a remote storage, stages another host pushed are pulled instead of built. */
  remote?: { storage: StagesStorage; repository: string; transfer: ImageTransfer };
  /** Serializes the building of one signature across hosts. */
  lock?: Lock;
  /** How many images build at once. */
  parallel?: number;
  onEvent?: EventListener;
}

/** The build procedure (DESIGN §7): resolve, plan (`planBuild`), then carry the plan out. */
export async function build(options: BuildOptions): Promise<ProcedureResult> {
  const project = await resolveProject({
    config: options.config,
    images: options.images,
    storages: { local: options.local, remote: options.remote?.storage },
    facts: options.facts,
    remoteLookup: "when-missing",
    signal: options.signal,
  });
  const plan = planBuild(project, options.remote !== undefined);
  const taken = await carryOutBuild(plan, options);
  return procedureResult(plan, taken);
}

/**
 * Carries a build plan out: each `pulled` stage is pulled, each `built` one is built once the
 * stages it needs are local. Returns the actions that differ from the plan: with a lock, another
 * host may have built a stage while this one waited for it.
 */
async function carryOutBuild(plan: StagesPlan, options: BuildOptions): Promise<Map<Signature, StageAction>> {
  const emit = emitter(options.onEvent);
  const project = plan.project.config.meta.project;
  const taken = new Map<Signature, StageAction>();
  const once = new OncePerKey<void>();

  const pullStage = async (stage: ResolvedStage): Promise<void> => {
    const remote = options.remote!;
    await transferStage("pull", stage, {
      project,
      repository: remote.repository,
      transfer: remote.transfer,
      signal: options.signal,
      emit,
    });
  };

  const buildStage = async (stage: ResolvedStage): Promise<void> => {
    const remote = options.remote;
    const handle = await options.lock?.acquire(`stage:${project}:${stage.signature}`, {
      signal: options.signal,
      ...(remote ? { abandonWhen: () => remote.storage.has(stage.signature, { signal: options.signal }) } : {}),
    });
    if (handle === null) {
      // Another host built and pushed it while this one waited.
      await pullStage(stage);
      taken.set(stage.signature, "pulled");
      return;
    }
    try {
      // Another host may have built it while this one waited for the lock.
      if (handle && (await options.local.has(stage.signature, { signal: options.signal }))) {
        taken.set(stage.signature, "cached");
        return;
      }
      if (handle && options.remote && (await options.remote.storage.has(stage.signature, { signal: options.signal }))) {
        await pullStage(stage);
        taken.set(stage.signature, "pulled");
        return;
      }
      const started = Date.now();
      const subject = stageSubject(stage);
      emit({ type: "stage-started", work: "build", ...subject });
      await options.builder.build({
        project,
        image: stage.image,
        stage: stage.name,
        signature: stage.signature,
        base: stage.prev,
        instructions: stage.instructions,
        labels: stageLabelsFor({
          project,
          image: stage.image,
          stage: stage.name,
          signature: stage.signature,
          parent: stage.prev,
          carried: stage.carriedAfter,
        }),
        signal: options.signal,
        onEvent: (event) => {
          if (event.type === "output")
            emit({ type: "stage-output", stream: event.stream, text: event.text, ...subject });
          else emit({ type: "transfer-progress", reference: "", progress: event.progress, ...subject });
        },
      });
      emit({ type: "stage-finished", action: "built", durationMs: Date.now() - started, ...subject });
    } finally {
      await handle?.release();
    }
  };

  const ensure = (signature: Signature): Promise<void> =>
    once.run(signature, async () => {
      throwIfAborted(options.signal);
      const step = plan.steps.get(signature);
      if (!step || step.action === "cached") return;
      if (step.action === "pulled") return pullStage(step.stage);
      // Its base first, then the images it needs, one after the other as the plan lists them.
      for (const need of step.needs) await ensure(need);
      await buildStage(step.stage);
    });

  await forEachLimited(plan.images, options.parallel ?? 1, async (image) => {
    const last = image.stages.at(-1);
    if (last) await ensure(last.signature);
  });
  return taken;
}
