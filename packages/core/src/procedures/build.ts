import type { CallOptions } from "../adapters/common.js";
import type { GitSource } from "../adapters/git-source.js";
import type { ImageTransfer } from "../adapters/image-transfer.js";
import type { Lock } from "../adapters/lock.js";
import type { StageBuilder } from "../adapters/stage-builder.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import type { StagesConfig } from "../config/model.js";
import { StageMissingError, throwIfAborted } from "../errors.js";
import { imageKey } from "../image-graph.js";
import { stageLabelsFor } from "../naming.js";
import { type ResolvedImage, type ResolvedStage, resolveImages } from "../resolve.js";
import { type EventListener, emitter, type ProcedureResult, type StageAction } from "./events.js";
import { forEachLimited, OncePerKey } from "./limit.js";
import { procedureResult } from "./result.js";
import { transferStage } from "./transfer-stage.js";

export interface BuildOptions extends CallOptions {
  config: StagesConfig;
  /** Images to build (dependencies come along); empty = every image and artifact. */
  images?: readonly string[];
  local: StagesStorage;
  builder: StageBuilder;
  git?: GitSource;
  /** With a remote storage, stages another host pushed are pulled instead of built. */
  remote?: { storage: StagesStorage; repository: string; transfer: ImageTransfer };
  /** Serializes the building of one signature across hosts. */
  lock?: Lock;
  /** How many images build at once. */
  parallel?: number;
  onEvent?: EventListener;
}

/**
 * The build procedure (DESIGN §7): for each image, from the last stage backwards, find the newest
 * stage present locally (or remotely: then pull just that one) and build the stages after it.
 */
export async function build(options: BuildOptions): Promise<ProcedureResult> {
  const emit = emitter(options.onEvent);
  const resolved = await resolveImages({
    config: options.config,
    images: options.images ?? [],
    storages: { local: options.local, remote: options.remote?.storage },
    git: options.git,
    resolveBaseDigest: options.builder.resolveBaseDigest?.bind(options.builder),
    signal: options.signal,
  });
  const byKey = new Map(resolved.map((image) => [imageKey(image.config), image]));
  const actions = new Map<string, StageAction>();
  const once = new OncePerKey<void>();
  const project = options.config.meta.project;

  const ensureLocal = (image: ResolvedImage, index: number): Promise<void> => {
    const stage = image.stages[index] as ResolvedStage;
    return once.run(stage.signature, async () => {
      throwIfAborted(options.signal);
      if (stage.presence.local) {
        actions.set(stage.signature, "cached");
        return;
      }
      if (options.remote && stage.presence.remote) {
        await pullStage(stage);
        return;
      }
      if (index > 0) await ensureLocal(image, index - 1);
      for (const dependency of dependenciesOf(image, stage)) {
        const source = byKey.get(dependency);
        if (!source || source.stages.length === 0) throw new StageMissingError(`image "${dependency}" has no stages`);
        await ensureLocal(source, source.stages.length - 1);
      }
      await buildStage(image, stage);
    });
  };

  const pullStage = async (stage: ResolvedStage): Promise<void> => {
    const remote = options.remote!;
    await transferStage("pull", stage, {
      project,
      repository: remote.repository,
      transfer: remote.transfer,
      signal: options.signal,
      emit,
    });
    actions.set(stage.signature, "pulled");
  };

  const buildStage = async (image: ResolvedImage, stage: ResolvedStage): Promise<void> => {
    const handle = await options.lock?.acquire(`stage:${project}:${stage.signature}`, { signal: options.signal });
    try {
      // Another host may have built it while this one waited for the lock.
      if (handle && (await options.local.has(stage.signature, { signal: options.signal }))) {
        actions.set(stage.signature, "cached");
        return;
      }
      if (handle && options.remote && (await options.remote.storage.has(stage.signature, { signal: options.signal }))) {
        await pullStage(stage);
        return;
      }
      const started = Date.now();
      const subject = { image: stage.image, stage: stage.name, signature: stage.signature };
      emit({ type: "stage-started", work: "build", ...subject });
      await options.builder.build({
        project,
        image: image.name,
        stage: stage.name,
        signature: stage.signature,
        base: stage.prev,
        instructions: stage.instructions,
        labels: stageLabelsFor({
          project,
          image: image.name,
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
      actions.set(stage.signature, "built");
      emit({ type: "stage-finished", action: "built", durationMs: Date.now() - started, ...subject });
    } finally {
      await handle?.release();
    }
  };

  const selected = selectedImages(resolved, options.images ?? []);
  await forEachLimited(selected, options.parallel ?? 1, async (image) => {
    if (image.stages.length > 0) await ensureLocal(image, image.stages.length - 1);
  });

  // A stage before the newest one found was not needed: it stays reused, i.e. cached.
  return procedureResult(selected, actions, "cached");
}

/** Images named on the command line (every image when none), in the order of the configuration. */
export function selectedImages(resolved: readonly ResolvedImage[], names: readonly string[]): ResolvedImage[] {
  const wanted = new Set(names.map((name) => (name === "~" ? "" : name)));
  const chosen = names.length === 0 ? [...resolved] : resolved.filter((image) => wanted.has(imageKey(image.config)));
  return chosen.sort((left, right) => left.order - right.order);
}

/** The images whose last stage a stage needs locally: its fromImage/fromArtifact base, its import sources. */
export function dependenciesOf(image: ResolvedImage, stage: ResolvedStage): string[] {
  const instructions = stage.instructions;
  if (instructions.kind === "from" && image.config.base.kind !== "image") return [image.config.base.name];
  if (instructions.kind === "imports") return [...new Set(instructions.imports.map((item) => item.spec.from))];
  return [];
}
