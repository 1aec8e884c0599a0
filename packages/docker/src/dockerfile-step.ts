import { posix } from "node:path";
import type {
  BuilderEvent,
  BuildSecretReader,
  DockerfileMount,
  DockerfileStep,
  GitSource,
  StageBuildRequest,
  StageInstructions,
  StagesError,
} from "@stages/core";
import { localStageName, StageBuildError, throwIfAborted, UsageError } from "@stages/core";
import { completeStep } from "@stages/core/internal";
import { containerLabels } from "./build-leftovers.js";
import type { EngineMount, OutputGuard } from "./build-mounts.js";
import { ContainerStartError, EngineContainer } from "./container.js";
import { putEntries, readAccounts } from "./container-files.js";
import { EngineBuildFailure, runEngineBuild } from "./dockerfile-build.js";
import { copyStep } from "./dockerfile-copy.js";
import {
  cacheAndTmpfsMounts,
  missingPaths,
  prepareRunSecrets,
  stubRemoval,
  withPrologue,
} from "./dockerfile-secrets.js";
import type { EngineClient } from "./engine-client.js";
import { engineFailure } from "./engine-errors.js";
import type { ContainerConfig } from "./image-config.js";
import { envMap, resolveWorkdir, stageCommitConfig, withoutStageLabels, withShell } from "./image-config.js";
import type { RawImage } from "./images.js";
import { followProgress, inspectRawImage, removeImageWith } from "./images.js";
import { OutputTail } from "./output-tail.js";
import type { AccountDatabase } from "./ownership.js";
import { createTarStream } from "./tar.js";

/** What the builder lends a Dockerfile step. */
export interface StepEngine {
  client: EngineClient;
  /** Reads the values of the secrets a RUN mounts; a step that needs one fails without it. */
  secrets?: BuildSecretReader | undefined;
  git: GitSource;
  /** The builder's network mode (a step's `--network` wins). */
  network: string;
  /** Makes sure an external image is in the engine (pulled with credentials when not); returns the name to use. */
  ensureImage(reference: string, request: StageBuildRequest): Promise<string>;
}

/** One Dockerfile step to build on a base stage image. */
export interface StepJob {
  request: StageBuildRequest;
  instructions: Extract<StageInstructions, { kind: "dockerfile" }>;
  /** The base stage image's name and inspection. */
  baseImage: string;
  base: RawImage;
  /** Prefix of the names of the containers the step makes. */
  namePrefix: string;
  /** How messages name the stage. */
  subject: string;
}

type RunStep = Extract<DockerfileStep, { op: "run" }>;
type ConfigStep = Extract<DockerfileStep, { op: "config" }>;
type CopyStep = Extract<DockerfileStep, { op: "copy" }>;

/** Lines of output a failed RUN's error shows. */
const failureTailLines = 20;

/**
 * Builds one step of a staged Dockerfile (DESIGN §12) and returns the committed, untagged image id:
 * a RUN in a container from the base stage, a metadata instruction as a commit of the base with the
 * config changed, COPY/ADD through `copyStep`. A late step is first completed against the base's ENV.
 */
export async function buildDockerfileStep(engine: StepEngine, job: StepJob): Promise<string> {
  const config = job.base.Config ?? {};
  const imageEnv = envMap(config.Env);
  const step = job.instructions.step.late
    ? completeStep(job.instructions.step, (name) => imageEnv.get(name), job.instructions.escape)
    : job.instructions.step;
  switch (step.op) {
    case "run":
      return runStep(engine, job, step);
    case "config":
      return configStep(engine, job, step);
    case "copy":
      return copyIntoStage(engine, job, step);
  }
}

/** COPY/ADD: the files put into a created container of the base (dockerfile-copy), then committed. */
async function copyIntoStage(engine: StepEngine, job: StepJob, step: CopyStep): Promise<string> {
  const config = job.base.Config ?? {};
  const { request } = job;
  const fromImage = await copySourceImage(engine, job, step);
  const container = await EngineContainer.create(
    engine.client,
    {
      image: job.baseImage,
      namePrefix: job.namePrefix,
      labels: containerLabels(request.project),
      entrypoint: ["/bin/sh"],
      networkMode: "none",
    },
    request.signal,
  );
  try {
    await copyStep({
      client: engine.client,
      container,
      step,
      workingDir: config.WorkingDir ?? "",
      context: job.instructions.context,
      git: engine.git,
      fromImage,
      sourceContainer: {
        namePrefix: job.namePrefix.replace("stages-build-", "stages-import-"),
        labels: containerLabels(request.project),
      },
      subject: job.subject,
      onWarning: (text) => request.onEvent?.({ type: "output", stream: "stderr", text: `${text}\n` }),
      signal: request.signal,
    });
    throwIfAborted(request.signal);
    return await container.commit(stageCommitConfig(config, request.labels, null), job.base.Author);
  } finally {
    await container.remove();
  }
}

/** The image `COPY --from` reads: the local stage core names, or an external image (pulled when missing). */
async function copySourceImage(engine: StepEngine, job: StepJob, step: CopyStep): Promise<string | null> {
  const { from } = step;
  if (from.type === "context") return null;
  if (from.type === "image") return engine.ensureImage(from.reference, job.request);
  if (from.type === "scratch") return ensureScratchImage(engine.client, job.request.signal);
  if (job.instructions.copyFrom === null) {
    throw new UsageError(`[docker] ${job.subject}: COPY --from at ${where(step)} came without its source stage`, {
      hint: "this is a bug of stages: core must pass copyFrom for --from a build stage or image of the config",
    });
  }
  return localStageName(job.request.project, job.instructions.copyFrom);
}

/** `file:line` of a step, for messages. */
function where(step: DockerfileStep): string {
  return `${step.location.file}:${step.location.line}`;
}

/**
 * The argv of a RUN, as BuildKit runs it: the exec form as is; the shell form with the SHELL in
 * effect (else the image's Shell, else `/bin/sh -c`); a command that is only one here-document runs
 * the document as the script (one starting with `#!` by its interpreter); other here-documents are
 * written back after the command line for the shell to read, as BuildKit does.
 */
export function runCommandOf(step: RunStep, config: ContainerConfig): string[] {
  if (!step.shellForm) return [...step.command];
  const line = step.command[0] ?? "";
  if (step.heredocs.length === 0) return withShell(config, step.shell, line);
  const [first] = step.heredocs;
  if (step.heredocs.length === 1 && first !== undefined && isOnlyHeredoc(line, first.name)) {
    if (first.content.startsWith("#!")) return shebangCommand(first.content, first.name, step);
    return withShell(config, step.shell, first.content);
  }
  return withShell(config, step.shell, [line, ...step.heredocs.map((doc) => `${doc.content}${doc.name}`)].join("\n"));
}

/** `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<-'EOF'`: the command line is nothing but the document. */
function isOnlyHeredoc(line: string, name: string): boolean {
  const match = /^<<-?\s*(["']?)([^"'\s]+)\1$/.exec(line.trim());
  return match !== null && match[2] === name;
}

/** Shells: `-c` takes the program, and the word after it becomes `$0`. */
const shells = /^(sh|bash|ash|dash|zsh|ksh|mksh)$/;
/** Other interpreters that take a program text after an option. */
const inlineInterpreters = /^(python[0-9.]*|perl|ruby)$/;

/**
 * A script with a `#!` line. BuildKit mounts it as `/dev/pipes/<name>` and executes it; a container
 * here has nowhere to put a file that stays out of the committed layer, so the interpreter gets the
 * text inline (`-c`/`-e`), which gives the same result for the interpreters listed (a shell also
 * gets BuildKit's path as `$0`).
 */
function shebangCommand(content: string, name: string, step: RunStep): string[] {
  const end = content.indexOf("\n");
  const firstLine = content.slice(2, end === -1 ? undefined : end).trim();
  const words = firstLine.split(/\s+/).filter((word) => word !== "");
  const interpreter = words[0] ?? "";
  const viaEnv = posix.basename(interpreter) === "env" && words.length > 1;
  const program = posix.basename(viaEnv ? (words[1] as string) : interpreter);
  if (shells.test(program)) return [...words, "-c", content, `/dev/pipes/${name}`];
  if (inlineInterpreters.test(program)) return [...words, /^(perl|ruby)$/.test(program) ? "-e" : "-c", content];
  throw new UsageError(
    `[docker] ${where(step)}: a RUN here-document run by "${firstLine}" is not supported by stages yet`,
    { hint: "start the script with a shell, python, perl or ruby #! line, or pipe it: RUN <<EOF <interpreter>" },
  );
}

/** The ARGs a RUN puts into its environment: those the image's ENV does not define (ENV wins, as in BuildKit). */
export function argsForEnv(
  args: readonly [string, string][],
  env: readonly string[] | null | undefined,
): [string, string][] {
  const defined = envMap(env);
  const result = new Map<string, string>();
  for (const [name, value] of args) if (!defined.has(name)) result.set(name, value);
  return [...result];
}

async function runStep(engine: StepEngine, job: StepJob, step: RunStep): Promise<string> {
  const config = job.base.Config ?? {};
  const argv = runCommandOf(step, config);
  const network = step.network ?? engine.network;
  const args = argsForEnv(step.args, config.Env);
  if (step.mounts !== undefined && step.mounts.length > 0) {
    const made = await runWithMounts(engine, job, step, argv, args, network, step.mounts);
    if (made !== null) return made;
  }
  // An env the container is created with would stay in the image: the engine's commit merges the
  // container's env into the image config. ARGs must not; the engine's builder runs those steps.
  if (args.length > 0) return runWithEngineBuilder(engine, job, step, argv, args, network);
  return runInContainer(engine, job, step, argv, network, null, null);
}

/**
 * A RUN with `--mount`s (secret, cache, tmpfs) in a container that has them; null when none is left
 * (every secret it names is missing and optional): it then runs as a RUN without mounts. The
 * classic builder has no mounts, so ARGs come through the prologue, as the secrets' variables do.
 */
async function runWithMounts(
  engine: StepEngine,
  job: StepJob,
  step: RunStep,
  argv: string[],
  args: [string, string][],
  network: string,
  mounts: readonly DockerfileMount[],
): Promise<string | null> {
  const config = job.base.Config ?? {};
  const workingDir = config.WorkingDir ?? "";
  const others = mounts.filter((mount) => mount.type !== "secret");
  const secrets = await prepareRunSecrets({
    client: engine.client,
    image: job.baseImage,
    mounts: mounts.filter((mount) => mount.type === "secret"),
    secrets: job.instructions.secrets ?? [],
    reader: engine.secrets,
    workingDir,
    containerLabels: containerLabels(job.request.project),
    namePrefix: job.namePrefix.replace("stages-build-", "stages-secrets-"),
    signal: job.request.signal,
  });
  if (secrets === null && others.length === 0) return null;
  try {
    const extra = await cacheAndTmpfsMounts(engine.client, job.request.project, others, workingDir, job.request.signal);
    const env = secrets?.env ?? [];
    const command = args.length > 0 || env.length > 0 ? withPrologue(argv, args, env) : argv;
    const stubs = await stubsOf(engine, job, [...(secrets?.targets ?? []), ...extra.targets]);
    const engineMounts = { mounts: [...(secrets?.mounts ?? []), ...extra.mounts], binds: secrets?.binds ?? [] };
    const image = await runInContainer(engine, job, step, command, network, engineMounts, secrets?.guard ?? null);
    return stubs.length === 0 ? image : await removeStubs(engine, job, step, image, stubs);
  } finally {
    await secrets?.release();
  }
}

/** The paths the engine will make in the layer to bind the secrets' targets (none exist in the base). */
async function stubsOf(engine: StepEngine, job: StepJob, targets: readonly string[]): Promise<string[]> {
  if (targets.length === 0) return [];
  const holder = await holdingContainer(engine, job);
  try {
    return await missingPaths(targets, (path) => holder.pathExists(path, job.request.signal));
  } finally {
    await holder.remove();
  }
}

/**
 * The RUN's image without the mount stubs the engine made for its secrets (empty files and
 * directories, as BuildKit leaves none): removed in a container of it, committed on top. An image
 * without /bin/sh keeps them, said in the output.
 */
async function removeStubs(
  engine: StepEngine,
  job: StepJob,
  step: RunStep,
  image: string,
  stubs: readonly string[],
): Promise<string> {
  const config = job.base.Config ?? {};
  const container = await EngineContainer.create(
    engine.client,
    {
      image,
      namePrefix: job.namePrefix,
      labels: containerLabels(job.request.project),
      entrypoint: stubRemoval(stubs),
      networkMode: "none",
    },
    job.request.signal,
  );
  try {
    let exitCode: number | null = null;
    try {
      exitCode = await container.run({ signal: job.request.signal, onOutput: () => {} });
    } catch (error) {
      if (!(error instanceof ContainerStartError)) throw error;
    }
    throwIfAborted(job.request.signal);
    if (exitCode !== 0) {
      job.request.onEvent?.({
        type: "output",
        stream: "stderr",
        text: `${where(step)}: the empty mount points of the secrets (${stubs.join(", ")}) stay in the image: it has no /bin/sh to remove them\n`,
      });
      return image;
    }
    return await container.commit(stageCommitConfig(config, job.request.labels, null), job.base.Author);
  } finally {
    await container.remove();
  }
}

/** A RUN in a container of the base stage (with the secrets it mounts), committed. */
async function runInContainer(
  engine: StepEngine,
  job: StepJob,
  step: RunStep,
  argv: string[],
  network: string,
  mounts: { mounts: EngineMount[]; binds: string[] } | null,
  guard: OutputGuard | null,
): Promise<string> {
  const config = job.base.Config ?? {};
  const container = await EngineContainer.create(
    engine.client,
    {
      image: job.baseImage,
      namePrefix: job.namePrefix,
      labels: containerLabels(job.request.project),
      entrypoint: argv,
      networkMode: network,
      extraHosts: [...job.instructions.addHost],
      // BuildKit's: a command that records the host name gives the same file, not a container id.
      hostname: "buildkitsandbox",
      ...(mounts === null ? {} : mounts),
    },
    job.request.signal,
  );
  try {
    await runContainer(container, job, step, guard);
    throwIfAborted(job.request.signal);
    return await container.commit(stageCommitConfig(config, job.request.labels, null), job.base.Author);
  } finally {
    await container.remove();
  }
}

async function runContainer(
  container: EngineContainer,
  job: StepJob,
  step: RunStep,
  guard: OutputGuard | null,
): Promise<void> {
  const tail = new OutputTail(failureTailLines);
  const emit = (event: BuilderEvent) => job.request.onEvent?.(event);
  const show = (stream: "stdout" | "stderr", text: string) => {
    if (text === "") return;
    tail.push(text);
    emit({ type: "output", stream, text });
  };
  let exitCode: number;
  try {
    exitCode = await container.run({
      signal: job.request.signal,
      // Secret values are blanked before anyone sees the output (whole lines held back for that).
      onOutput: (stream, text) => show(stream, guard === null ? text : guard.push(stream, text)),
    });
    if (guard !== null) for (const stream of ["stdout", "stderr"] as const) show(stream, guard.flush(stream));
  } catch (error) {
    if (error instanceof ContainerStartError) {
      throw new StageBuildError(
        `[docker] ${job.subject} failed at ${where(step)}: its container did not start: ${error.message}`,
        { cause: error, hint: `fix the instruction at ${where(step)} (is the program or the USER in the image?)` },
      );
    }
    throw error;
  }
  if (exitCode !== 0) throw runFailure(job, step, exitCode, tail.lines());
}

function runFailure(job: StepJob, step: RunStep, exitCode: number | null, lines: readonly string[]): StagesError {
  const output = lines.length === 0 ? "  (no output)" : lines.map((line) => `  ${line}`).join("\n");
  const code = exitCode === null ? "failed" : `exited with code ${exitCode}`;
  return new StageBuildError(
    `[docker] ${job.subject} failed at ${where(step)}: the RUN ${code}; last ${lines.length} lines of output:\n${output}`,
    { hint: `fix the instruction at ${where(step)} and build again; the stages before it are kept` },
  );
}

/**
 * A RUN whose environment has ARGs, run by the engine's classic builder (`FROM base`, `ARG`s,
 * `RUN [argv]`): it gives the command the ARGs without committing them, which a container made
 * here cannot. The result keeps the base config, as BuildKit's RUN does.
 */
async function runWithEngineBuilder(
  engine: StepEngine,
  job: StepJob,
  step: RunStep,
  argv: string[],
  args: [string, string][],
  network: string,
): Promise<string> {
  const lines = [...args.map(([name]) => `ARG ${name}`), `RUN ${JSON.stringify(argv)}`];
  try {
    return await engineBuilderStep(engine, job, step, lines, Object.fromEntries(args), network);
  } catch (error) {
    if (error instanceof EngineBuildFailure && error.exitCode !== null) {
      throw runFailure(job, step, error.exitCode, error.tail);
    }
    throw error;
  }
}

/**
 * Builds `FROM <base>` plus `lines` with the engine's classic builder, which commits the config it
 * computed as is (POST /commit merges the container's config into it). The result carries the stage
 * labels. The classic builder would run a base's ONBUILD triggers at FROM (BuildKit runs them only in
 * another build): such a base is first committed without them, and the lines give them back.
 */
async function engineBuilderStep(
  engine: StepEngine,
  job: StepJob,
  step: DockerfileStep,
  lines: readonly string[],
  buildArgs: Record<string, string>,
  network: string,
): Promise<string> {
  const triggers = job.base.Config?.OnBuild ?? [];
  const from = triggers.length === 0 ? job.baseImage : await withoutTriggers(engine, job);
  // One LABEL line: the builder's `labels` option would add one commit (one container) per label.
  const labels = { ...withoutStageLabels(job.base.Config?.Labels), ...job.request.labels };
  const text = [
    `FROM ${from}`,
    ...lines,
    ...triggers.map((trigger) => `ONBUILD ${trigger}`),
    ...(Object.keys(labels).length === 0 ? [] : [labelLine(labels)]),
    "",
  ].join("\n");
  const body = Buffer.from(text, "utf8");
  const { stream } = createTarStream(
    (async function* () {
      yield { header: { name: "Dockerfile", type: "file" as const, mode: 0o644, size: body.length }, body };
    })(),
  );
  try {
    return await runEngineBuild(engine.client, {
      context: stream,
      dockerfile: "Dockerfile",
      buildArgs,
      target: null,
      network,
      extraHosts: job.instructions.addHost,
      labels: {},
      signal: job.request.signal,
      forward: "run",
      onOutput: (output) => job.request.onEvent?.({ type: "output", stream: "stdout", text: output }),
    });
  } catch (error) {
    // The trigger-less base is no use to anyone else.
    if (from !== job.baseImage) await removeImageWith(engine.client, from, undefined).catch(() => {});
    if (error instanceof EngineBuildFailure && error.exitCode === null) {
      throw new StageBuildError(`[docker] ${job.subject} failed at ${where(step)}: ${error.message}`, {
        hint: `fix the instruction at ${where(step)} and build again`,
      });
    }
    throw error;
  }
}

/** A container of the base stage that is never started: it only holds a commit. */
function holdingContainer(engine: StepEngine, job: StepJob): Promise<EngineContainer> {
  return EngineContainer.create(
    engine.client,
    {
      image: job.baseImage,
      namePrefix: job.namePrefix,
      labels: containerLabels(job.request.project),
      entrypoint: ["/bin/sh"],
      networkMode: "none",
    },
    job.request.signal,
  );
}

/** The base committed with no ONBUILD triggers (an untagged image id); the rest of its config as is. */
async function withoutTriggers(engine: StepEngine, job: StepJob): Promise<string> {
  const container = await holdingContainer(engine, job);
  try {
    const config = stageCommitConfig(job.base.Config ?? null, {}, null);
    config.OnBuild = [];
    return await container.commit(config, job.base.Author);
  } finally {
    await container.remove();
  }
}

/**
 * `LABEL "k"="v" ...` read back by the classic builder as exactly these pairs: in double quotes its
 * lexer takes `\\`, `"` and `$` literally after a backslash (no variable is expanded).
 */
export function labelLine(labels: Readonly<Record<string, string>>): string {
  const quote = (text: string) => `"${text.replace(/[\\"$]/g, (char) => `\\${char}`).replace(/\n/g, " ")}"`;
  return `LABEL ${Object.entries(labels)
    .map(([key, value]) => `${quote(key)}=${quote(value)}`)
    .join(" ")}`;
}

/** A metadata instruction: the base committed with its config changed (WORKDIR also makes the directory). */
async function configStep(engine: StepEngine, job: StepJob, step: ConfigStep): Promise<string> {
  const config = job.base.Config ?? {};
  const { change } = step;
  const container = await holdingContainer(engine, job);
  try {
    if (change.keyword === "WORKDIR") {
      await makeWorkdir(container, resolveWorkdir(config.WorkingDir, change.path), config.User ?? "", job, step);
    }
    throwIfAborted(job.request.signal);
    const author = change.keyword === "MAINTAINER" ? change.author : job.base.Author;
    return await container.commit(stageCommitConfig(config, job.request.labels, null, change), author);
  } finally {
    await container.remove();
  }
}

/**
 * Creates the directories of a WORKDIR that are missing, 0755 and owned by the USER in effect, as
 * BuildKit does (existing ones are left as they are).
 */
async function makeWorkdir(
  container: EngineContainer,
  path: string,
  user: string,
  job: StepJob,
  step: ConfigStep,
): Promise<void> {
  if (path === "/") return;
  const { signal } = job.request;
  const parts = path.split("/").filter((part) => part !== "");
  const missing: string[] = [];
  for (let index = parts.length; index > 0; index -= 1) {
    const prefix = `/${parts.slice(0, index).join("/")}`;
    if (await container.pathExists(prefix, signal)) break;
    missing.unshift(prefix);
  }
  if (missing.length === 0) return;
  const owner = user === "" ? { uid: 0, gid: 0 } : userIds(user, await readAccounts(container, signal), job, step);
  const entries = (async function* () {
    for (const directory of missing) {
      yield {
        header: { name: directory.slice(1), type: "directory" as const, mode: 0o755, uid: owner.uid, gid: owner.gid },
      };
    }
  })();
  await putEntries(container, entries, signal);
}

/**
 * `user[:group]` (names or ids) as numbers, by BuildKit's readUser: a numeric user alone is also the
 * group, a name brings its primary group from /etc/passwd, a group overrides either.
 */
export function userIds(
  user: string,
  accounts: AccountDatabase,
  job: { subject: string },
  step: DockerfileStep,
): { uid: number; gid: number } {
  const [name = "", group] = user.split(":", 2);
  const account = /^\d+$/.test(name) ? { uid: Number(name), gid: Number(name) } : accounts.users.get(name);
  if (account === undefined) {
    throw new StageBuildError(`[docker] ${job.subject}: user "${name}" of USER is not in /etc/passwd of the image`, {
      hint: `create the user before ${where(step)} or use a numeric id`,
    });
  }
  if (group === undefined || group === "") return account;
  if (/^\d+$/.test(group)) return { uid: account.uid, gid: Number(group) };
  const gid = accounts.groups.get(group);
  if (gid === undefined) {
    throw new StageBuildError(`[docker] ${job.subject}: group "${group}" of USER is not in /etc/group of the image`, {
      hint: `create the group before ${where(step)} or use a numeric id`,
    });
  }
  return { uid: account.uid, gid };
}

/** The local image `FROM scratch` stands for: no files, BuildKit's config of scratch (PATH, WorkingDir /). */
export const scratchImage = "stages-internal/scratch:1";

/**
 * Makes sure the empty base image exists (imported once from an empty archive) and returns its
 * name. Stages on it only ever create containers, never start them: there is nothing to run.
 */
export async function ensureScratchImage(client: EngineClient, signal: AbortSignal | undefined): Promise<string> {
  if ((await inspectRawImage(client, scratchImage, signal)) !== null) return scratchImage;
  // Stages building at once import it once.
  let importing = scratchImports.get(client);
  if (!importing) {
    importing = importScratchImage(client, signal).finally(() => scratchImports.delete(client));
    scratchImports.set(client, importing);
  }
  return importing;
}

const scratchImports = new WeakMap<EngineClient, Promise<string>>();

async function importScratchImage(client: EngineClient, signal: AbortSignal | undefined): Promise<string> {
  const { stream, done } = createTarStream((async function* () {})());
  const [repository, tag] = scratchImage.split(":") as [string, string];
  try {
    const [response] = await Promise.all([
      client.stream(signal, (docker) =>
        docker.importImage(stream, {
          repo: repository,
          tag,
          changes: [`ENV PATH=${scratchPath}`, "WORKDIR /"],
          abortSignal: signal,
        }),
      ),
      done,
    ]);
    await followProgress(client, response, `import of ${scratchImage}`, () => {}, signal);
  } catch (error) {
    throw engineFailure(`cannot make the empty base image ${scratchImage}`, error);
  }
  return scratchImage;
}

/** BuildKit's PATH for an image without one (and for scratch). */
const scratchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
