import type { CallOptions } from "./adapters/common.js";
import type { GitSource, MappingContent } from "./adapters/git-source.js";
import type { StageInstructions } from "./adapters/stage-builder.js";
import type { StageDescriptor, StagesStorage } from "./adapters/stages-storage.js";
import type { ImageConfig, StagesConfig, UserStageName } from "./config/model.js";
import { userStageNames } from "./config/model.js";
import {
  type Carried,
  type ConveyorFacts,
  carriedAfterBuild,
  carriesCurrent,
  normalizeBaseReference,
  planConveyor,
  type StageTemplate,
} from "./conveyor.js";
import { throwIfAborted, UsageError } from "./errors.js";
import { imageKey, imageLevels } from "./image-graph.js";
import { computeSignature } from "./signature.js";
import type { Signature } from "./signature-type.js";
import type { StageName } from "./stage-name.js";

/** Where a stage was found: the descriptor per storage; undefined = not asked. */
export interface StagePresence {
  local: StageDescriptor | null;
  remote: StageDescriptor | null | undefined;
}

/** One stage of a conveyor with its signature and where it is. */
export interface ResolvedStage {
  image: string | null;
  name: StageName;
  signature: Signature;
  prev: Signature | null;
  /** Git content carried by the previous stage (part of the signature). */
  carriedBefore: Carried | null;
  /** Git content this stage carries: read from storage when found, else what building it gives. */
  carriedAfter: Carried | null;
  presence: StagePresence;
  instructions: StageInstructions;
}

export interface ResolvedImage {
  config: ImageConfig;
  /** Position of the image in the configuration. */
  order: number;
  name: string | null;
  stages: ResolvedStage[];
}

/** The storages signatures are resolved against: local first, then remote. */
export interface ResolveStorages {
  local: StagesStorage;
  remote?: StagesStorage | undefined;
}

export interface ResolveOptions extends CallOptions {
  config: StagesConfig;
  /** Image names to resolve (their dependencies come along); empty = every image. */
  images?: readonly string[];
  storages: ResolveStorages;
  git?: GitSource | undefined;
  /** Registry digest of a base image, needed for `fromLatest`. */
  resolveBaseDigest?: ((reference: string, options?: CallOptions) => Promise<string>) | undefined;
  /** Ask the remote storage for every stage, even those present locally (plan, pull). */
  lookupRemoteAlways?: boolean;
}

/** Gathers the outside facts an image's conveyor needs (git content, checksums, base digest). */
export async function gatherFacts(
  image: ImageConfig,
  resolvedSignatures: ReadonlyMap<string, Signature>,
  options: Pick<ResolveOptions, "git" | "resolveBaseDigest" | "signal">,
): Promise<ConveyorFacts> {
  const contents = new Map<string, MappingContent>();
  const dependencyChecksums = new Map<string, Partial<Record<UserStageName, string>>>();
  if (image.git.length > 0) {
    const git = options.git;
    if (!git) throw new UsageError(`image "${image.name ?? "~"}" has git mappings but no git source was given`);
    for (const mapping of image.git) {
      contents.set(mapping.id, await git.content(mapping, { signal: options.signal }));
      const checksums: Partial<Record<UserStageName, string>> = {};
      for (const stage of userStageNames) {
        const globs = mapping.stageDependencies[stage];
        if (globs.length > 0)
          checksums[stage] = await git.dependenciesChecksum(mapping, globs, { signal: options.signal });
      }
      dependencyChecksums.set(mapping.id, checksums);
    }
  }
  let baseDigest: string | null = null;
  if (image.fromLatest && image.base.kind === "image") {
    if (!options.resolveBaseDigest)
      throw new UsageError(`image "${image.name ?? "~"}" uses fromLatest but nothing can resolve base digests`);
    baseDigest = await options.resolveBaseDigest(normalizeBaseReference(image.base.reference), {
      signal: options.signal,
    });
  }
  return { baseDigest, imageSignatures: resolvedSignatures, contents, dependencyChecksums };
}

async function lookup(
  storages: ResolveStorages,
  signature: Signature,
  template: StageTemplate,
  options: { lookupRemoteAlways: boolean; signal?: AbortSignal | undefined },
): Promise<StagePresence> {
  // Stages that do not change git content need no descriptor (their carried content is known),
  // so a cheap `has` does for them; the others need `get` to read what they carry.
  const needDescriptor = template.git !== "none";
  const ask = async (storage: StagesStorage): Promise<StageDescriptor | null> => {
    if (needDescriptor) return storage.get(signature, { signal: options.signal });
    return (await storage.has(signature, { signal: options.signal }))
      ? placeholderDescriptor(signature, template.name)
      : null;
  };
  const local = await ask(storages.local);
  let remote: StageDescriptor | null | undefined;
  if (storages.remote && local === null) remote = await ask(storages.remote);
  else if (storages.remote && options.lookupRemoteAlways) {
    // What the stage carries is known from the local copy: one HEAD tells whether REPO has it.
    remote = (await storages.remote.has(signature, { signal: options.signal }))
      ? placeholderDescriptor(signature, template.name)
      : null;
  }
  return { local, remote };
}

function placeholderDescriptor(signature: Signature, stage: StageName): StageDescriptor {
  return {
    signature,
    id: "",
    project: "",
    image: null,
    stage,
    parent: null,
    carried: null,
    labels: {},
    createdAt: null,
    size: null,
  };
}

/**
 * Computes the signatures of one image's conveyor stage by stage: each stage's signature needs the
 * git content the previous stage carries, which for a reused stage is what storage says it carries.
 */
export async function resolveImage(
  image: ImageConfig,
  facts: ConveyorFacts,
  options: Pick<ResolveOptions, "storages" | "signal" | "lookupRemoteAlways"> & {
    /** The project the stages belong to: an input of every signature. */
    project: string;
  },
): Promise<ResolvedImage> {
  const pending: { stage: Omit<ResolvedStage, "presence">; presence: Promise<StagePresence> }[] = [];
  let prev: Signature | null = null;
  let carried: Carried | null = null;
  for (const template of planConveyor(image, facts)) {
    throwIfAborted(options.signal);
    if (template.git === "patch" && carriesCurrent(image, facts, carried)) continue;
    const signature = computeSignature({
      project: options.project,
      stage: template.name,
      deps: template.deps,
      prev,
      carried,
    });
    const presence = lookup(options.storages, signature, template, {
      lookupRemoteAlways: options.lookupRemoteAlways ?? false,
      signal: options.signal,
    });
    // Awaited below (all together); until then a failure must not count as unhandled.
    presence.catch(() => {});
    // Only a stage that changes git content makes the next signature wait for its lookup (what it
    // carries is read from storage); the lookups of all other stages run side by side.
    let carriedAfter: Carried | null;
    if (template.git === "none") carriedAfter = carried;
    else {
      const found = await presence.then((result) => result.local ?? result.remote ?? null);
      carriedAfter = found !== null ? found.carried : carriedAfterBuild(template, image, facts, carried);
    }
    pending.push({
      stage: {
        image: image.name,
        name: template.name,
        signature,
        prev,
        carriedBefore: carried,
        carriedAfter,
        instructions: template.instructions(carried),
      },
      presence,
    });
    prev = signature;
    carried = carriedAfter;
  }
  const presences = await Promise.all(pending.map((entry) => entry.presence));
  const stages = pending.map((entry, index) => ({ ...entry.stage, presence: presences[index] as StagePresence }));
  return { config: image, order: 0, name: image.name, stages };
}

/** Resolves the selected images and their dependencies, dependencies first. */
export async function resolveImages(options: ResolveOptions): Promise<ResolvedImage[]> {
  const levels = imageLevels(options.config, options.images ?? []);
  const signatures = new Map<string, Signature>();
  const resolved: ResolvedImage[] = [];
  // Images of one level depend only on earlier levels: they are resolved side by side.
  for (const level of levels) {
    throwIfAborted(options.signal);
    const results = await Promise.all(
      level.map(async (image) => {
        const facts = await gatherFacts(image, signatures, options);
        const result = await resolveImage(image, facts, { ...options, project: options.config.meta.project });
        result.order = options.config.images.indexOf(image);
        return result;
      }),
    );
    for (const result of results) {
      const last = result.stages.at(-1);
      if (last) signatures.set(imageKey(result.config), last.signature);
      resolved.push(result);
    }
  }
  return resolved;
}
