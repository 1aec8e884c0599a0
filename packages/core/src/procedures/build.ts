import type { CallOptions } from "../adapters/common.js";
import type { ImageTransfer } from "../adapters/image-transfer.js";
import type { Lock, LockHandle } from "../adapters/lock.js";
import type { DependencyEnv, StageBuilder, StageInstructions } from "../adapters/stage-builder.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import { type HousekeepingOptions, projectSignatures, touchLocal } from "../cleanup/housekeeping-options.js";
import { takeLease } from "../cleanup/records.js";
import { forEachLimited } from "../concurrency.js";
import type { StagesConfig } from "../config/model.js";
import { fillDependencyValues } from "../dockerfile/dependency-args.js";
import { StageMissingError, throwIfAborted, UsageError } from "../errors.js";
import { remoteStageReference, stageLabelsFor, stageTag } from "../naming.js";
import { type FactsProvider, type ResolvedProject, type ResolvedStage, resolveProject } from "../resolve.js";
import type { Signature } from "../signature-type.js";
import { type EventListener, emitter, type ProcedureResult, type StageAction, stageSubject } from "./events.js";
import { OncePerKey } from "./limit.js";
import { actionOf, buildNeedsOf, planBuild, type StagesPlan } from "./plans.js";
import { recordImages } from "./push.js";
import { procedureResult } from "./result.js";
import { createStagePusher, type StagePusher } from "./stage-pusher.js";
import { transferStage } from "./transfer-stage.js";

export interface BuildOptions extends CallOptions, HousekeepingOptions {
  config: StagesConfig;
  /** Images to build (dependencies come along); empty = every image and artifact. */
  images?: readonly string[];
  local: StagesStorage;
  builder: StageBuilder;
  /** Git content, stageDependencies checksums and base digests (see `createFactsProvider`). */
  facts: FactsProvider;
  /** With a remote storage, stages another host pushed are pulled instead of built. */
  remote?: { storage: StagesStorage; repository: string; transfer: ImageTransfer };
  /**
   * Push every stage of the selected images (and their dependencies) that is on this host and not in
   * REPO, each built stage as soon as it is built, in the background while the next one builds
   * (needs `remote`). The build ends when every push has.
   */
  push?: boolean;
  /** With `push`: push a stage built here even when another host pushed its tag meanwhile. */
  force?: boolean;
  /** Serializes the building of one signature across hosts (key `stage:<project>:<signature>`). */
  lock?: Lock;
  /** How many images build at once. */
  parallel?: number;
  onEvent?: EventListener;
  /**
   * Called, once the build is done, with the project as it stands then: each stage's presence says
   * what the build left on this host and in REPO. build-and-publish publishes from it instead of
   * resolving the project a second time.
   */
  onBuilt?: (project: ResolvedProject) => void;
}

/**
 * The build procedure (DESIGN §7, §14): resolve, plan (`planBuild`), then carry the plan out. With
 * `push` the result lists, per stage, whether this build pushed it (`pushed`) and whether another
 * host pushed it first while it was built here (`adopted`).
 */
export async function build(options: BuildOptions): Promise<ProcedureResult> {
  if (options.push && !options.remote)
    throw new UsageError("a build that pushes needs a remote: there is no REPO to push the stages to", {
      hint: "give the build a REPO (stages build --repo REPO --push)",
    });
  if (options.force && !options.push)
    throw new UsageError("force only applies to a build that pushes", { hint: "add --push, or drop --force" });
  const project = await resolveProject({
    config: options.config,
    images: options.images,
    storages: { local: options.local, remote: options.remote?.storage, repository: options.remote?.repository },
    facts: options.facts,
    // Pushing: whether REPO has a local stage decides whether it is pushed.
    remoteLookup: options.push ? "always" : "when-missing",
    signal: options.signal,
  });
  const plan = planBuild(project, options.remote !== undefined);
  await touchLocal(options.local, projectSignatures(project), options.signal);
  // A build that reads stages from REPO or writes them there leases them: a cleanup running
  // meanwhile keeps them. One that finds everything on this host needs no lease (and no request).
  const usesRemote =
    options.remote !== undefined &&
    (options.push === true || [...plan.steps.values()].some((step) => step.action === "pulled"));
  const lease = usesRemote
    ? await takeLease(options.remote!.storage, projectSignatures(project), {
        holder: options.holder ?? "stages build",
        now: new Date(),
        leaseMs: options.leaseMs,
        signal: options.signal,
      })
    : null;
  if (lease?.problem)
    emitter(options.onEvent)({
      type: "note",
      level: "warning",
      text: `no lease in ${options.remote!.storage.description} (${lease.problem}): a cleanup running now may delete stages this build uses (they are then built here)`,
    });
  try {
    const { taken, pusher } = await carryOutBuild(plan, options);
    const result = procedureResult(plan, taken);
    options.onBuilt?.(projectAfterBuild(plan, taken, pusher));
    if (pusher) {
      for (const image of result.images) {
        for (const stage of image.stages) {
          stage.pushed = pusher.pushed.has(stage.signature);
          if (pusher.adopted.has(stage.signature)) stage.adopted = true;
        }
      }
      // Recorded while the lease still holds what was pushed.
      const recorded = await recordImages(project, {
        head: options.head,
        remote: options.remote!.storage,
        signal: options.signal,
      });
      if (recorded) result.recorded = recorded;
    }
    return result;
  } finally {
    await lease?.release();
  }
}

/**
 * The resolved project with each stage's presence as the build left it: built or pulled here is
 * local, pulled, pushed or adopted is in REPO. What the build did not touch stays as it was found.
 */
function projectAfterBuild(
  plan: StagesPlan,
  taken: ReadonlyMap<Signature, StageAction>,
  pusher: StagePusher | null,
): ResolvedProject {
  const { project } = plan;
  const after = (stage: ResolvedStage): ResolvedStage => {
    const { signature, presence } = stage;
    const action = taken.get(signature) ?? actionOf(plan, signature);
    const local =
      presence.local === true || action === "built" || action === "pulled" || taken.get(signature) === "cached";
    const remote =
      presence.remote === true ||
      action === "pulled" ||
      (pusher !== null && (pusher.pushed.has(signature) || pusher.adopted.has(signature)));
    return { ...stage, presence: { ...presence, local, remote: project.hasRemote ? remote : presence.remote } };
  };
  const images = new Map(project.images.map((image) => [image, { ...image, stages: image.stages.map(after) }]));
  return {
    ...project,
    images: [...images.values()],
    selected: project.selected.map((image) => images.get(image) ?? image),
  };
}

/**
 * Carries a build plan out: each `pulled` stage is pulled, each `built` one is built once the
 * stages it needs are local, and with `push` each local stage REPO lacks is pushed. Returns the
 * actions that differ from the plan: another host may have pushed a stage before this one built
 * it, or cleanup may have deleted one it meant to pull.
 */
async function carryOutBuild(
  plan: StagesPlan,
  options: BuildOptions,
): Promise<{ taken: Map<Signature, StageAction>; pusher: StagePusher | null }> {
  const emit = emitter(options.onEvent);
  const project = plan.project.config.meta.project;
  const remote = options.remote;
  const taken = new Map<Signature, StageAction>();
  const once = new OncePerKey<void>();
  const bySignature = new Map<Signature, ResolvedStage>();
  for (const image of plan.project.images) for (const stage of image.stages) bySignature.set(stage.signature, stage);
  const context = remote && {
    project,
    repository: remote.repository,
    transfer: remote.transfer,
    signal: options.signal,
    emit,
  };
  const pusher =
    options.push && remote && context
      ? createStagePusher({ ...context, remote: remote.storage, force: options.force ?? false })
      : null;

  const remoteHas = (signature: Signature): Promise<boolean> =>
    remote ? remote.storage.has(signature, { signal: options.signal }) : Promise.resolve(false);

  /**
   * Pulls a stage; one REPO no longer has (cleanup deleted it between lookup and pull) is a cache
   * miss, built here from its base instead of failing the build.
   */
  const pullOrBuild = async (stage: ResolvedStage): Promise<void> => {
    try {
      await transferStage("pull", stage, context!);
      taken.set(stage.signature, "pulled");
    } catch (error) {
      if (!StageMissingError.isInstance(error)) throw error;
      noteVanished(stage);
      await buildFromBase(stage);
    }
  };

  const noteVanished = (stage: ResolvedStage) =>
    emit({
      type: "stage-note",
      note: "vanished",
      text: `${remoteStageReference(remote!.repository, stage.signature)} is gone from the registry (cleanup?): building it here`,
      ...stageSubject(stage),
    });

  const buildFromBase = async (stage: ResolvedStage): Promise<void> => {
    for (const need of buildNeedsOf(stage)) await ensure(need);
    await buildStage(stage);
  };

  const buildStage = async (stage: ResolvedStage): Promise<void> => {
    let handle: LockHandle | null | undefined;
    if (options.lock) {
      handle = await options.lock.acquire(`stage:${project}:${stage.signature}`, {
        signal: options.signal,
        ...(remote ? { abandonWhen: () => remoteHas(stage.signature) } : {}),
      });
      // Another host built and pushed it while this one waited.
      if (handle === null) return pullOrBuild(stage);
    }
    let handedOver = false;
    try {
      // Another host may have built it while this one waited for the lock.
      if (handle && (await options.local.has(stage.signature, { signal: options.signal }))) {
        taken.set(stage.signature, "cached");
        return;
      }
      // Double-checked: one HEAD right before building; another host may have pushed it since the lookup.
      if (remote && (await remoteHas(stage.signature))) {
        try {
          await transferStage("pull", stage, context!);
          taken.set(stage.signature, "pulled");
          return;
        } catch (error) {
          if (!StageMissingError.isInstance(error)) throw error;
          noteVanished(stage);
        }
      }
      await runBuilder(stage);
      taken.set(stage.signature, "built");
      if (pusher) {
        // With a lock, the push ends before the release: a host waiting for it then pulls the stage.
        pusher.push(stage, { built: true, handle: handle ?? undefined });
        handedOver = true;
      }
    } finally {
      if (!handedOver) await handle?.release();
    }
  };

  /**
   * The value of a dependency (werf v2) known only once its stage exists: ImageID is the engine's
   * image id of its local stage, ImageDigest the manifest digest of its stage in REPO.
   */
  const dependencyValue = async (item: DependencyEnv): Promise<string> => {
    if (item.type === "ImageID") {
      const descriptor = await options.local.get(item.source, { signal: options.signal });
      if (!descriptor)
        throw new StageMissingError(`the last stage of "${item.image}" (${item.source.slice(0, 12)}) is not local`, {
          hint: `build "${item.image}" first`,
        });
      return descriptor.id;
    }
    if (!remote) {
      // werf's stage in a local storage has no registry digest either: the variable is empty.
      emit({
        type: "note",
        level: "warning",
        text: `${item.name}: the ImageDigest of "${item.image}" is empty without a REPO (build with --repo REPO --push to get it)`,
      });
      return "";
    }
    await pusher?.settled(item.source);
    const descriptor = await remote.storage.get(item.source, { signal: options.signal });
    if (!descriptor)
      throw new StageMissingError(
        `${item.name}: the ImageDigest of "${item.image}" needs its last stage in ${remote.repository}, which does not have ${stageTag(item.source)}`,
        { hint: "build with --push (or push the stages of the dependency first)" },
      );
    return descriptor.id;
  };

  /** A stage's instructions with every dependency value filled in (and put in a Dockerfile step's place). */
  const completeInstructions = async (instructions: StageInstructions): Promise<StageInstructions> => {
    if (
      instructions.kind !== "imports" &&
      instructions.kind !== "dockerfile" &&
      instructions.kind !== "dockerfileBuild"
    )
      return instructions;
    const pending = instructions.dependencies ?? [];
    if (pending.every((item) => item.value !== null)) return instructions;
    const dependencies: DependencyEnv[] = [];
    for (const item of pending)
      dependencies.push(item.value !== null ? item : { ...item, value: await dependencyValue(item) });
    if (instructions.kind === "imports") return { ...instructions, dependencies };
    if (instructions.kind === "dockerfile")
      return { ...instructions, dependencies, step: fillDependencyValues(instructions.step, dependencies) };
    return { ...instructions, dependencies, args: fillDependencyValues(instructions.args, dependencies) };
  };

  const runBuilder = async (stage: ResolvedStage): Promise<void> => {
    const started = Date.now();
    const subject = stageSubject(stage);
    const instructions = await completeInstructions(stage.instructions);
    emit({ type: "stage-started", work: "build", ...subject });
    await options.builder.build({
      project,
      image: stage.image,
      stage: stage.name,
      signature: stage.signature,
      base: stage.prev,
      instructions,
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
        if (event.type === "output") emit({ type: "stage-output", stream: event.stream, text: event.text, ...subject });
        else emit({ type: "transfer-progress", reference: "", progress: event.progress, ...subject });
      },
    });
    emit({ type: "stage-finished", action: "built", durationMs: Date.now() - started, ...subject });
  };

  /** Makes a stage local: as the plan says, or — for one the plan did not need — however it can be had now. */
  const ensure = (signature: Signature): Promise<void> =>
    once.run(signature, async () => {
      throwIfAborted(options.signal);
      const step = plan.steps.get(signature);
      if (!step) {
        // Needed only because a stage after it vanished from REPO.
        const stage = bySignature.get(signature);
        if (!stage) throw new StageMissingError(`stage ${signature.slice(0, 12)} is not part of the resolved project`);
        if (await options.local.has(signature, { signal: options.signal })) return;
        if (await remoteHas(signature)) return pullOrBuild(stage);
        return buildFromBase(stage);
      }
      if (step.action === "cached") return;
      if (step.action === "pulled") return pullOrBuild(step.stage);
      // Its base first, then the images it needs, one after the other as the plan lists them.
      for (const need of step.needs) await ensure(need);
      await buildStage(step.stage);
    });

  // Stages already on this host that REPO lacks go out at once, while the build goes on.
  if (pusher) {
    for (const stage of bySignature.values())
      if (stage.presence.local && stage.presence.remote === false) pusher.push(stage, { built: false });
  }
  let failure: { error: unknown } | null = null;
  try {
    await forEachLimited(plan.images, options.parallel ?? 1, async (image) => {
      const last = image.stages.at(-1);
      if (last) await ensure(last.signature);
    });
  } catch (error) {
    failure = { error };
  }
  // Every push ends before the build does, even a failed one's.
  const pushFailure = (await pusher?.finish()) ?? null;
  if (failure) throw failure.error;
  if (pushFailure) throw pushFailure.error;
  return { taken, pusher };
}
