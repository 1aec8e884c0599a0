import type { CallOptions } from "./adapters/common.js";
import type { DockerContextSpec, GitSource, MappingContent } from "./adapters/git-source.js";
import type { StageBuilder, StageInstructions } from "./adapters/stage-builder.js";
import type { StagesStorage } from "./adapters/stages-storage.js";
import type { GitMapping, ImageConfig, StagesConfig, UserStageName } from "./config/model.js";
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
import {
  type DockerfileFacts,
  dockerContextSpec,
  planDockerfileBuildStage,
  planDockerfileImageSpec,
  planDockerfileWhole,
  readsDockerContext,
} from "./conveyor-dockerfile.js";
import { withDependencyArgs } from "./dockerfile/load.js";
import { throwIfAborted, UsageError } from "./errors.js";
import { imageKey, imageLevels } from "./image-graph.js";
import { localStagesRepository } from "./naming.js";
import { parseReference } from "./reference.js";
import { computeSignature } from "./signature.js";
import type { Signature } from "./signature-type.js";
import { type StageName, stageNames } from "./stage-name.js";

/**
 * The facts from outside the configuration that signatures need: git content, stageDependencies
 * checksums and base digests. One provider is made per run and handed to every procedure whole, so
 * that no procedure can resolve a project without one of them (the `fromLatest` bug of push, pull
 * and publish was exactly that).
 */
export interface FactsProvider {
  /** The files a git mapping selects now, and their content id. */
  content(mapping: GitMapping, options?: CallOptions): Promise<MappingContent>;
  /** Checksum of the files `globs` match in a mapping (stageDependencies). */
  dependenciesChecksum(mapping: GitMapping, globs: readonly string[], options?: CallOptions): Promise<string>;
  /** Registry digest of a base image, for `fromLatest` (reference in normalized form). */
  baseDigest(reference: string, options?: CallOptions): Promise<string>;
  /** The files of a Dockerfile image's build context (after .dockerignore). */
  dockerContext(spec: DockerContextSpec, options?: CallOptions): Promise<MappingContent>;
  /** The bytes of one file of a build context (a symlink gives its target). */
  dockerContextFile(spec: DockerContextSpec, path: string, options?: CallOptions): Promise<Uint8Array>;
}

/** Where a facts provider gets its answers; a fact whose source is missing fails when it is needed. */
export interface FactSources {
  git?: GitSource | undefined;
  /** What resolves registry digests of base images: the stage builder asks its engine. */
  baseDigests?: Pick<StageBuilder, "resolveBaseDigest"> | undefined;
}

const textDecoder = new TextDecoder();

/**
 * Makes the facts provider of one run. A base digest is asked once per reference and run, so every
 * image with `fromLatest` on one base sees the same digest even if the tag moves meanwhile.
 */
export function createFactsProvider(sources: FactSources): FactsProvider {
  const digests = new Map<string, Promise<string>>();
  const git = (what: string): GitSource => {
    if (!sources.git) throw new UsageError(`${what} needs a git work tree, but no git source was given`);
    return sources.git;
  };
  return {
    content: (mapping, options) => git(`git mapping "${mapping.add}"`).content(mapping, options),
    dependenciesChecksum: (mapping, globs, options) =>
      git(`the stageDependencies of git mapping "${mapping.add}"`).dependenciesChecksum(mapping, globs, options),
    dockerContext(spec, options) {
      const source = git(`the build context "${spec.directory || "."}"`);
      if (!source.contextContent) {
        throw new UsageError("the git source cannot list a Dockerfile build context", {
          hint: "use a git source that implements contextContent (the built-in one does)",
        });
      }
      return source.contextContent(spec, options);
    },
    dockerContextFile(spec, path, options) {
      const source = git(`the build context "${spec.directory || "."}"`);
      if (!source.readContextFile) {
        throw new UsageError("the git source cannot read files of a Dockerfile build context", {
          hint: "use a git source that implements readContextFile (the built-in one does)",
        });
      }
      return source.readContextFile(spec, path, options);
    },
    baseDigest(reference, options) {
      const resolver = sources.baseDigests;
      if (!resolver?.resolveBaseDigest)
        throw new UsageError(`"${reference}" is used with fromLatest but nothing can resolve base digests`, {
          hint: "use a stage builder that resolves registry digests (the docker one does)",
        });
      let digest = digests.get(reference);
      if (!digest) {
        digest = resolver.resolveBaseDigest(reference, options);
        digests.set(reference, digest);
        // A failed lookup (an interrupted one, say) is asked again next time.
        digest.catch(() => digests.delete(reference));
      }
      return digest;
    },
  };
}

/**
 * Where a stage is. `remote` is null when no remote storage was asked (none given, or the stage
 * was found locally and the procedure had no reason to ask). `carried` is the git content the
 * storage that has the stage says it carries; null when no storage has it or the stage does not
 * change git content (then a cheap existence check was enough).
 */
export interface StagePresence {
  /** Null when the local storage was not asked: a push asks it only about stages REPO lacks. */
  local: boolean | null;
  remote: boolean | null;
  carried: Carried | null;
}

/** One stage of a conveyor with its signature and where it is. */
export interface ResolvedStage {
  image: string | null;
  name: StageName;
  signature: Signature;
  prev: Signature | null;
  /** What the stage is in the user's words (`build: RUN make (Dockerfile:7)`), or null when its name says it. */
  detail: string | null;
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
  /** Stapel images: the git content of each mapping the signatures were computed with (the commit of a remote one). */
  contents?: readonly MappingContent[];
}

/** A project resolved once: every image needed (dependencies first), and the ones selected. */
export interface ResolvedProject {
  config: StagesConfig;
  /** The selected images and their dependencies, dependencies first. */
  images: ResolvedImage[];
  /** The images named (every image when none), in the order of the configuration. */
  selected: ResolvedImage[];
  /** Whether a remote storage was asked. */
  hasRemote: boolean;
}

/** The storages signatures are resolved against: local first, then remote. */
export interface ResolveStorages {
  local: StagesStorage;
  remote?: StagesStorage | undefined;
  /**
   * The REPO of `remote`. The values werf v2 `dependencies` pass (ImageName, ImageRepo, ImageTag) name
   * a stage there, or in the local storage without one; they are part of the signature, as in werf.
   */
  repository?: string | undefined;
}

/** When to ask the remote storage about a stage. */
export type RemoteLookup =
  /** Only stages missing locally (build, pull): a local stage needs nothing from REPO. */
  | "when-missing"
  /** Every stage (plan, publish): whether REPO has a local stage decides what they do. */
  | "always"
  /**
   * Every stage in REPO first, the local storage only about the stages REPO lacks (push): a stage
   * REPO has needs nothing local, so a push with nothing to push never reaches the engine.
   */
  | "remote-first";

export interface ResolveProjectOptions extends CallOptions {
  config: StagesConfig;
  /** Image names to resolve (their dependencies come along); empty = every image. */
  images?: readonly string[] | undefined;
  storages: ResolveStorages;
  facts: FactsProvider;
  /** Default: `when-missing`. */
  remoteLookup?: RemoteLookup | undefined;
}

/** Gathers the outside facts an image's conveyor needs (git content, checksums, base digest). */
async function gatherFacts(
  image: ImageConfig,
  resolved: ResolvedSoFar,
  facts: FactsProvider,
  signal: AbortSignal | undefined,
): Promise<ConveyorFacts> {
  const contents = new Map<string, MappingContent>();
  const dependencyChecksums = new Map<string, Partial<Record<UserStageName, string>>>();
  for (const mapping of image.git) {
    contents.set(mapping.id, await facts.content(mapping, { signal }));
    const checksums: Partial<Record<UserStageName, string>> = {};
    for (const stage of userStageNames) {
      const globs = mapping.stageDependencies[stage];
      if (globs.length > 0) checksums[stage] = await facts.dependenciesChecksum(mapping, globs, { signal });
    }
    dependencyChecksums.set(mapping.id, checksums);
  }
  let baseDigest: string | null = null;
  if (image.fromLatest && image.base.kind === "image")
    baseDigest = await facts.baseDigest(normalizeBaseReference(image.base.reference), { signal });
  // An external import is pinned at its registry digest, asked as fromLatest asks a base's.
  const externalDigests = new Map<string, string>();
  for (const spec of image.imports) {
    if (!spec.external || parseReference(spec.from).digest !== undefined) continue;
    const reference = normalizeBaseReference(spec.from);
    if (!externalDigests.has(reference)) externalDigests.set(reference, await facts.baseDigest(reference, { signal }));
  }
  return {
    baseDigest,
    imageSignatures: resolved.signatures,
    contents,
    dependencyChecksums,
    stageSignatures: resolved.stageSignatures,
    externalDigests,
    stageRepository: resolved.stageRepository,
  };
}

/** What the images resolved so far give the next ones. */
interface ResolvedSoFar {
  signatures: ReadonlyMap<string, Signature>;
  stageSignatures: ReadonlyMap<string, Partial<Record<UserStageName, Signature>>>;
  stageRepository: { repository: string; remote: boolean };
}

/**
 * For `import.stage`: the signature of the last stage of a stapel conveyor up to each user stage
 * (the image as it is after that stage; an empty user stage gives the stage before it).
 */
export function userStageSignatures(stages: readonly ResolvedStage[]): Partial<Record<UserStageName, Signature>> {
  const result: Partial<Record<UserStageName, Signature>> = {};
  for (const userStage of userStageNames) {
    const limit = stageNames.indexOf(userStage);
    let found: Signature | undefined;
    for (const stage of stages) {
      const index = (stageNames as readonly string[]).indexOf(stage.name);
      if (index !== -1 && index <= limit) found = stage.signature;
    }
    if (found !== undefined) result[userStage] = found;
  }
  return result;
}

/**
 * Where a stage is, as two promises: `stored` (whether some storage has the stage, and what it
 * carries: all the next signature needs) settles as soon as that is known, from the local copy when
 * there is one; `presence` when every storage asked has answered. After a local hit a push or
 * `--repo` run asks REPO only whether it has the stage, and that HEAD runs while the next stages
 * are signed, not before.
 */
function lookup(
  storages: ResolveStorages,
  signature: Signature,
  template: StageTemplate,
  remoteLookup: RemoteLookup,
  signal: AbortSignal | undefined,
): { stored: Promise<{ found: boolean; carried: Carried | null }>; presence: Promise<StagePresence> } {
  // Stages that do not change git content need no descriptor (their carried content is known),
  // so a cheap `has` does for them; the others need `get` to read what they carry.
  const needCarried = template.git !== "none";
  const ask = async (storage: StagesStorage): Promise<{ found: boolean; carried: Carried | null }> => {
    if (!needCarried) return { found: await storage.has(signature, { signal }), carried: null };
    const descriptor = await storage.get(signature, { signal });
    return { found: descriptor !== null, carried: descriptor?.carried ?? null };
  };
  const { remote } = storages;
  if (remote && remoteLookup === "remote-first") {
    const there = ask(remote);
    const here = there.then((answer) => (answer.found ? null : ask(storages.local)));
    const stored = there.then(async (answer) => (answer.found ? answer : ((await here) ?? answer)));
    const presence = (async (): Promise<StagePresence> => {
      const answer = await there;
      if (answer.found) return { local: null, remote: true, carried: answer.carried };
      const local = (await here) ?? { found: false, carried: null };
      return { local: local.found, remote: false, carried: local.carried };
    })();
    return { stored, presence };
  }
  const local = ask(storages.local);
  const stored = local.then((here) => (here.found || !remote ? here : ask(remote)));
  const presence = (async (): Promise<StagePresence> => {
    const here = await local;
    if (!remote) return { local: here.found, remote: null, carried: here.carried };
    if (!here.found) {
      const there = await stored;
      return { local: false, remote: there.found, carried: there.carried };
    }
    if (remoteLookup === "always") {
      // What the stage carries is known from the local copy: one HEAD tells whether REPO has it.
      return { local: true, remote: await remote.has(signature, { signal }), carried: here.carried };
    }
    return { local: true, remote: null, carried: here.carried };
  })();
  return { stored, presence };
}

/** Where a chain of stages starts, and how its stages' carried git content evolves. */
interface ChainOptions extends CallOptions {
  storages: ResolveStorages;
  remoteLookup: RemoteLookup;
  project: string;
  image: ImageConfig;
  /** Stapel images: what their git mappings have (gitLatestPatch and carried content need it). */
  facts: ConveyorFacts | null;
}

/**
 * Computes the signatures of one chain of stages, each stage chained to the one before it: each
 * signature needs the git content the previous stage carries, which for a reused stage is what
 * storage says it carries. Returns the stages with their lookups still running.
 */
async function resolveChain(
  templates: readonly StageTemplate[],
  options: ChainOptions,
): Promise<{ stage: Omit<ResolvedStage, "presence">; presence: Promise<StagePresence> }[]> {
  const { image, facts } = options;
  const pending: { stage: Omit<ResolvedStage, "presence">; presence: Promise<StagePresence> }[] = [];
  let prev: Signature | null = null;
  let carried: Carried | null = null;
  for (const template of templates) {
    throwIfAborted(options.signal);
    if (template.git === "patch" && facts !== null && carriesCurrent(image, facts, carried)) continue;
    const signature = computeSignature({
      project: options.project,
      stage: template.name,
      deps: template.deps,
      prev,
      carried,
    });
    const { stored, presence } = lookup(options.storages, signature, template, options.remoteLookup, options.signal);
    // Awaited below (all together); until then a failure must not count as unhandled.
    presence.catch(() => {});
    stored.catch(() => {});
    // Only a stage that changes git content makes the next signature wait for its lookup (what it
    // carries is read from storage); the lookups of all other stages run side by side.
    let carriedAfter: Carried | null;
    if (template.git === "none" || facts === null) carriedAfter = carried;
    else {
      const found = await stored;
      carriedAfter = found.found ? found.carried : carriedAfterBuild(template, image, facts, carried);
    }
    pending.push({
      stage: {
        image: image.name,
        name: template.name,
        signature,
        prev,
        detail: template.detail ?? null,
        carriedBefore: carried,
        carriedAfter,
        instructions: template.instructions(carried),
      },
      presence,
    });
    prev = signature;
    carried = carriedAfter;
  }
  return pending;
}

async function settle(
  pending: readonly { stage: Omit<ResolvedStage, "presence">; presence: Promise<StagePresence> }[],
): Promise<ResolvedStage[]> {
  const presences = await Promise.all(pending.map((entry) => entry.presence));
  return pending.map((entry, index) => ({ ...entry.stage, presence: presences[index] as StagePresence }));
}

/** How one image is resolved. */
export interface ResolveImageOptions extends CallOptions {
  storages: ResolveStorages;
  remoteLookup?: RemoteLookup | undefined;
  /** The project the stages belong to: an input of every signature. */
  project: string;
  /** Position of the image in the configuration. */
  order: number;
}

/**
 * Computes the signatures of one image's conveyor stage by stage: each stage's signature needs the
 * git content the previous stage carries, which for a reused stage is what storage says it carries.
 */
export async function resolveImage(
  image: ImageConfig,
  facts: ConveyorFacts,
  options: ResolveImageOptions,
): Promise<ResolvedImage> {
  const chain = { ...options, remoteLookup: options.remoteLookup ?? "when-missing", image, facts };
  const stages = await settle(await resolveChain(planConveyor(image, facts), chain));
  return { config: image, order: options.order, name: image.name, stages, contents: [...facts.contents.values()] };
}

/**
 * Resolves a Dockerfile image (DESIGN §12): one chain per build stage the target needs, dependencies
 * first, the target's last; a build stage's FROM and COPY --from see the signatures of the build
 * stages before it. `stages` lists every chain in that order, so its last stage is the image's.
 */
export async function resolveDockerfileImage(
  image: ImageConfig,
  facts: DockerfileFacts,
  options: ResolveImageOptions,
): Promise<ResolvedImage> {
  const chain = { ...options, remoteLookup: options.remoteLookup ?? "when-missing", image, facts: null };
  const spec = image.dockerfile;
  if (spec === null || spec.evaluated === null) {
    throw new Error(`image "${image.name}" has no evaluated Dockerfile: load the project with loadDockerfiles first`);
  }
  const imageSpec = planDockerfileImageSpec(image);
  if (!spec.staged) {
    const templates = [planDockerfileWhole(image, facts), ...(imageSpec ? [imageSpec] : [])];
    const stages = await settle(await resolveChain(templates, chain));
    return { config: image, order: options.order, name: image.name, stages };
  }
  const pending: Awaited<ReturnType<typeof resolveChain>> = [];
  const stageSignatures = new Map<number, Signature>();
  const target = spec.evaluated.stages.at(-1);
  for (const stage of spec.evaluated.stages) {
    const templates = await planDockerfileBuildStage(image, stage, facts, stageSignatures);
    // imageSpec edits the image's last stage: it ends the target's chain.
    if (stage === target && imageSpec) templates.push(imageSpec);
    const chainStages = await resolveChain(templates, chain);
    const last = chainStages.at(-1);
    if (last) stageSignatures.set(stage.index, last.stage.signature);
    pending.push(...chainStages);
  }
  return { config: image, order: options.order, name: image.name, stages: await settle(pending) };
}

/**
 * Resolves a project once: the selected images and their dependencies, dependencies first, each
 * stage with its signature and where it is. Every procedure and `plan` start here.
 */
export async function resolveProject(options: ResolveProjectOptions): Promise<ResolvedProject> {
  const names = options.images ?? [];
  const levels = imageLevels(options.config, names);
  const signatures = new Map<string, Signature>();
  const stageSignatures = new Map<string, Partial<Record<UserStageName, Signature>>>();
  const repository = options.storages.repository;
  const soFar: ResolvedSoFar = {
    signatures,
    stageSignatures,
    stageRepository:
      repository !== undefined
        ? { repository, remote: true }
        : { repository: localStagesRepository(options.config.meta.project), remote: false },
  };
  const images: ResolvedImage[] = [];
  // Images of one level depend only on earlier levels: they are resolved side by side.
  for (const level of levels) {
    throwIfAborted(options.signal);
    const results = await Promise.all(
      level.map(async (image) => {
        if (image.dockerfile !== null) {
          // werf v2 dependencies: the Dockerfile evaluated again with their build args' values.
          const names = options.config.images.flatMap((other) => (other.name === null ? [] : [other.name]));
          const evaluated = withDependencyArgs(image, names, signatures, soFar.stageRepository);
          const spec = dockerContextSpec(evaluated.dockerfile!);
          const context = readsDockerContext(evaluated.dockerfile!)
            ? await options.facts.dockerContext(spec, { signal: options.signal })
            : null;
          const readLink = async (path: string) =>
            textDecoder.decode(await options.facts.dockerContextFile(spec, path, { signal: options.signal }));
          return resolveDockerfileImage(
            evaluated,
            { context, imageSignatures: signatures, readLink },
            {
              storages: options.storages,
              remoteLookup: options.remoteLookup,
              signal: options.signal,
              project: options.config.meta.project,
              order: options.config.images.indexOf(image),
            },
          );
        }
        const facts = await gatherFacts(image, soFar, options.facts, options.signal);
        return resolveImage(image, facts, {
          storages: options.storages,
          remoteLookup: options.remoteLookup,
          signal: options.signal,
          project: options.config.meta.project,
          order: options.config.images.indexOf(image),
        });
      }),
    );
    for (const result of results) {
      const last = result.stages.at(-1);
      if (last) signatures.set(imageKey(result.config), last.signature);
      if (result.config.dockerfile === null)
        stageSignatures.set(imageKey(result.config), userStageSignatures(result.stages));
      images.push(result);
    }
  }
  const wanted = new Set(names.map((name) => (name === "~" ? "" : name)));
  const selected = (
    names.length === 0 ? [...images] : images.filter((image) => wanted.has(imageKey(image.config)))
  ).sort((left, right) => left.order - right.order);
  return { config: options.config, images, selected, hasRemote: options.storages.remote !== undefined };
}
