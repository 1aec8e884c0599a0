import { randomBytes } from "node:crypto";
import type {
  BuilderEvent,
  BuildSecretReader,
  CallOptions,
  DependencyEnv,
  DockerInstructions,
  GitSource,
  GitUpdate,
  ImportSource,
  RegistryCredentialsProvider,
  StageBuilder,
  StageBuildRequest,
  StageDescriptor,
} from "@stages/core";
import {
  AbortedError,
  EngineError,
  emptyDockerInstructions,
  formatReference,
  localStageName,
  parseReference,
  repositoryOf,
  StageBuildError,
  StageMissingError,
  StagesError,
  stageBuilderSpecificationVersion,
  throwIfAborted,
  UsageError,
  withDefaultTag,
} from "@stages/core";
import { compilePathSelection } from "@stages/core/internal";
import type { LeftoverPolicy } from "./build-leftovers.js";
import { containerLabels, defaultLeftoverPolicy, sweepBuildLeftovers } from "./build-leftovers.js";
import { type OutputGuard, type PreparedMounts, prepareMounts } from "./build-mounts.js";
import type { DockerConnection } from "./connection.js";
import { engineOf } from "./connection.js";
import { ContainerStartError, EngineContainer } from "./container.js";
import { putEntries, putGitPlan, readAccounts } from "./container-files.js";
import { buildWholeDockerfile } from "./dockerfile-build.js";
import { buildDockerfileStep, ensureScratchImage } from "./dockerfile-step.js";
import type { EngineClient } from "./engine-client.js";
import { engineFailure } from "./engine-errors.js";
import { enginePlatform } from "./engine-platform.js";
import type { GitUpdatePlan } from "./git-plan.js";
import { normalizeTarget, planFullPut, planPatch } from "./git-plan.js";
import { stageCommitConfig } from "./image-config.js";
import { buildImageSpecStage } from "./image-spec-stage.js";
import type { RawImage } from "./images.js";
import { inspectRawImage, pullImageWith, removeImageWith, tagImageWith } from "./images.js";
import { rewriteImportEntries } from "./import-archive.js";
import { OutputTail } from "./output-tail.js";
import type { AccountDatabase } from "./ownership.js";
import { needsLookup, OwnershipError, resolveOwnership } from "./ownership.js";
import { registryAuthFor } from "./registry-auth.js";
import { removalCommands, shellQuote, stageScript } from "./shell-script.js";
import { getStage } from "./stages-storage.js";
import { readTar } from "./tar.js";
import type { EngineTransferPolicy } from "./transfer-retry.js";
import { defaultEngineTransferPolicy, isProgressMessage, retryEngineTransfer } from "./transfer-retry.js";

/** Options of `createDockerStageBuilder`. */
export interface DockerStageBuilderOptions {
  connection: DockerConnection;
  /** Where git mappings get their files from. */
  git: GitSource;
  /** Network mode of the build containers. Default: `none`. */
  network?: string;
  /** Credentials for pulling base images and resolving their digests. Anonymous without. */
  registryAuth?: RegistryCredentialsProvider;
  /** When what killed runs left is removed; see `defaultLeftoverPolicy`. */
  leftovers?: Partial<LeftoverPolicy>;
  /** Retries and deadlines of base image pulls; see `defaultEngineTransferPolicy`. */
  pullPolicy?: Partial<EngineTransferPolicy>;
  /** Reads the values of `secrets:` for shell stages; a build that needs one fails without it. */
  secrets?: BuildSecretReader;
  /** The project directory: a relative `mount: fromPath` is resolved against it. */
  projectDirectory?: string;
}

/** Lines of output a failed command's error shows. */
const failureTailLines = 20;
/** Above this size a script goes into a file instead of the `-c` argument (the kernel caps one argument at 128 KiB). */
const inlineScriptLimit = 96 * 1024;

/**
 * A StageBuilder on a Docker Engine (DESIGN §8): every stage is one container made from the base
 * stage image, given files (git, imports), running the commands with `/bin/sh -e -c`, committed
 * with the stage's labels and config, tagged `stages-storage/<project>:<signature>` only after
 * the commit succeeded, and removed whatever happens.
 */
export function createDockerStageBuilder(options: DockerStageBuilderOptions): StageBuilder {
  const client = engineOf(options.connection);
  const policy = { ...defaultLeftoverPolicy, ...options.leftovers };
  const swept = new Map<string, Promise<void>>();
  const context: BuildContext = {
    client,
    git: options.git,
    network: options.network ?? "none",
    secrets: options.secrets,
    projectDirectory: options.projectDirectory,
    registryAuth: options.registryAuth,
    pullPolicy: { ...defaultEngineTransferPolicy, ...options.pullPolicy },
    sweep(project) {
      let done = swept.get(project);
      if (!done) {
        done = sweepBuildLeftovers(client, project, policy).then(() => {});
        swept.set(project, done);
      }
      return done;
    },
  };
  return {
    specificationVersion: stageBuilderSpecificationVersion,
    build: (request) => buildStage(context, request),
    resolveBaseDigest: (reference, callOptions) => resolveBaseDigest(context, reference, callOptions),
  };
}

interface BuildContext {
  client: EngineClient;
  git: GitSource;
  network: string;
  secrets: BuildSecretReader | undefined;
  projectDirectory: string | undefined;
  registryAuth: RegistryCredentialsProvider | undefined;
  pullPolicy: EngineTransferPolicy;
  /** Removes what killed runs left of `project` (once per builder and project). */
  sweep(project: string): Promise<void>;
}

/** What a stage does inside its container, worked out before the container is made. */
interface StageWork {
  gitPlans: GitUpdatePlan[];
  imports: readonly ImportSource[];
  commands: readonly string[];
  docker: DockerInstructions | null;
}

async function buildStage(context: BuildContext, request: StageBuildRequest): Promise<StageDescriptor> {
  const { signal } = request;
  const subject = describeStage(request);
  try {
    throwIfAborted(signal);
    await context.sweep(request.project);
    const name = localStageName(request.project, request.signature);
    const imageId = await buildImage(context, request, subject);
    try {
      throwIfAborted(signal);
      // Not cancelled in flight: the tag is the one step that makes the stage exist, and a stage
      // that exists is complete (a re-run reuses it).
      await tagImageWith(context.client, imageId, name, undefined);
    } catch (error) {
      // The commit is not a stage until it is tagged; drop it.
      await removeImageWith(context.client, imageId, undefined).catch(() => {});
      throw error;
    }
    const stored = await getStage(context.client, request.project, request.signature, undefined);
    if (stored === null) {
      throw new EngineError(`[docker] ${name} was tagged but does not read back as the stage ${request.signature}`, {
        hint: "check that request.labels are the stage labels computed by @stages/core",
      });
    }
    return stored;
  } catch (error) {
    if (signal?.aborted && !AbortedError.isInstance(error)) {
      throw new AbortedError(`building ${subject} was cancelled`, { cause: signal.reason });
    }
    if (StagesError.isInstance(error)) throw error;
    throw engineFailure(`building ${subject} failed`, error);
  }
}

/** Builds the stage's image and returns its id, not yet tagged. */
async function buildImage(context: BuildContext, request: StageBuildRequest, subject: string): Promise<string> {
  const { instructions, signal } = request;
  if (
    (instructions.kind === "from" || instructions.kind === "dockerfileBuild") &&
    instructions.platforms !== undefined
  ) {
    await checkPlatform(context, instructions.platforms, subject, signal);
  }
  // A whole Dockerfile has no base stage: its FROM lines name what it builds on.
  if (instructions.kind === "dockerfileBuild") return buildWholeDockerfile(context, request, instructions, subject);
  const baseImage = await baseImageOf(context, request);
  const base = await inspectRawImage(context.client, baseImage, signal);
  if (base === null) {
    throw new StageMissingError(`[docker] cannot build ${subject}: its base image ${baseImage} is not in the engine`, {
      hint: "build (or pull) the stages before it first",
    });
  }
  if (instructions.kind === "imageSpec") {
    return buildImageSpecStage(context.client, request, instructions.spec, baseImage, subject);
  }
  if (instructions.kind === "dockerfile") {
    const namePrefix = containerPrefix("build", request);
    const engine = {
      client: context.client,
      git: context.git,
      network: context.network,
      secrets: context.secrets,
      ensureImage: (reference: string, forRequest: StageBuildRequest) =>
        ensureBaseImage(context, reference, null, forRequest),
    };
    return buildDockerfileStep(engine, { request, instructions, baseImage, base, namePrefix, subject });
  }
  const work = await planWork(context, request, signal);
  return runStageContainer(context, request, baseImage, base, work, subject);
}

/**
 * werf's `platform:`: stages builds for the engine's platform only (no emulation, no multi-platform
 * manifests yet), so another platform is an error naming both before anything is pulled.
 */
async function checkPlatform(
  context: BuildContext,
  platforms: readonly string[],
  subject: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const engine = await enginePlatform(context.client, signal);
  if (platforms.some((platform) => platformMatches(platform, engine))) return;
  throw new UsageError(
    `[docker] cannot build ${subject} for platform ${platforms.join(", ")}: the Docker Engine at ${context.client.endpoint} is ${engine}`,
    {
      hint: `building for another platform is not supported by stages yet; remove platform: or use ${engine}, or build on a ${platforms[0]} engine`,
    },
  );
}

/** Whether a platform of the config names the engine's (`linux/arm64` also matches the engine's `linux/arm64/v8`). */
export function platformMatches(wanted: string, engine: string): boolean {
  const [os, architecture, variant] = wanted.toLowerCase().split("/");
  const [engineOs, engineArchitecture, engineVariant] = engine.toLowerCase().split("/");
  // The engine reports no variant (its GOARCH only): any variant of its architecture is taken as its.
  const sameVariant = variant === undefined || engineVariant === undefined || variant === engineVariant;
  return os === engineOs && architecture === engineArchitecture && sameVariant;
}

/** The image the stage's container starts from. */
async function baseImageOf(context: BuildContext, request: StageBuildRequest): Promise<string> {
  const { instructions } = request;
  if (instructions.kind === "from") {
    if (instructions.base.type === "stage") return localStageName(request.project, instructions.base.signature);
    if (instructions.base.type === "scratch") return ensureScratchImage(context.client, request.signal);
    return ensureBaseImage(context, instructions.base.reference, instructions.base.digest, request);
  }
  if (request.base === null) {
    throw new UsageError(`[docker] stage ${request.stage} (${instructions.kind}) needs a base stage, got none`);
  }
  return localStageName(request.project, request.base);
}

/** Makes sure the base image is in the engine (pulling it with credentials if not); returns the name to use. */
async function ensureBaseImage(
  context: BuildContext,
  text: string,
  digest: string | null,
  request: StageBuildRequest,
): Promise<string> {
  const reference = parseReference(text);
  const wanted = digest !== null ? `${repositoryOf(reference)}@${digest}` : formatReference(withDefaultTag(reference));
  if ((await inspectRawImage(context.client, wanted, request.signal)) !== null) return wanted;
  const auth = await registryAuthFor(context.registryAuth, reference);
  request.onEvent?.({ type: "output", stream: "stderr", text: `pulling base image ${wanted}\n` });
  await retryEngineTransfer(`pull of ${wanted}`, reference.domain, context.pullPolicy, request.signal, (attempt) =>
    pullImageWith(
      context.client,
      wanted,
      auth,
      (progress) => request.onEvent?.({ type: "progress", progress }),
      attempt.signal,
      (message) => {
        if (isProgressMessage(message)) attempt.progressed();
      },
    ),
  );
  return wanted;
}

/** The registry digest of a base image, asked of the registry through the engine. */
async function resolveBaseDigest(context: BuildContext, text: string, callOptions?: CallOptions): Promise<string> {
  const reference = parseReference(text);
  if (reference.digest !== undefined) return reference.digest;
  const name = formatReference(withDefaultTag(reference));
  const authconfig = await registryAuthFor(context.registryAuth, reference);
  const signal = callOptions?.signal;
  try {
    const answer = (await context.client.call(signal, (docker) =>
      docker.getImage(name).distribution({ authconfig }),
    )) as { Descriptor?: { digest?: string } } | null;
    const digest = answer?.Descriptor?.digest;
    if (typeof digest !== "string") throw new EngineError(`[docker] the engine gave no digest for ${name}`);
    return digest;
  } catch (error) {
    throw engineFailure(`cannot resolve the registry digest of ${name}`, error);
  }
}

async function planWork(
  context: BuildContext,
  request: StageBuildRequest,
  signal: AbortSignal | undefined,
): Promise<StageWork> {
  const { instructions } = request;
  const work: StageWork = { gitPlans: [], imports: [], commands: [], docker: null };
  let updates: readonly GitUpdate[] = [];
  if (instructions.kind === "shell") {
    updates = instructions.gitUpdates;
    work.commands = instructions.commands;
  } else if (instructions.kind === "git") updates = instructions.gitUpdates;
  else if (instructions.kind === "imports") {
    work.imports = instructions.imports;
    // werf v2 dependencies: their values become env variables of this stage's image, so every
    // later stage's commands (and the image) see them, as werf sets them.
    if (instructions.dependencies.length > 0) work.docker = dependencyEnvInstructions(instructions.dependencies);
  } else if (instructions.kind === "docker") work.docker = instructions.instructions;
  for (const update of updates) work.gitPlans.push(await planGitUpdate(context, request, update, signal));
  return work;
}

/** Docker instructions that set the env variables of dependency values. */
function dependencyEnvInstructions(dependencies: readonly DependencyEnv[]): DockerInstructions {
  const ENV: Record<string, string> = {};
  for (const item of dependencies) {
    if (item.value === null) {
      throw new UsageError(`[docker] the ${item.type} of "${item.image}" for ${item.name} was not resolved`, {
        hint: "build through @stages/core's build procedure, which fills in dependency values",
      });
    }
    ENV[item.name] = item.value;
  }
  return { ...emptyDockerInstructions(), ENV };
}

async function planGitUpdate(
  context: BuildContext,
  request: StageBuildRequest,
  update: GitUpdate,
  signal: AbortSignal | undefined,
): Promise<GitUpdatePlan> {
  if (update.from === null) return planFullPut(update.mapping, update.content);
  const diff = await context.git.diff(update.mapping, update.from, update.content.contentId, { signal });
  if (diff !== null) return planPatch(update.mapping, update.content, diff);
  // The previous content is unknown on this host (its file list was computed elsewhere): put every
  // file, and remove nothing. Removing what the image has under `to` but the content lacks would
  // also remove what install/setup made there (node_modules, dist); a file deleted from git stays
  // until the mapping's content is next known here.
  request.onEvent?.({
    type: "output",
    stream: "stderr",
    text: `stages: the content ${update.from.slice(0, 12)} of ${update.mapping.id} is unknown on this host: putting every file, removing none\n`,
  });
  return planFullPut(update.mapping, update.content);
}

/** Runs the stage's container and commits it; returns the (untagged) image id. */
async function runStageContainer(
  context: BuildContext,
  request: StageBuildRequest,
  baseImage: string,
  base: RawImage,
  work: StageWork,
  subject: string,
): Promise<string> {
  const { signal } = request;
  const lines = [...work.gitPlans.flatMap((plan) => removalCommands(plan.removals)), ...work.commands];
  const script = stageScript(lines);
  const runs = lines.length > 0;
  const scriptFile = runs && Buffer.byteLength(script) > inlineScriptLimit ? `/.stages-script-${randomHex()}.sh` : null;
  const entrypoint = !runs
    ? ["/bin/sh"]
    : scriptFile === null
      ? ["/bin/sh", "-e", "-c", script]
      : ["/bin/sh", "-e", scriptFile];
  const prepared = runs ? await prepareStageMounts(context, request, baseImage) : null;
  let container: EngineContainer;
  try {
    container = await createStageContainer(baseImage);
  } catch (error) {
    await prepared?.release();
    throw error;
  }
  async function createStageContainer(image: string): Promise<EngineContainer> {
    return EngineContainer.create(
      context.client,
      {
        image,
        namePrefix: containerPrefix("build", request),
        labels: containerLabels(request.project),
        entrypoint,
        // Commands run as root, like werf's; the image's own USER comes back with the commit config.
        ...(runs && base.Config?.User ? { user: "0:0" } : {}),
        // The image's `network:` (werf) overrides the builder's for its commands.
        networkMode: (request.instructions.kind === "shell" ? request.instructions.network : null) ?? context.network,
        ...(prepared !== null ? { mounts: prepared.mounts, binds: prepared.binds } : {}),
      },
      signal,
    );
  }
  try {
    let accounts: AccountDatabase | null = null;
    const ownership = async (owner: string | null, group: string | null, what: string) => {
      if (needsLookup(owner) || needsLookup(group)) accounts ??= await readAccounts(container, signal);
      try {
        return resolveOwnership(owner, group, accounts ?? { users: new Map(), groups: new Map() });
      } catch (error) {
        if (error instanceof OwnershipError) {
          throw new StageBuildError(`[docker] ${subject}: ${what}: ${error.message}`, {
            hint: "create the user and group in an earlier stage (e.g. beforeInstall) or use numeric ids",
          });
        }
        throw error;
      }
    };
    for (const plan of work.gitPlans) {
      const owner = await ownership(plan.mapping.owner, plan.mapping.group, `git mapping ${plan.mapping.id}`);
      await putGitPlan(container, context.git, plan, { uid: owner.uid ?? 0, gid: owner.gid ?? 0 }, { signal });
    }
    for (const source of work.imports) {
      const owner = await ownership(source.spec.owner, source.spec.group, `import of ${source.spec.add}`);
      await copyImport(context, request, container, source, owner, subject);
    }
    if (scriptFile !== null) await putScriptFile(container, scriptFile, script, signal);
    if (runs) await runCommands(container, request, subject, prepared?.guard ?? null);
    throwIfAborted(signal);
    const config = stageCommitConfig(base.Config ?? null, request.labels, work.docker);
    return await container.commit(config, base.Author);
  } finally {
    try {
      await container.remove();
    } finally {
      await prepared?.release();
    }
  }
}

/** The mounts and secrets of a shell stage (`mount:`, `secrets:`), made on the engine; null when it has none. */
async function prepareStageMounts(
  context: BuildContext,
  request: StageBuildRequest,
  baseImage: string,
): Promise<PreparedMounts | null> {
  const { instructions } = request;
  if (instructions.kind !== "shell") return null;
  const mounts = instructions.mounts ?? [];
  const secrets = instructions.secrets ?? [];
  if (mounts.length === 0 && secrets.length === 0) return null;
  return prepareMounts({
    client: context.client,
    project: request.project,
    image: baseImage,
    mounts,
    secrets,
    projectDirectory: context.projectDirectory,
    reader: context.secrets,
    containerLabels: containerLabels(request.project),
    namePrefix: containerPrefix("secrets", request),
    signal: request.signal,
  });
}

async function runCommands(
  container: EngineContainer,
  request: StageBuildRequest,
  subject: string,
  guard: OutputGuard | null,
): Promise<void> {
  const tail = new OutputTail(failureTailLines);
  const emit = (event: BuilderEvent) => request.onEvent?.(event);
  const output = (stream: "stdout" | "stderr", text: string) => {
    if (text === "") return;
    tail.push(text);
    emit({ type: "output", stream, text });
  };
  let exitCode: number;
  try {
    try {
      exitCode = await container.run({
        signal: request.signal,
        onOutput: (stream, text) => output(stream, guard === null ? text : guard.push(stream, text)),
      });
    } finally {
      if (guard !== null) for (const stream of ["stdout", "stderr"] as const) output(stream, guard.flush(stream));
    }
  } catch (error) {
    if (error instanceof ContainerStartError) {
      throw new StageBuildError(`[docker] ${subject} failed: its container did not start: ${error.message}`, {
        cause: error,
        hint: "stages run commands with /bin/sh from the image; use a base image that has a shell",
      });
    }
    throw error;
  }
  if (exitCode !== 0) {
    const lines = tail.lines();
    const output = lines.length === 0 ? "  (no output)" : lines.map((line) => `  ${line}`).join("\n");
    throw new StageBuildError(
      `[docker] ${subject} failed: a command exited with code ${exitCode}; last ${lines.length} lines of output:\n${output}`,
      { hint: "fix the command in stages.yaml and build again; the stages before it are kept" },
    );
  }
}

async function putScriptFile(
  container: EngineContainer,
  path: string,
  script: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  // The script removes itself first, so it never lands in the image.
  const body = Buffer.from(`rm -f ${shellQuote(path)}\n${script}\n`, "utf8");
  const entries = (async function* () {
    yield { header: { name: path.slice(1), type: "file" as const, mode: 0o700, size: body.length }, body };
  })();
  await putEntries(container, entries, signal);
}

/** Copies one import out of its source stage into the stage's container. */
async function copyImport(
  context: BuildContext,
  request: StageBuildRequest,
  target: EngineContainer,
  source: ImportSource,
  owner: { uid: number | null; gid: number | null },
  subject: string,
): Promise<void> {
  const { signal } = request;
  const { spec } = source;
  const what =
    source.external !== null
      ? `the image ${source.external.reference}`
      : `the ${spec.stage === null ? "last" : spec.stage} stage of "${spec.from}"`;
  let sourceImage: string;
  if (source.external !== null) {
    // Pinned at the digest the signature holds: the files are those of that very image.
    sourceImage = await ensureBaseImage(context, source.external.reference, source.external.digest, request);
  } else {
    if (source.source === null) throw new UsageError(`[docker] the import of ${spec.add} names no source stage`);
    sourceImage = localStageName(request.project, source.source);
    if ((await inspectRawImage(context.client, sourceImage, signal)) === null) {
      throw new StageMissingError(`[docker] cannot build ${subject}: ${what} (${sourceImage}) is not in the engine`, {
        hint: `build "${spec.from}" first`,
      });
    }
  }
  const container = await EngineContainer.create(
    context.client,
    {
      image: sourceImage,
      namePrefix: containerPrefix("import", request),
      labels: containerLabels(request.project),
      entrypoint: ["/bin/sh"],
      networkMode: "none",
    },
    signal,
  );
  try {
    const archive = await container.getArchive(spec.add, signal);
    if (archive === null) {
      throw new StageBuildError(`[docker] ${subject}: "${spec.add}" does not exist in ${what}`, {
        hint: `check import.add of "${spec.from}" in stages.yaml`,
      });
    }
    const to = normalizeTarget(spec.to);
    const writeRoot = to !== "/" && !(await target.pathExists(to, signal));
    const entries = rewriteImportEntries(readTar(archive), {
      to,
      selection: compilePathSelection(spec.includePaths, spec.excludePaths),
      uid: owner.uid,
      gid: owner.gid,
      writeRoot,
    });
    await putEntries(target, entries, signal);
  } finally {
    await container.remove();
  }
}

/** `stages-<role>-<first 12 of the signature>`: lets users (and tests) find a stage's containers. */
function containerPrefix(role: "build" | "import" | "probe" | "secrets", request: StageBuildRequest): string {
  return `stages-${role}-${request.signature.slice(0, 12)}`;
}

function describeStage(request: StageBuildRequest): string {
  return `stage ${request.stage} of image ${request.image ?? "~"} (${request.signature.slice(0, 12)})`;
}

function randomHex(): string {
  return randomBytes(6).toString("hex");
}
