import type { CallOptions } from "../adapters/common.js";
import type { GitSource } from "../adapters/git-source.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import type { StagesConfig } from "../config/model.js";
import { imageKey } from "../image-graph.js";
import { type ResolvedImage, resolveImages } from "../resolve.js";
import type { Signature } from "../signature-type.js";
import type { StageName } from "../stage-name.js";
import { dependenciesOf, selectedImages } from "./build.js";
import type { StageAction } from "./events.js";
import { planPull } from "./pull.js";

export interface PlanOptions extends CallOptions {
  config: StagesConfig;
  images?: readonly string[];
  local: StagesStorage;
  remote?: StagesStorage;
  git?: GitSource;
  resolveBaseDigest?: (reference: string, options?: CallOptions) => Promise<string>;
}

/** One row of the plan table. */
export interface PlannedStage {
  name: StageName;
  signature: Signature;
  local: boolean;
  /** null when no remote storage was given. */
  remote: boolean | null;
  /** What `build` (with the same remote) would do. */
  build: StageAction;
  /** What `pull` would do (null without a remote). */
  pull: StageAction | null;
  /** What `push` would do (null without a remote). */
  push: StageAction | null;
}

export interface PlannedImage {
  name: string | null;
  artifact: boolean;
  stages: PlannedStage[];
}

export interface Plan {
  images: PlannedImage[];
}

/** Predicts what build would do, stage by stage, without doing it (same walk as `build`). */
export function planBuild(
  resolved: readonly ResolvedImage[],
  selected: readonly ResolvedImage[],
  useRemote: boolean,
): Map<Signature, StageAction> {
  const byKey = new Map(resolved.map((image) => [imageKey(image.config), image]));
  const actions = new Map<Signature, StageAction>();
  const visit = (image: ResolvedImage, index: number): void => {
    const stage = image.stages[index];
    if (!stage || actions.has(stage.signature)) return;
    if (stage.presence.local) actions.set(stage.signature, "cached");
    else if (useRemote && stage.presence.remote) actions.set(stage.signature, "pulled");
    else {
      actions.set(stage.signature, "built");
      visit(image, index - 1);
      for (const name of dependenciesOf(image, stage)) {
        const source = byKey.get(name);
        if (source) visit(source, source.stages.length - 1);
      }
    }
  };
  for (const image of selected) visit(image, image.stages.length - 1);
  return actions;
}

/** The plan procedure (DESIGN §7): every stage's signature, where it is, and what each procedure would do. Changes nothing. */
export async function plan(options: PlanOptions): Promise<Plan> {
  const resolved = await resolveImages({
    config: options.config,
    images: options.images ?? [],
    storages: { local: options.local, remote: options.remote },
    git: options.git,
    resolveBaseDigest: options.resolveBaseDigest,
    signal: options.signal,
    lookupRemoteAlways: true,
  });
  const selected = selectedImages(resolved, options.images ?? []);
  const hasRemote = options.remote !== undefined;
  const buildActions = planBuild(resolved, selected, hasRemote);
  const pullActions = hasRemote ? planPull(selected, false) : null;
  return {
    images: selected.map((image) => ({
      name: image.name,
      artifact: image.config.artifact,
      stages: image.stages.map((stage) => {
        const local = stage.presence.local !== null;
        const remote = hasRemote ? Boolean(stage.presence.remote) : null;
        return {
          name: stage.name,
          signature: stage.signature,
          local,
          remote,
          build: buildActions.get(stage.signature) ?? "cached",
          pull: pullActions?.get(stage.signature) ?? null,
          push: hasRemote ? (remote ? "skipped" : local ? "pushed" : "missing") : null,
        };
      }),
    })),
  };
}
