import type { Readable } from "node:stream";
import type {
  ImageReference,
  ImageTransfer,
  RegistryCredentialsProvider,
  StageDescriptor,
  StageTransferRequest,
} from "@stages/core";
import {
  EngineError,
  formatReference,
  imageTransferSpecificationVersion,
  localStageName,
  parseReference,
  repositoryOf,
  StageMissingError,
  StorageError,
  throwIfAborted,
  UsageError,
  withDefaultTag,
} from "@stages/core";
import type { DockerConnection } from "./connection.js";
import { engineOf } from "./connection.js";
import type { EngineClient } from "./engine-client.js";
import { engineFailure } from "./engine-errors.js";
import type { RawImage } from "./images.js";
import { followProgress, inspectRawImage, pullImageWith, removeImageWith, tagImageWith } from "./images.js";
import { registryAuthFor } from "./registry-auth.js";
import { getStage, stageDescriptorOf } from "./stages-storage.js";
import { holdName, isStageAlias, removeTransferNames, sweepTransferNames } from "./transfer-aliases.js";
import type { EngineTransferPolicy } from "./transfer-retry.js";
import { defaultEngineTransferPolicy, isProgressMessage, retryEngineTransfer } from "./transfer-retry.js";

/** Options of `createDockerImageTransfer`. */
export interface DockerImageTransferOptions {
  connection: DockerConnection;
  /** Credentials per registry host; anonymous without. */
  registryAuth?: RegistryCredentialsProvider;
  /** Retries and deadlines of push and pull; see `defaultEngineTransferPolicy`. */
  policy?: Partial<EngineTransferPolicy>;
}

interface TransferContext {
  client: EngineClient;
  registryAuth: RegistryCredentialsProvider | undefined;
  policy: EngineTransferPolicy;
  /** Removes what interrupted transfers of earlier runs left of `project` (once per adapter and project). */
  sweep(project: string): Promise<void>;
}

/**
 * Moves stages between a Docker Engine and registries through the engine (DESIGN §7): push tags
 * the stage with the registry reference, pushes, and removes that alias again; pull fetches a
 * reference (tag or digest), stores it under the stage name and removes the pulled reference.
 * Layers the other side has are not transferred (the engine checks), which makes a failed
 * transfer cheap to retry: transient failures are (transfer-retry). Whatever names a transfer
 * gives the engine on the way go again, also after an abort, and the first transfer of a project
 * removes those an earlier, killed run left (transfer-aliases).
 */
export function createDockerImageTransfer(options: DockerImageTransferOptions): ImageTransfer {
  const client = engineOf(options.connection);
  const swept = new Map<string, Promise<void>>();
  const context: TransferContext = {
    client,
    registryAuth: options.registryAuth,
    policy: { ...defaultEngineTransferPolicy, ...options.policy },
    sweep(project) {
      let done = swept.get(project);
      if (!done) {
        done = sweepTransferNames(client, project).then(() => {});
        swept.set(project, done);
      }
      return done;
    },
  };
  return {
    specificationVersion: imageTransferSpecificationVersion,
    push: (request) => pushStage(context, request),
    pull: (request) => pullStage(context, request),
  };
}

async function pushStage(context: TransferContext, request: StageTransferRequest): Promise<{ digest: string }> {
  const { client } = context;
  const { signal, project } = request;
  throwIfAborted(signal);
  const local = localStageName(project, request.signature);
  const reference = pushReference(request.reference);
  const alias = formatReference(reference);
  const repository = repositoryOf(reference);
  await context.sweep(project);
  const stage = await inspectRawImage(client, local, signal);
  if (stage === null) {
    throw new StageMissingError(`[docker] cannot push ${local}: the engine has no such stage`, {
      hint: "build the stage (or pull it) before pushing",
    });
  }
  // A stage tag is ours whatever it points at; any other tag (publish's) may be a user's, kept as it was.
  const previous = isStageAlias(alias, project) ? null : await inspectRawImage(client, alias, signal);
  const release = holdName(client, alias);
  try {
    // Inside the try and not cancelled in flight: whenever the abort comes, the tag is known and removed.
    await tagImageWith(client, stage.Id, alias, undefined);
    throwIfAborted(signal);
    const authconfig = await registryAuthFor(context.registryAuth, reference);
    const digest = await retryEngineTransfer(
      `push of ${alias}`,
      reference.domain,
      context.policy,
      signal,
      async (attempt) => {
        let response: Readable;
        try {
          response = await client.stream(attempt.signal, (docker) =>
            docker.getImage(repository).push({ tag: reference.tag, authconfig, abortSignal: attempt.signal }),
          );
        } catch (error) {
          throw engineFailure(`push of ${alias} failed`, error);
        }
        let found: string | null = null;
        await followProgress(
          client,
          response,
          `push of ${alias}`,
          (message) => {
            if (isProgressMessage(message)) attempt.progressed();
            if (message.kind === "layer") request.onProgress?.(message.progress);
            else if (message.kind === "digest") found = message.digest;
          },
          attempt.signal,
        );
        if (found === null) throw new EngineError(`[docker] push of ${alias} finished without a manifest digest`);
        return found as string;
      },
    );
    return { digest };
  } finally {
    release();
    await dropTransferNames(context, project, repository, alias, stage.Id, previous, signal);
  }
}

/**
 * Leaves the engine's names as they were before the transfer: the alias (or pulled reference)
 * goes, or points again where it pointed; `REPO@digest` references the engine added go. After an
 * abort the engine's own transfer may still be finishing and add `REPO@digest` (or the pulled
 * tag) late: they are looked for during `settleMs`, then by the next run's sweep.
 */
async function dropTransferNames(
  context: TransferContext,
  project: string,
  repository: string,
  name: string,
  id: string | null,
  previous: RawImage | null,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { client } = context;
  if (previous === null) await removeImageWith(client, name, undefined).catch(() => {});
  else if (previous.Id !== id) await tagImageWith(client, previous.Id, name, undefined).catch(() => {});
  if (!signal?.aborted && id !== null) {
    // Finished: only the transferred image gained names (the first transfer swept the others).
    const image = await inspectRawImage(client, id, undefined).catch(() => null);
    if (image !== null) {
      await removeTransferNames(client, image, project, repository);
      return;
    }
  }
  await sweepTransferNames(client, project, repository);
  if (!signal?.aborted) return;
  const until = Date.now() + context.policy.settleMs;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, until - Date.now()))));
    if (previous === null) await removeImageWith(client, name, undefined).catch(() => {});
    await sweepTransferNames(client, project, repository);
  }
}

function pushReference(text: string): ImageReference & { tag: string } {
  const reference = parseReference(text);
  if (reference.digest !== undefined) {
    throw new UsageError(`[docker] cannot push to "${text}": a push needs a tag, not a digest`);
  }
  return withDefaultTag(reference) as ImageReference & { tag: string };
}

/**
 * What registries (distribution, Harbor, GitLab, ...) answer, through the engine, for a tag or
 * digest they do not have: `manifest for R not found: manifest unknown` (also for a repository
 * that was never pushed to). Credentials problems say unauthorized or denied instead: not matched.
 */
const missingPattern =
  /\bmanifest unknown\b|\bmanifest for \S+ not found\b|\bname unknown\b|repository name not known/i;

/**
 * A pull of a reference the registry does not have is core's StageMissingError (the ImageTransfer
 * contract): a build then builds the stage instead, e.g. when cleanup deleted it after the lookup.
 */
function missingReference(error: unknown, reference: string): Error | null {
  if (!EngineError.isInstance(error) || !missingPattern.test(error.message)) return null;
  return new StageMissingError(`[docker] ${reference} is not in the registry: ${error.message}`, {
    hint: "the stage was deleted from the registry (cleanup?) or never pushed; build it (stages build)",
    cause: error,
  });
}

async function pullStage(context: TransferContext, request: StageTransferRequest): Promise<StageDescriptor> {
  const { client } = context;
  const { signal, project } = request;
  throwIfAborted(signal);
  const reference = parseReference(request.reference);
  const repository = repositoryOf(reference);
  // By digest when there is one (`name:tag@digest` pulls the digest, as docker does).
  const pulled =
    reference.digest !== undefined ? `${repository}@${reference.digest}` : formatReference(withDefaultTag(reference));
  await context.sweep(project);
  const ours = reference.digest !== undefined || isStageAlias(pulled, project);
  const previous = ours ? null : await inspectRawImage(client, pulled, signal);
  const auth = await registryAuthFor(context.registryAuth, reference);
  const name = localStageName(project, request.signature);
  const release = holdName(client, pulled);
  let id: string | null = null;
  try {
    await retryEngineTransfer(`pull of ${pulled}`, reference.domain, context.policy, signal, (attempt) =>
      pullImageWith(client, pulled, auth, request.onProgress, attempt.signal, (message) => {
        if (isProgressMessage(message)) attempt.progressed();
      }),
    ).catch((error: unknown) => {
      throw missingReference(error, request.reference) ?? error;
    });
    const image = await inspectRawImage(client, pulled, undefined);
    if (image === null) throw new EngineError(`[docker] ${pulled} is missing right after it was pulled`);
    id = image.Id;
    if (stageDescriptorOf(image, project, request.signature) === null) {
      throw new StorageError(
        `[docker] ${request.reference} is not the stage ${request.signature} of project ${project} (its labels say otherwise)`,
        { hint: "the registry tag was overwritten by something else; delete it and push the stage again" },
      );
    }
    throwIfAborted(signal);
    await tagImageWith(client, image.Id, name, undefined);
  } finally {
    // The pulled reference was only the way in; the stage name is what stays.
    release();
    await dropTransferNames(context, project, repository, pulled, id, previous, signal);
  }
  const stored = await getStage(client, project, request.signature, undefined);
  if (stored === null) throw new EngineError(`[docker] ${name} is missing right after it was tagged`);
  return stored;
}
