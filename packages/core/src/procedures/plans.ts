import { StageMissingError } from "../errors.js";
import { finalReference } from "../naming.js";
import type { ResolvedImage, ResolvedProject, ResolvedStage } from "../resolve.js";
import type { Signature } from "../signature-type.js";
import type { PublishMethod, StageAction } from "./events.js";

/*
 * The pure half of every procedure: from a resolved project to what the procedure will do, stage by
 * stage. The procedures carry these plans out; `stages plan` prints them. Nothing here does I/O.
 */

/** What a procedure does to one stage (a stage shared by several images is one step). */
export interface PlannedStep {
  stage: ResolvedStage;
  action: StageAction;
  /** Stages that must be local before this one is built (build only: its base, its sources). */
  needs: readonly Signature[];
}

/** What one stages procedure will do, per signature; a stage with no step gets `otherwise`. */
export interface StagesPlan {
  project: ResolvedProject;
  /** The images the result document lists. */
  images: readonly ResolvedImage[];
  steps: ReadonlyMap<Signature, PlannedStep>;
  otherwise: StageAction;
}

/** The action a plan gives a stage. */
export function actionOf(plan: StagesPlan, signature: Signature): StageAction {
  return plan.steps.get(signature)?.action ?? plan.otherwise;
}

/**
 * The stages a stage needs locally besides its base: the stage its FROM names (a fromImage or
 * fromArtifact base, a Dockerfile build stage or config image), its import sources and dependency
 * images, its COPY --from source.
 */
function sourcesOf(stage: ResolvedStage): Signature[] {
  const instructions = stage.instructions;
  if (instructions.kind === "from" && instructions.base.type === "stage") return [instructions.base.signature];
  if (instructions.kind === "imports") {
    // Import sources (an external image is pulled by the builder) and dependency images: werf builds
    // a dependency first, and its id and digest exist only then.
    const sources = instructions.imports.flatMap((item) => (item.source === null ? [] : [item.source]));
    return [...new Set([...sources, ...instructions.dependencies.map((item) => item.source)])];
  }
  if (instructions.kind === "dockerfile" && instructions.copyFrom !== null) return [instructions.copyFrom];
  return [];
}

/** What must be local before `stage` is built: its base first, then the stages its instructions read. */
export function buildNeedsOf(stage: ResolvedStage): Signature[] {
  return [...(stage.prev !== null ? [stage.prev] : []), ...sourcesOf(stage)];
}

/**
 * The build plan (DESIGN §7): for each selected image, from the last stage backwards, the newest
 * stage present locally is `cached`, or — with a remote — one present there is `pulled`; the stages
 * after it are `built`, and so are the images they need that are not there. Stages before the
 * newest one found are not needed: they stay `cached`.
 */
export function planBuild(project: ResolvedProject, useRemote: boolean): StagesPlan {
  const bySignature = new Map<Signature, ResolvedStage>();
  for (const image of project.images) for (const stage of image.stages) bySignature.set(stage.signature, stage);
  const steps = new Map<Signature, PlannedStep>();
  const visit = (signature: Signature): void => {
    const stage = bySignature.get(signature);
    if (!stage) throw new StageMissingError(`stage ${signature.slice(0, 12)} is not part of the resolved project`);
    if (steps.has(stage.signature)) return;
    if (stage.presence.local) steps.set(stage.signature, { stage, action: "cached", needs: [] });
    else if (useRemote && stage.presence.remote) steps.set(stage.signature, { stage, action: "pulled", needs: [] });
    else {
      const needs = buildNeedsOf(stage);
      steps.set(stage.signature, { stage, action: "built", needs });
      for (const need of needs) visit(need);
    }
  };
  for (const image of project.selected) {
    const last = image.stages.at(-1);
    if (last) visit(last.signature);
  }
  return { project, images: project.selected, steps, otherwise: "cached" };
}

/**
 * The stages push plan (DESIGN §7): every stage of the conveyors (dependencies included) that is
 * local and not in REPO is `pushed`; one REPO has is `skipped`; one that is nowhere is `missing`.
 * Needs a project resolved with `remoteLookup: "always"` or `"remote-first"`.
 */
export function planPush(project: ResolvedProject): StagesPlan {
  const steps = new Map<Signature, PlannedStep>();
  for (const image of project.images) {
    for (const stage of image.stages) {
      if (steps.has(stage.signature)) continue;
      const action: StageAction = stage.presence.remote ? "skipped" : stage.presence.local ? "pushed" : "missing";
      steps.set(stage.signature, { stage, action, needs: [] });
    }
  }
  return { project, images: project.images, steps, otherwise: "missing" };
}

/**
 * The pull plan (DESIGN §7): per image, from the last stage backwards, the first stage present
 * locally is `local` (nothing to pull) and the first one in REPO is `pulled`; `all` pulls every
 * stage REPO has and this host lacks. A stage shared by several images is pulled once.
 */
export function planPull(project: ResolvedProject, all: boolean): StagesPlan {
  const steps = new Map<Signature, PlannedStep>();
  const set = (stage: ResolvedStage, action: StageAction) => {
    const known = steps.get(stage.signature);
    // A stage shared by two images is pulled once: `pulled` wins over `skipped`.
    if (known === undefined || known.action === "skipped") steps.set(stage.signature, { stage, action, needs: [] });
  };
  for (const image of project.selected) {
    if (all) {
      for (const stage of image.stages)
        set(stage, stage.presence.local ? "local" : stage.presence.remote ? "pulled" : "skipped");
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
  return { project, images: project.selected, steps, otherwise: "skipped" };
}

/** How one image would be published: by a copy inside the registry, by a push from here, or not at all. */
export type PublishPlanMethod = PublishMethod | "missing";

/** The images publish gives names to: the selected final ones (not artifacts, not `final: false`). */
export function publishedImages(project: ResolvedProject): ResolvedImage[] {
  return project.selected.filter((image) => image.config.final);
}

/**
 * How an image's last stage would get its final names: a registry-side copy when REPO has it (or
 * the push of stages that runs first will put it there) and the transfer can copy, a push when it is
 * only local, `missing` when it is nowhere.
 */
export function publishMethodOf(
  image: ResolvedImage,
  options: { canCopy: boolean; pushedFirst?: StagesPlan | null | undefined },
): PublishPlanMethod | null {
  const last = image.stages.at(-1);
  if (!last) return null;
  const remote =
    last.presence.remote === true ||
    (options.pushedFirst ? actionOf(options.pushedFirst, last.signature) === "pushed" : false);
  if (remote && options.canCopy) return "registry-copy";
  if (last.presence.local) return "push";
  return "missing";
}

/** One final name of an image and how it is made. */
export interface PublishStep {
  image: ResolvedImage;
  last: ResolvedStage;
  reference: string;
  method: PublishMethod;
}

export interface PublishPlanOptions {
  repository: string;
  /** Valid Docker tags. */
  tags: readonly string[];
  tagBySignature?: boolean | undefined;
  /** Whether the transfer can copy inside the registry. */
  canCopy: boolean;
  /** The stages push that runs first (`--with-stages`): the stages it pushes count as in REPO. */
  pushedFirst?: StagesPlan | null | undefined;
}

/** The image push plan (DESIGN §7): each final name of each published image, and how it is made. */
export function planPublish(project: ResolvedProject, options: PublishPlanOptions): PublishStep[] {
  const steps: PublishStep[] = [];
  for (const image of publishedImages(project)) {
    const last = image.stages.at(-1);
    const method = publishMethodOf(image, options);
    if (!last || method === null) continue;
    if (method === "missing") {
      throw new StageMissingError(
        `image "${image.name ?? "~"}": its last stage ${last.name} (${last.signature.slice(0, 12)}) is neither local nor in ${options.repository}`,
        { hint: "run `stages build` first (or publish with --with-stages from the host that built it)" },
      );
    }
    const imageTags = options.tagBySignature ? [...options.tags, last.signature] : options.tags;
    for (const tag of imageTags)
      steps.push({ image, last, reference: finalReference(options.repository, image.name, tag), method });
  }
  return steps;
}
