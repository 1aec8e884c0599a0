import type { Readable } from "node:stream";
import type { ImageReference, ImageTransfer, StageDescriptor, StageTransferRequest } from "@stages/core";
import {
  EngineError,
  formatReference,
  localStageName,
  parseReference,
  repositoryOf,
  StageMissingError,
  StorageError,
  specificationVersion,
  throwIfAborted,
  UsageError,
  withDefaultTag,
} from "@stages/core";
import type { DockerConnection } from "./connection.js";
import { engineOf } from "./connection.js";
import type { EngineClient } from "./engine-client.js";
import { engineFailure } from "./engine-errors.js";
import { followProgress, inspectRawImage, pullImageWith, removeImageWith, tagImageWith } from "./images.js";
import type { RegistryAuthProvider } from "./registry-auth.js";
import { registryAuthFor } from "./registry-auth.js";
import { getStage, stageDescriptorOf } from "./stages-storage.js";

/** Options of `createDockerImageTransfer`. */
export interface DockerImageTransferOptions {
  connection: DockerConnection;
  /** Credentials per registry host; anonymous without. */
  registryAuth?: RegistryAuthProvider;
}

/**
 * Moves stages between a Docker Engine and registries through the engine (DESIGN §7): push tags
 * the stage with the registry reference, pushes, and removes that alias again; pull fetches a
 * reference (tag or digest), stores it under the stage name and removes the pulled reference.
 * Layers the other side has are not transferred (the engine checks).
 */
export function createDockerImageTransfer(options: DockerImageTransferOptions): ImageTransfer {
  const client = engineOf(options.connection);
  return {
    specificationVersion,
    push: (request) => pushStage(client, options.registryAuth, request),
    pull: (request) => pullStage(client, options.registryAuth, request),
  };
}

async function pushStage(
  client: EngineClient,
  registryAuth: RegistryAuthProvider | undefined,
  request: StageTransferRequest,
): Promise<{ digest: string }> {
  const { signal } = request;
  throwIfAborted(signal);
  const local = localStageName(request.project, request.signature);
  const reference = pushReference(request.reference);
  const alias = formatReference(reference);
  const stage = await inspectRawImage(client, local, signal);
  if (stage === null) {
    throw new StageMissingError(`[docker] cannot push ${local}: the engine has no such stage`, {
      hint: "build the stage (or pull it) before pushing",
    });
  }
  const previous = await inspectRawImage(client, alias, signal);
  await tagImageWith(client, stage.Id, alias, signal);
  let digest: string | null = null;
  try {
    const authconfig = await registryAuthFor(registryAuth, reference);
    let response: Readable;
    try {
      response = await client.stream(signal, (docker) =>
        docker.getImage(repositoryOf(reference)).push({ tag: reference.tag, authconfig, abortSignal: signal }),
      );
    } catch (error) {
      throw engineFailure(`push of ${alias} failed`, error);
    }
    await followProgress(
      client,
      response,
      `push of ${alias}`,
      (message) => {
        if (message.kind === "layer") request.onProgress?.(message.progress);
        else if (message.kind === "digest") digest = message.digest;
      },
      signal,
    );
  } finally {
    // The alias was only the name to push by; leave the engine's names as they were.
    if (previous === null) await removeImageWith(client, alias, undefined).catch(() => {});
    else if (previous.Id !== stage.Id) await tagImageWith(client, previous.Id, alias, undefined).catch(() => {});
  }
  if (digest === null) throw new EngineError(`[docker] push of ${alias} finished without a manifest digest`);
  return { digest };
}

function pushReference(text: string): ImageReference & { tag: string } {
  const reference = parseReference(text);
  if (reference.digest !== undefined) {
    throw new UsageError(`[docker] cannot push to "${text}": a push needs a tag, not a digest`);
  }
  return withDefaultTag(reference) as ImageReference & { tag: string };
}

async function pullStage(
  client: EngineClient,
  registryAuth: RegistryAuthProvider | undefined,
  request: StageTransferRequest,
): Promise<StageDescriptor> {
  const { signal } = request;
  throwIfAborted(signal);
  const reference = parseReference(request.reference);
  // By digest when there is one (`name:tag@digest` pulls the digest, as docker does).
  const pulled =
    reference.digest !== undefined
      ? `${repositoryOf(reference)}@${reference.digest}`
      : formatReference(withDefaultTag(reference));
  const previous = await inspectRawImage(client, pulled, signal);
  const auth = await registryAuthFor(registryAuth, reference);
  const name = localStageName(request.project, request.signature);
  try {
    await pullImageWith(client, pulled, auth, request.onProgress, signal);
    const image = await inspectRawImage(client, pulled, undefined);
    if (image === null) throw new EngineError(`[docker] ${pulled} is missing right after it was pulled`);
    if (stageDescriptorOf(image, request.project, request.signature) === null) {
      throw new StorageError(
        `[docker] ${request.reference} is not the stage ${request.signature} of project ${request.project} (its labels say otherwise)`,
        { hint: "the registry tag was overwritten by something else; delete it and push the stage again" },
      );
    }
    throwIfAborted(signal);
    await tagImageWith(client, image.Id, name, undefined);
  } finally {
    // The pulled reference was only the way in; the stage name is what stays.
    if (previous === null) await removeImageWith(client, pulled, undefined).catch(() => {});
  }
  const stored = await getStage(client, request.project, request.signature, undefined);
  if (stored === null) throw new EngineError(`[docker] ${name} is missing right after it was tagged`);
  return stored;
}
