import type { MappingContent } from "./adapters/git-source.js";
import type { DependencyEnv, GitUpdate, ImportSource, StageInstructions } from "./adapters/stage-builder.js";
import type { JsonValue } from "./canonical-json.js";
import type {
  DependencyImportType,
  DependencySpec,
  DockerInstructions,
  GitMapping,
  ImageConfig,
  ImageSpecConfig,
  ImportPoint,
  ImportSpec,
  UserStageName,
} from "./config/model.js";
import { redactUrl } from "./config/parse-git.js";
import { stageTag } from "./naming.js";
import { formatReference, parseReference, withDefaultTag } from "./reference.js";
import type { ContentId, Signature } from "./signature-type.js";
import type { StageName } from "./stage-name.js";

/** Facts from outside the config that an image's stage inputs need. */
export interface ConveyorFacts {
  /** Registry digest of the base image, when `fromLatest`. */
  baseDigest: string | null;
  /** Last-stage signature of each image this one depends on (key: image name). */
  imageSignatures: ReadonlyMap<string, Signature>;
  /** Current content of each git mapping of the image (key: mapping id). */
  contents: ReadonlyMap<string, MappingContent>;
  /** Checksum of the stageDependencies of each mapping, per user stage (key: mapping id). */
  dependencyChecksums: ReadonlyMap<string, Partial<Record<UserStageName, string>>>;
  /**
   * For `import.stage`: per image this one imports from, the signature of the last stage of its
   * conveyor up to each user stage (key: image name).
   */
  stageSignatures?: ReadonlyMap<string, Partial<Record<UserStageName, Signature>>>;
  /** Registry digests of the external images imported from (key: normalized reference). */
  externalDigests?: ReadonlyMap<string, string>;
  /**
   * Where the stages of dependency images are named (werf v2 `dependencies`): REPO when the run has
   * one (`REPO:image-stage-<sig>`), else the local stages storage (`stages-storage/<project>:<sig>`).
   */
  stageRepository?: { repository: string; remote: boolean };
}

/** How a stage changes the git content its image carries. */
export type StageGitEffect = "none" | "archive" | "patch" | "user";

/** Git content carried by a stage: mapping id → content id. */
export type Carried = Readonly<Record<string, ContentId>>;

/** One non-empty stage of a conveyor before its signature is known. */
export interface StageTemplate {
  name: StageName;
  deps: { [key: string]: JsonValue };
  git: StageGitEffect;
  /** What the stage is in the user's words, when its name does not say (a Dockerfile instruction and its line). */
  detail?: string;
  /** What the builder does, given the content the previous stage carries. */
  instructions(carried: Carried | null): StageInstructions;
}

const importPointOf: Partial<Record<StageName, ImportPoint>> = {
  importsBeforeInstall: "beforeInstall",
  importsAfterInstall: "afterInstall",
  importsBeforeSetup: "beforeSetup",
  importsAfterSetup: "afterSetup",
};

function mappingParameters(mapping: GitMapping): JsonValue {
  return {
    add: mapping.add,
    to: mapping.to,
    includePaths: mapping.includePaths,
    excludePaths: mapping.excludePaths,
    owner: mapping.owner,
    group: mapping.group,
    // A remote mapping's repository and revision are parameters, as in werf's git mapping paramshash
    // (a new commit of its branch only patches); a work tree mapping keeps the deps it always had.
    ...(mapping.remote !== undefined
      ? // A password in the url is a credential, not part of the repository's identity.
        { url: redactUrl(mapping.remote.url), revision: mapping.remote.revision as JsonValue }
      : {}),
  };
}

function importParameters(item: ImportSource): JsonValue {
  const { spec } = item;
  // An import of a last stage keeps the deps it always had, so its signatures stay as they were.
  const from: { [key: string]: JsonValue } =
    item.external !== null
      ? { external: item.external.reference, digest: item.external.digest }
      : spec.stage !== null
        ? { source: item.source, stage: spec.stage }
        : { source: item.source };
  return {
    ...from,
    add: spec.add,
    to: spec.to,
    includePaths: spec.includePaths,
    excludePaths: spec.excludePaths,
    owner: spec.owner,
    group: spec.group,
  };
}

/** Where an import's files come from: a stage of an image of the config, or an external image. */
function importSourceOf(image: ImageConfig, spec: ImportSpec, facts: ConveyorFacts): ImportSource {
  if (spec.external) {
    const reference = normalizeBaseReference(spec.from);
    const digest = parseReference(spec.from).digest ?? facts.externalDigests?.get(reference);
    if (digest === undefined)
      throw new Error(`the registry digest of "${reference}" must be resolved before "${image.name}"`);
    return { spec, source: null, external: { reference, digest } };
  }
  const source =
    spec.stage === null ? facts.imageSignatures.get(spec.from) : facts.stageSignatures?.get(spec.from)?.[spec.stage];
  if (!source) {
    const what = spec.stage === null ? "the last stage" : `the ${spec.stage} stage`;
    throw new Error(`${what} of "${spec.from}" must be resolved before "${image.name}"`);
  }
  return { spec, source, external: null };
}

/**
 * The env variables a dependency (werf v2) sets, and what of it enters the signature: the
 * dependency's last-stage signature and, per variable, its type and the value when it is known now
 * (ImageName, ImageRepo, ImageTag name the stage in REPO or in the local storage, as werf's name
 * the stage in its stages storage; ImageID and ImageDigest follow from the stage itself).
 */
function dependencyEnvs(
  image: ImageConfig,
  dependency: DependencySpec,
  facts: ConveyorFacts,
): { deps: JsonValue; envs: DependencyEnv[] } {
  const source = facts.imageSignatures.get(dependency.image);
  if (!source) throw new Error(`the last stage of "${dependency.image}" must be resolved before "${image.name}"`);
  const naming = facts.stageRepository;
  const known = (type: DependencyImportType): string | null => {
    if (naming === undefined) return null;
    const repository = naming.repository;
    const tag = naming.remote ? stageTag(source) : source;
    if (type === "ImageName") return `${repository}:${tag}`;
    if (type === "ImageRepo") return repository;
    if (type === "ImageTag") return tag;
    return null;
  };
  const envs: DependencyEnv[] = dependency.imports.map((item) => ({
    name: item.targetEnv ?? "",
    type: item.type,
    image: dependency.image,
    source,
    value: known(item.type),
  }));
  const env: { [key: string]: JsonValue } = {};
  for (const item of envs)
    env[item.name] = item.value === null ? { type: item.type } : { type: item.type, value: item.value };
  return { deps: { image: dependency.image, source, env }, envs };
}

/** Normalized full form of a `from:` reference (`docker.io/library/alpine:latest`). */
export function normalizeBaseReference(reference: string): string {
  return formatReference(withDefaultTag(parseReference(reference)));
}

/** The git content the facts say each mapping has now. */
export function currentContent(image: ImageConfig, facts: ConveyorFacts): Record<string, ContentId> {
  const current: Record<string, ContentId> = {};
  for (const mapping of image.git) {
    const content = facts.contents.get(mapping.id);
    if (!content) throw new Error(`no git content was resolved for mapping ${mapping.id}`);
    current[mapping.id] = content.contentId;
  }
  return current;
}

/** Git updates that bring every mapping from `carried` to its current content (none when equal). */
export function gitUpdatesFrom(image: ImageConfig, facts: ConveyorFacts, carried: Carried | null): GitUpdate[] {
  const updates: GitUpdate[] = [];
  for (const mapping of image.git) {
    const content = facts.contents.get(mapping.id);
    if (!content) throw new Error(`no git content was resolved for mapping ${mapping.id}`);
    const from = carried?.[mapping.id] ?? null;
    if (from !== content.contentId) updates.push({ mapping, content, from });
  }
  return updates;
}

function dockerDeps(docker: DockerInstructions): { [key: string]: JsonValue } | null {
  const deps: { [key: string]: JsonValue } = {};
  if (Object.keys(docker.ENV).length > 0) deps.ENV = docker.ENV;
  if (Object.keys(docker.LABEL).length > 0) deps.LABEL = docker.LABEL;
  if (docker.EXPOSE.length > 0) deps.EXPOSE = docker.EXPOSE;
  if (docker.VOLUME.length > 0) deps.VOLUME = docker.VOLUME;
  if (docker.WORKDIR !== null) deps.WORKDIR = docker.WORKDIR;
  if (docker.USER !== null) deps.USER = docker.USER;
  if (docker.CMD !== null) deps.CMD = docker.CMD;
  if (docker.ENTRYPOINT !== null) deps.ENTRYPOINT = docker.ENTRYPOINT;
  if (docker.HEALTHCHECK !== null) deps.HEALTHCHECK = docker.HEALTHCHECK;
  // In the signature only with other instructions, as werf's digest holds it ("exact-values:::").
  if (docker.exactValues === true && Object.keys(deps).length > 0) deps.exactValues = true;
  return Object.keys(deps).length > 0 ? deps : null;
}

/**
 * The non-empty stages of an image's conveyor in order (DESIGN §4), with their inputs.
 * `gitLatestPatch` is listed whenever the image has git mappings: whether it is empty depends on
 * what the chain carries, which only the resolution against storages knows.
 */
export function planConveyor(image: ImageConfig, facts: ConveyorFacts): StageTemplate[] {
  const templates: StageTemplate[] = [];
  const hasGit = image.git.length > 0;
  let gitArchived = false;

  // 1. from
  if (image.base.kind === "image") {
    const reference = normalizeBaseReference(image.base.reference);
    const digest = image.fromLatest ? facts.baseDigest : null;
    const deps: { [key: string]: JsonValue } = { base: reference };
    if (digest !== null) deps.digest = digest;
    if (image.fromCacheVersion !== null) deps.fromCacheVersion = image.fromCacheVersion;
    addImageWideDeps(deps, image);
    templates.push({
      name: "from",
      deps,
      git: "none",
      instructions: () => ({ kind: "from", base: { type: "image", reference, digest }, ...platformsOf(image) }),
    });
  } else if (image.base.kind === "dockerfile") {
    throw new Error(`image "${image.name}" is a Dockerfile image: plan it with planDockerfileConveyor`);
  } else {
    const source = facts.imageSignatures.get(image.base.name);
    if (!source) throw new Error(`the last stage of "${image.base.name}" must be resolved before "${image.name}"`);
    const deps: { [key: string]: JsonValue } = {
      [image.base.kind === "artifact" ? "fromArtifact" : "fromImage"]: source,
    };
    if (image.fromCacheVersion !== null) deps.fromCacheVersion = image.fromCacheVersion;
    addImageWideDeps(deps, image);
    templates.push({
      name: "from",
      deps,
      git: "none",
      instructions: () => ({ kind: "from", base: { type: "stage", signature: source }, ...platformsOf(image) }),
    });
  }

  const userStage = (name: UserStageName) => {
    const commands = image.shell[name];
    if (commands.length === 0) return;
    const deps: { [key: string]: JsonValue } = { commands };
    if (image.shell.cacheVersion !== null) deps.cacheVersion = image.shell.cacheVersion;
    const stageCacheVersion = image.shell[`${name}CacheVersion`];
    if (stageCacheVersion !== null) deps[`${name}CacheVersion`] = stageCacheVersion;
    const checksums: { [key: string]: JsonValue } = {};
    for (const mapping of image.git) {
      const checksum = facts.dependencyChecksums.get(mapping.id)?.[name];
      if (mapping.stageDependencies[name].length > 0 && checksum !== undefined) checksums[mapping.id] = checksum;
    }
    if (Object.keys(checksums).length > 0) deps.stageDependencies = checksums;
    addBuildTimeDeps(deps, image);
    const bringsGitUpToDate = hasGit && gitArchived;
    templates.push({
      name,
      deps,
      git: bringsGitUpToDate ? "user" : "none",
      instructions: (carried) => ({
        kind: "shell",
        commands,
        gitUpdates: bringsGitUpToDate ? gitUpdatesFrom(image, facts, carried) : [],
        ...(image.mounts.length > 0 ? { mounts: image.mounts } : {}),
        ...(image.secrets.length > 0 ? { secrets: image.secrets } : {}),
        ...(image.network !== null ? { network: image.network } : {}),
      }),
    });
  };

  const importsStage = (name: StageName) => {
    const point = importPointOf[name];
    const specs = image.imports.filter((spec) => spec.point === point);
    const sources: ImportSource[] = specs.map((spec) => importSourceOf(image, spec, facts));
    const dependencies = image.dependencies
      .filter((dependency) => dependency.point === point)
      .map((dependency) => dependencyEnvs(image, dependency, facts));
    if (sources.length === 0 && dependencies.length === 0) return;
    const deps: { [key: string]: JsonValue } = {};
    // Without dependencies the deps are what they always were, so are the signatures.
    if (sources.length > 0) deps.imports = sources.map(importParameters);
    if (dependencies.length > 0) deps.dependencies = dependencies.map((dependency) => dependency.deps);
    const envs = dependencies.flatMap((dependency) => dependency.envs);
    templates.push({
      name,
      deps,
      git: "none",
      instructions: () => ({ kind: "imports", imports: sources, dependencies: envs }),
    });
  };

  userStage("beforeInstall");
  importsStage("importsBeforeInstall");
  if (hasGit) {
    templates.push({
      name: "gitArchive",
      deps: { mappings: image.git.map((mapping) => ({ id: mapping.id, ...(mappingParameters(mapping) as object) })) },
      git: "archive",
      instructions: () => ({ kind: "git", gitUpdates: gitUpdatesFrom(image, facts, null) }),
    });
    gitArchived = true;
  }
  userStage("install");
  importsStage("importsAfterInstall");
  userStage("beforeSetup");
  importsStage("importsBeforeSetup");
  userStage("setup");
  importsStage("importsAfterSetup");
  // werf's disableGitAfterPatch: the image keeps the git content gitArchive (or a user stage) put.
  if (hasGit && !image.disableGitAfterPatch) {
    templates.push({
      name: "gitLatestPatch",
      deps: { contents: currentContent(image, facts) },
      git: "patch",
      instructions: (carried) => ({ kind: "git", gitUpdates: gitUpdatesFrom(image, facts, carried) }),
    });
  }
  const docker = dockerDeps(image.docker);
  if (docker !== null) {
    templates.push({
      name: "dockerInstructions",
      deps: docker,
      git: "none",
      instructions: () => ({ kind: "docker", instructions: image.docker }),
    });
  }
  if (image.imageSpec !== null) {
    const spec = image.imageSpec;
    templates.push({
      name: "imageSpec",
      deps: imageSpecDeps(spec),
      git: "none",
      instructions: () => ({ kind: "imageSpec", spec }),
    });
  }
  return templates;
}

/**
 * Image-wide inputs, in the `from` stage so that every later stage follows them (werf puts the
 * image's cacheVersion into its from stage's digest). Absent when unset: signatures stay as before.
 */
function addImageWideDeps(deps: { [key: string]: JsonValue }, image: ImageConfig): void {
  if (image.cacheVersion !== null) deps.cacheVersion = image.cacheVersion;
  if (image.platform.length > 0) deps.platform = [...image.platform].sort();
}

function platformsOf(image: ImageConfig): { platforms?: readonly string[] } {
  return image.platform.length > 0 ? { platforms: image.platform } : {};
}

/** Every field of an imageSpec but its position, as werf's imageSpec stage digest takes them all. */
export function imageSpecDeps(spec: ImageSpecConfig): { [key: string]: JsonValue } {
  const { position: _position, healthcheck, ...rest } = spec;
  const deps = structuredClone(rest) as unknown as { [key: string]: JsonValue };
  deps.healthcheck = healthcheck === null ? null : ({ ...healthcheck } as unknown as JsonValue);
  return deps;
}

/**
 * `mount:` and `secrets:` in a user stage's inputs: what is mounted where and the ids of the
 * secrets, so that adding one rebuilds; never what a mount holds or a secret's value (a new token
 * rebuilds nothing). Sorted: declaration order changes nothing. werf puts its mounts into the
 * `from` stage instead; here they go where the commands that use them run.
 */
function addBuildTimeDeps(deps: { [key: string]: JsonValue }, image: ImageConfig): void {
  if (image.mounts.length > 0) {
    deps.mounts = [...image.mounts]
      .sort((left, right) => (left.to < right.to ? -1 : left.to > right.to ? 1 : 0))
      .map((mount) =>
        mount.fromPath === null ? { from: mount.from, to: mount.to } : { fromPath: mount.fromPath, to: mount.to },
      );
  }
  if (image.secrets.length > 0) deps.secrets = image.secrets.map((secret) => secret.id).sort();
}

/** The content a stage carries after it was built on top of `before`. */
export function carriedAfterBuild(
  template: StageTemplate,
  image: ImageConfig,
  facts: ConveyorFacts,
  before: Carried | null,
): Carried | null {
  return template.git === "none" ? before : currentContent(image, facts);
}

/** Whether the chain already carries the current content of every mapping. */
export function carriesCurrent(image: ImageConfig, facts: ConveyorFacts, carried: Carried | null): boolean {
  return gitUpdatesFrom(image, facts, carried).length === 0;
}
