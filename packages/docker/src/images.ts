import { createReadStream } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { CallOptions, TransferProgress } from "@stages/core";
import { EngineError, parseReference, repositoryOf, throwIfAborted } from "@stages/core";
import type { DockerConnection } from "./connection.js";
import { engineOf } from "./connection.js";
import type { EngineClient } from "./engine-client.js";
import { engineFailure, isHttpStatus } from "./engine-errors.js";
import { redactEngineText } from "./engine-secrets.js";
import type { ContainerConfig, HealthConfig } from "./image-config.js";
import type { ProgressMessage } from "./progress.js";
import { JsonLinesDecoder, parseProgressMessage } from "./progress.js";
import type { RegistryAuthConfig } from "./registry-auth.js";
import type { TarEntryInput } from "./tar.js";
import { createTarStream } from "./tar.js";

/** What `inspectImage` tells about a local image. */
export interface ImageInspection {
  /** The engine's image id, `sha256:...`. */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  labels: Record<string, string>;
  /** ISO 8601. */
  createdAt: string | null;
  size: number | null;
  config: ImageConfigSummary;
}

/** The runtime config of an image, as docker inspect shows it. */
export interface ImageConfigSummary {
  user: string;
  env: string[];
  cmd: string[] | null;
  entrypoint: string[] | null;
  workingDir: string;
  exposedPorts: string[];
  volumes: string[];
  healthcheck: HealthConfig | null;
}

/** The raw answer of `GET /images/{name}/json` that we read. */
export interface RawImage {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created?: string;
  Size?: number;
  Config?: ContainerConfig | null;
  /** MAINTAINER's value; a commit drops it unless passed on. */
  Author?: string;
}

/** Inspects a local image by reference or id; null when the engine has no such image. */
export async function inspectImage(
  connection: DockerConnection,
  reference: string,
  options?: CallOptions,
): Promise<ImageInspection | null> {
  const raw = await inspectRawImage(engineOf(connection), reference, options?.signal);
  return raw === null ? null : summarizeImage(raw);
}

/**
 * Removes a local image reference: a tag is untagged (the image goes when it was the last one),
 * an id removes the image. False when there was nothing to remove.
 */
export async function removeImage(
  connection: DockerConnection,
  reference: string,
  options?: CallOptions & { force?: boolean },
): Promise<boolean> {
  return removeImageWith(engineOf(connection), reference, options?.signal, options?.force ?? false);
}

/** Gives a local image (by reference or id) another name. */
export async function tagImage(
  connection: DockerConnection,
  source: string,
  target: string,
  options?: CallOptions,
): Promise<void> {
  await tagImageWith(engineOf(connection), source, target, options?.signal);
}

/** Options of `importRootfs`. */
export interface ImportRootfsOptions extends CallOptions {
  /** A directory holding the root file system; owners, modes and symlinks are kept. */
  rootfs: string;
  /** The name to give the image, e.g. `stages-test/busybox:1`. */
  reference: string;
  /** Dockerfile instructions for the config, as `docker import --change` takes them. */
  changes?: string[];
}

/** Makes a base image from a root file system directory (`docker import`); returns its id. */
export async function importRootfs(
  connection: DockerConnection,
  options: ImportRootfsOptions,
): Promise<{ id: string }> {
  const client = engineOf(connection);
  const reference = parseReference(options.reference);
  const { stream, done } = createTarStream(walkDirectory(options.rootfs));
  try {
    const signal = options.signal;
    const [response] = await Promise.all([
      client.stream(signal, (docker) =>
        docker.importImage(stream, {
          repo: repositoryOf(reference),
          tag: reference.tag ?? "latest",
          ...(options.changes ? { changes: options.changes } : {}),
          abortSignal: signal,
        }),
      ),
      done,
    ]);
    await followProgress(client, response, `import of ${options.reference}`, () => {}, signal);
  } catch (error) {
    throw engineFailure(`cannot import ${options.rootfs} as ${options.reference}`, error);
  }
  const image = await inspectRawImage(client, options.reference, options.signal);
  if (image === null) throw new EngineError(`[docker] ${options.reference} is missing right after its import`);
  return { id: image.Id };
}

async function* walkDirectory(root: string, relative = ""): AsyncGenerator<TarEntryInput> {
  const names = (await readdir(join(root, relative))).sort();
  for (const name of names) {
    const path = relative === "" ? name : `${relative}/${name}`;
    const absolute = join(root, path);
    const stats = await lstat(absolute);
    const common = { name: path, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid, mtime: stats.mtime };
    if (stats.isDirectory()) {
      yield { header: { ...common, type: "directory" } };
      yield* walkDirectory(root, path);
    } else if (stats.isSymbolicLink()) {
      yield { header: { ...common, type: "symlink", linkname: await readlink(absolute) } };
    } else if (stats.isFile()) {
      yield { header: { ...common, type: "file", size: stats.size }, body: createReadStream(absolute) };
    }
  }
}

/** `GET /images/{name}/json`, null on 404. */
export async function inspectRawImage(
  client: EngineClient,
  reference: string,
  signal?: AbortSignal,
): Promise<RawImage | null> {
  try {
    return (await client.call(signal, (docker) => docker.getImage(reference).inspect())) as RawImage;
  } catch (error) {
    if (isHttpStatus(error, 404)) return null;
    throw engineFailure(`cannot inspect image ${reference}`, error);
  }
}

/** Removes an image reference; false when absent. */
export async function removeImageWith(
  client: EngineClient,
  reference: string,
  signal: AbortSignal | undefined,
  force = false,
): Promise<boolean> {
  try {
    await client.call(signal, (docker) =>
      docker.getImage(reference).remove({ force, noprune: false, abortSignal: signal }),
    );
    return true;
  } catch (error) {
    if (isHttpStatus(error, 404)) return false;
    throw engineFailure(`cannot remove image ${reference}`, error);
  }
}

/** Tags `source` (reference or id) as `target` (a reference with a tag). */
export async function tagImageWith(
  client: EngineClient,
  source: string,
  target: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const reference = parseReference(target);
  try {
    await client.call(signal, (docker) =>
      docker
        .getImage(source)
        .tag({ repo: repositoryOf(reference), tag: reference.tag ?? "latest", abortSignal: signal }),
    );
  } catch (error) {
    throw engineFailure(`cannot tag ${source} as ${target}`, error);
  }
}

/**
 * Pulls `reference` (with tag or digest) through the engine, reporting layer progress. Returns the
 * digest the engine reports.
 */
export async function pullImageWith(
  client: EngineClient,
  reference: string,
  authconfig: RegistryAuthConfig,
  onProgress: ((progress: TransferProgress) => void) | undefined,
  signal: AbortSignal | undefined,
  onMessage?: (message: ProgressMessage) => void,
): Promise<{ digest: string | null }> {
  throwIfAborted(signal);
  let response: Readable;
  try {
    // createImage rather than docker.pull: the engine parses `name:tag` and `name@digest` itself.
    response = await client.stream(signal, (docker) =>
      docker.createImage({ fromImage: reference, authconfig, abortSignal: signal }),
    );
  } catch (error) {
    throw engineFailure(`pull of ${reference} failed`, error);
  }
  let digest: string | null = null;
  await followProgress(
    client,
    response,
    `pull of ${reference}`,
    (message) => {
      onMessage?.(message);
      if (message.kind === "layer") onProgress?.(message.progress);
      else if (message.kind === "digest") digest = message.digest;
    },
    signal,
  );
  return { digest };
}

/**
 * Reads a JSON progress stream to its end, handing every message over; an error message in the
 * stream becomes an EngineError saying what failed. (Not docker-modem's followProgress: it throws
 * on a line that is not JSON, which proxies and old engines do send.)
 */
export async function followProgress(
  client: EngineClient,
  stream: Readable,
  what: string,
  onMessage: (message: ProgressMessage) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const decoder = new JsonLinesDecoder();
  let failure: string | null = null;
  const handle = (values: unknown[]) => {
    for (const value of values) {
      for (const message of parseProgressMessage(value)) {
        if (message.kind === "error") failure ??= message.message;
        else onMessage(message);
      }
    }
  };
  try {
    for await (const chunk of stream) handle(decoder.push(String(chunk)));
    handle(decoder.end());
  } catch (error) {
    throw engineFailure(`${what} was interrupted`, client.translate(error, signal));
  }
  // The engine quotes the registry's answer, which may echo the credentials it was sent.
  if (failure !== null) throw new EngineError(`[docker] ${what} failed: ${redactEngineText(failure)}`);
}

/** The public summary of a raw inspection. */
export function summarizeImage(raw: RawImage): ImageInspection {
  const config = raw.Config ?? {};
  return {
    id: raw.Id,
    repoTags: raw.RepoTags ?? [],
    repoDigests: raw.RepoDigests ?? [],
    labels: { ...(config.Labels ?? {}) },
    createdAt: raw.Created ?? null,
    size: typeof raw.Size === "number" ? raw.Size : null,
    config: {
      user: config.User ?? "",
      env: config.Env ?? [],
      cmd: config.Cmd && config.Cmd.length > 0 ? config.Cmd : null,
      entrypoint: config.Entrypoint && config.Entrypoint.length > 0 ? config.Entrypoint : null,
      workingDir: config.WorkingDir ?? "",
      exposedPorts: Object.keys(config.ExposedPorts ?? {}).sort(),
      volumes: Object.keys(config.Volumes ?? {}).sort(),
      healthcheck: config.Healthcheck ?? null,
    },
  };
}
