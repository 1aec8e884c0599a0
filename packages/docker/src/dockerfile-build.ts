import { posix } from "node:path";
import type { Readable } from "node:stream";
import type {
  DockerContextFiles,
  GitFile,
  GitSource,
  RegistryCredentialsProvider,
  StageBuildRequest,
  StageInstructions,
  StagesError,
} from "@stages/core";
import { EngineError, parseReference, StageBuildError } from "@stages/core";
import type Dockerode from "dockerode";
import type { EngineClient } from "./engine-client.js";
import { engineFailure, isHttpStatus } from "./engine-errors.js";
import { OutputTail } from "./output-tail.js";
import { JsonLinesDecoder } from "./progress.js";
import type { RegistryAuthConfig } from "./registry-auth.js";
import { registryAuthFor } from "./registry-auth.js";
import type { TarEntryInput } from "./tar.js";
import { createTarStream } from "./tar.js";

/** What one run of the engine's classic builder (`POST /build`, `version: "1"`) needs. */
export interface EngineBuildOptions {
  /** The build context as a tar stream. */
  context: Readable;
  /** The Dockerfile's path inside the context. */
  dockerfile: string;
  buildArgs: Readonly<Record<string, string>>;
  target: string | null;
  network: string;
  extraHosts: readonly string[];
  /** Credentials by registry for the images the builder pulls (`X-Registry-Config`). */
  registryConfig?: Record<string, RegistryAuthConfig>;
  /** Labels the result carries (the classic builder adds them as LABEL instructions at the end). */
  labels: Readonly<Record<string, string>>;
  signal: AbortSignal | undefined;
  /**
   * `all`: every line the builder prints (`Step 1/4 : ...` included); `run`: only what the RUN
   * containers print, for a build that stands for one instruction.
   */
  forward: "all" | "run";
  onOutput: (text: string) => void;
}

/** How a classic build failed: the builder's message, the step it was at, the command's exit code. */
export class EngineBuildFailure extends Error {
  readonly step: string | null;
  readonly exitCode: number | null;
  readonly tail: string[];

  constructor(message: string, step: string | null, exitCode: number | null, tail: string[]) {
    super(message);
    this.name = "EngineBuildFailure";
    this.step = step;
    this.exitCode = exitCode;
    this.tail = tail;
  }
}

/** Lines of output a failed build's error shows. */
const failureTailLines = 20;
/** How long a cancelled build's container may take to go before it is removed by force. */
const cancelGraceMs = 10_000;

/**
 * Runs the engine's own (classic) builder and returns the id of the image it made, untagged: the
 * caller names it only once everything succeeded. Intermediate containers are removed even on
 * failure (`forcerm`); a cancelled build's container is waited for and removed.
 */
export async function runEngineBuild(client: EngineClient, options: EngineBuildOptions): Promise<string> {
  const { signal } = options;
  const query = {
    version: "1",
    dockerfile: options.dockerfile,
    buildargs: options.buildArgs,
    labels: options.labels,
    networkmode: options.network,
    rm: true,
    forcerm: true,
    nocache: true,
    pull: false,
    // Repeated in the query (docker-modem writes an array so), one `host:ip` each.
    ...(options.extraHosts.length > 0 ? { extrahosts: [...options.extraHosts] } : {}),
    ...(options.target !== null ? { target: options.target } : {}),
  };
  const decoder = new JsonLinesDecoder();
  const tail = new OutputTail(failureTailLines);
  let step: string | null = null;
  let running: string | null = null;
  let imageId: string | null = null;
  // Images the build committed (a ` ---> id` after "Removing intermediate container"), removed
  // again when it fails: never the FROM image, whose ` ---> id` follows its step line directly.
  const committed: string[] = [];
  let afterContainer = false;
  let failure: { message: string; code: number | null } | null = null;
  const handle = (values: unknown[]) => {
    for (const value of values) {
      const message = value as {
        stream?: unknown;
        status?: unknown;
        error?: unknown;
        errorDetail?: { message?: unknown; code?: unknown };
        aux?: { ID?: unknown };
      };
      if (message.errorDetail !== undefined || message.error !== undefined) {
        const text = message.errorDetail?.message ?? message.error;
        const code = message.errorDetail?.code;
        failure ??= {
          message: typeof text === "string" ? text.trim() : JSON.stringify(text),
          code: typeof code === "number" ? code : null,
        };
        continue;
      }
      if (typeof message.aux?.ID === "string") imageId = message.aux.ID;
      const text = typeof message.stream === "string" ? message.stream : null;
      if (text === null) continue;
      const stepLine = /^Step \d+\/\d+ : (.*)$/m.exec(text);
      const started = /^ ---> Running in ([0-9a-f]{12,64})\s*$/m.exec(text);
      const removed = /^Removing intermediate container [0-9a-f]+\s*$/m.test(text);
      if (stepLine) step = (stepLine[1] as string).trim();
      if (removed) afterContainer = true;
      const result = /^ ---> ([0-9a-f]{12})\s*$/m.exec(text);
      if (result && afterContainer) {
        committed.push(result[1] as string);
        afterContainer = false;
      }
      if (started) running = started[1] as string;
      else if (removed || /^ ---> [0-9a-f]{12}\s*$/m.test(text)) running = null;
      const fromRun = running !== null && !started;
      if (fromRun) tail.push(text);
      if (options.forward === "all" || fromRun) options.onOutput(text);
    }
  };
  let response: Readable;
  try {
    response = await client.stream(signal, (docker) =>
      docker.buildImage(
        options.context as unknown as NodeJS.ReadableStream,
        {
          ...query,
          ...(options.registryConfig && Object.keys(options.registryConfig).length > 0
            ? { registryconfig: options.registryConfig }
            : {}),
          abortSignal: signal,
        } as unknown as Dockerode.ImageBuildOptions,
      ),
    );
  } catch (error) {
    options.context.destroy();
    throw engineFailure("the engine's builder refused the build", error);
  }
  try {
    for await (const chunk of response) handle(decoder.push(String(chunk)));
    handle(decoder.end());
  } catch (error) {
    if (running !== null) await removeCancelledContainer(client, running);
    await removeImages(client, committed);
    throw engineFailure("the engine's build was interrupted", client.translate(error, signal));
  }
  const failed = failure as { message: string; code: number | null } | null;
  if (failed !== null) {
    await removeImages(client, committed);
    const exitCode = failed.code ?? exitCodeOf(failed.message);
    throw new EngineBuildFailure(failed.message, step, exitCode, tail.lines());
  }
  if (imageId === null) throw new EngineError("[docker] the engine's builder finished without naming an image");
  return imageId;
}

/** `returned a non-zero code: 3` → 3. */
function exitCodeOf(message: string): number | null {
  const match = /returned a non-zero code: (\d+)/.exec(message);
  return match ? Number(match[1]) : null;
}

/** Waits for the engine to remove a cancelled build's container, removing it itself after a grace period. */
async function removeCancelledContainer(client: EngineClient, id: string): Promise<void> {
  const container = client.docker.getContainer(id);
  const deadline = Date.now() + cancelGraceMs;
  while (Date.now() < deadline) {
    try {
      await client.call(undefined, () => container.inspect());
    } catch (error) {
      if (isHttpStatus(error, 404)) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await client.call(undefined, () => container.remove({ force: true, v: true })).catch(() => {});
}

/** Removes what a failed build committed, newest first; an image something else uses stays. */
async function removeImages(client: EngineClient, ids: readonly string[]): Promise<void> {
  for (const id of [...ids].reverse()) {
    await client.call(undefined, (docker) => docker.getImage(id).remove()).catch(() => {});
  }
}

/** Git modes as the tar modes a context file gets. */
function contextMode(file: GitFile): number {
  return file.mode === 0o100755 ? 0o755 : 0o644;
}

/** A fixed time for every context entry: the context's bytes depend only on the files' content. */
const contextTime = new Date(0);

/**
 * The tar of a build context: the files the stage uses, read from the git source while the archive
 * is sent, with git modes, owner 0:0 and a fixed mtime (nothing of this checkout's metadata), plus
 * the Dockerfile at `dockerfile` when the selection lacks it.
 */
export function contextArchive(
  git: GitSource,
  context: DockerContextFiles,
  extra: { path: string; content: string } | null,
  signal: AbortSignal | undefined,
): { stream: Readable; done: Promise<void> } {
  const read = git.readContextFile?.bind(git);
  if (read === undefined && context.files.length > 0) {
    throw new EngineError("[docker] the git source cannot read Dockerfile context files (no readContextFile)", {
      hint: "use a GitSource that implements contextContent and readContextFile (the built-in git adapter does)",
    });
  }
  async function* entries(): AsyncGenerator<TarEntryInput> {
    const common = { uid: 0, gid: 0, uname: "", gname: "", mtime: contextTime };
    let hasExtra = false;
    for (const file of context.files) {
      if (extra !== null && file.path === extra.path) hasExtra = true;
      const bytes = await (read as NonNullable<typeof read>)(context.spec, file.path, { signal });
      if (file.mode === 0o120000) {
        yield {
          header: { ...common, name: file.path, type: "symlink", mode: 0o777, linkname: Buffer.from(bytes).toString() },
        };
      } else {
        yield {
          header: { ...common, name: file.path, type: "file", mode: contextMode(file), size: bytes.byteLength },
          body: bytes,
        };
      }
    }
    if (extra !== null && !hasExtra) {
      const body = Buffer.from(extra.content, "utf8");
      yield { header: { ...common, name: extra.path, type: "file", mode: 0o644, size: body.length }, body };
    }
  }
  return createTarStream(entries());
}

/** The located error of a failed whole-Dockerfile build. */
export function dockerfileBuildError(
  failure: EngineBuildFailure,
  file: string,
  dockerfile: string,
  subject: string,
): StagesError {
  const line = failure.step === null ? null : lineOfStep(dockerfile, failure.step);
  const where = line === null ? file : `${file}:${line}`;
  const tail =
    failure.tail.length === 0 ? "" : `; last ${failure.tail.length} lines of output:\n${indent(failure.tail)}`;
  const code = failure.exitCode === null ? "" : ` (exit code ${failure.exitCode})`;
  return new StageBuildError(
    `[docker] ${subject} failed at ${where}${failure.step === null ? "" : ` (${failure.step})`}${code}: ${failure.message}${tail}`,
    { hint: `fix the instruction at ${where} and build again` },
  );
}

/** The 1-based line where the classic builder's step text (its first line as written) starts. */
export function lineOfStep(dockerfile: string, step: string): number | null {
  const wanted = normalizeSpace(step);
  const lines = dockerfile.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const line = normalizeSpace(lines[index] as string);
    if (line === "" || line.startsWith("#")) continue;
    if (wanted.startsWith(line.replace(/\s*\\$/, "")) || line.startsWith(wanted)) return index + 1;
  }
  return null;
}

function normalizeSpace(text: string): string {
  return text.trim().replace(/\s+/g, " ");
}

function indent(lines: readonly string[]): string {
  return lines.map((line) => `  ${line}`).join("\n");
}

/**
 * Builds a whole Dockerfile (`staged: false`) with the engine's classic builder: the context is the
 * stage's selection of context files plus the Dockerfile; the result carries the stage labels.
 */
export async function buildWholeDockerfile(
  engine: {
    client: EngineClient;
    git: GitSource;
    network: string;
    registryAuth: RegistryCredentialsProvider | undefined;
  },
  request: StageBuildRequest,
  instructions: Extract<StageInstructions, { kind: "dockerfileBuild" }>,
  subject: string,
): Promise<string> {
  const { signal } = request;
  const file = posix.join(instructions.context.spec.directory || ".", instructions.path);
  const { stream, done } = contextArchive(
    engine.git,
    instructions.context,
    { path: instructions.path, content: instructions.dockerfile },
    signal,
  );
  try {
    const registryConfig = await registryConfigFor(engine.registryAuth, baseReferences(instructions.dockerfile));
    const [imageId] = await Promise.all([
      runEngineBuild(engine.client, {
        registryConfig,
        context: stream,
        dockerfile: instructions.path,
        buildArgs: instructions.args,
        target: instructions.target,
        network: instructions.network ?? engine.network,
        extraHosts: instructions.addHost,
        labels: request.labels,
        signal,
        forward: "all",
        onOutput: (text) => request.onEvent?.({ type: "output", stream: "stdout", text }),
      }),
      done,
    ]);
    return imageId;
  } catch (error) {
    if (error instanceof EngineBuildFailure) throw dockerfileBuildError(error, file, instructions.dockerfile, subject);
    throw error;
  } finally {
    stream.destroy();
  }
}

/**
 * The images a Dockerfile's FROM and `COPY --from` lines name (as written, when no variable is in
 * them), which the classic builder pulls when the engine lacks them. Build stage names are left out.
 */
export function baseReferences(dockerfile: string): string[] {
  const joined = dockerfile.replace(/\\\r?\n/g, " ");
  const stages = new Set<string>();
  const references = new Set<string>();
  for (const line of joined.split(/\r?\n/)) {
    const from = /^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      references.add(from[1] as string);
      if (from[2] !== undefined) stages.add((from[2] as string).toLowerCase());
    }
    if (/^\s*(COPY|ADD)\s/i.test(line))
      for (const copy of line.matchAll(/--from=(\S+)/gi)) references.add(copy[1] as string);
  }
  return [...references].filter(
    (reference) =>
      !reference.includes("$") &&
      !/^\d+$/.test(reference) &&
      reference.toLowerCase() !== "scratch" &&
      !stages.has(reference.toLowerCase()),
  );
}

/** `X-Registry-Config` for the registries of `references` the provider has credentials for. */
async function registryConfigFor(
  provider: RegistryCredentialsProvider | undefined,
  references: readonly string[],
): Promise<Record<string, RegistryAuthConfig>> {
  const config: Record<string, RegistryAuthConfig> = {};
  if (!provider) return config;
  for (const text of references) {
    let reference: ReturnType<typeof parseReference>;
    try {
      reference = parseReference(text);
    } catch {
      continue; // Not a reference: the builder reports it.
    }
    const auth = await registryAuthFor(provider, reference);
    if (typeof auth.serveraddress === "string") config[auth.serveraddress] = auth;
  }
  return config;
}
