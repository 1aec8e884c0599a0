import type { CallOptions, Signature, StageDescriptor, StagesStorage } from "@stages/core";
import {
  AbortedError,
  descriptorFromLabels,
  EngineError,
  localStageName,
  localStagesRepository,
  StagesError,
  StorageError,
  stageLabels,
  stagesStorageSpecificationVersion,
} from "@stages/core";
import type { DockerConnection } from "./connection.js";
import { engineOf } from "./connection.js";
import type { EngineClient } from "./engine-client.js";
import { EngineHttpError, isHttpStatus } from "./engine-errors.js";
import { createDockerHostHousekeeping } from "./host-housekeeping.js";
import { type ImageSummary, stageOfSummary } from "./image-summary.js";
import type { RawImage } from "./images.js";
import { inspectRawImage } from "./images.js";
import { stateDirectoryFromEnv } from "./state-directory.js";

/** Options of `createDockerStagesStorage`. */
export interface DockerStagesStorageOptions {
  connection: DockerConnection;
  project: string;
  /**
   * Per-user state directory for host cleanup (last use of stages, holds of running commands);
   * default `~/.local/state/stages` (the CLI passes `stateDirectoryFromEnv`'s answer).
   */
  stateDirectory?: string | undefined;
}

/**
 * Local stages storage in a Docker Engine's image store (DESIGN §6): a stage is the image
 * `stages-storage/<project>:<signature>` whose labels describe it.
 */
export function createDockerStagesStorage(options: DockerStagesStorageOptions): StagesStorage {
  const { connection, project } = options;
  const client = engineOf(connection);
  const repository = localStagesRepository(project);

  const fail = (what: string, error: unknown): Error => {
    if (AbortedError.isInstance(error)) return error;
    if (error instanceof EngineHttpError) {
      return new StorageError(`[docker] ${what} in ${connection.endpoint}: ${error.engineMessage}`, { cause: error });
    }
    if (EngineError.isInstance(error)) return new StorageError(error.message, { cause: error, hint: error.hint });
    if (StagesError.isInstance(error)) return error;
    return new StorageError(`[docker] ${what}: ${(error as Error).message}`, { cause: error });
  };

  return {
    specificationVersion: stagesStorageSpecificationVersion,
    kind: "local",
    description: `docker ${connection.endpoint} (${repository})`,
    host: createDockerHostHousekeeping({
      client,
      project,
      stateDirectory: options.stateDirectory ?? stateDirectoryFromEnv({}),
    }),

    async get(signature, callOptions) {
      try {
        return await getStage(client, project, signature, callOptions?.signal);
      } catch (error) {
        throw fail(`cannot read stage ${signature}`, error);
      }
    },

    async has(signature, callOptions) {
      try {
        return (await getStage(client, project, signature, callOptions?.signal)) !== null;
      } catch (error) {
        throw fail(`cannot read stage ${signature}`, error);
      }
    },

    async list(callOptions?: CallOptions) {
      try {
        const signal = callOptions?.signal;
        const images = (await client.call(signal, (docker) =>
          docker.listImages({ filters: { label: [`${stageLabels.project}=${project}`] }, abortSignal: signal }),
        )) as ImageSummary[] | null;
        const stages: StageDescriptor[] = [];
        for (const image of images ?? []) {
          const descriptor = stageOfSummary(image, project);
          if (descriptor) stages.push(descriptor);
        }
        return stages.sort((a, b) => (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0));
      } catch (error) {
        throw fail("cannot list stages", error);
      }
    },

    async delete(signature, callOptions) {
      try {
        // Untags; the image goes when nothing else (a tag, a child stage) keeps it.
        const signal = callOptions?.signal;
        await client.call(signal, (docker) =>
          docker.getImage(localStageName(project, signature)).remove({ abortSignal: signal }),
        );
      } catch (error) {
        if (isHttpStatus(error, 404)) return;
        throw fail(`cannot delete stage ${signature}`, error);
      }
    },
  };
}

/** The stage stored under its name, or null when absent or not a stage of this project. */
export async function getStage(
  client: EngineClient,
  project: string,
  signature: Signature,
  signal: AbortSignal | undefined,
): Promise<StageDescriptor | null> {
  const image = await inspectRawImage(client, localStageName(project, signature), signal);
  if (image === null) return null;
  return stageDescriptorOf(image, project, signature);
}

/** The descriptor of an inspected stage image; null when its labels do not name this stage. */
export function stageDescriptorOf(image: RawImage, project: string, signature: Signature): StageDescriptor | null {
  const descriptor = descriptorFromLabels({
    id: image.Id,
    labels: image.Config?.Labels,
    createdAt: image.Created ?? null,
    size: typeof image.Size === "number" ? image.Size : null,
  });
  if (descriptor === null || descriptor.project !== project || descriptor.signature !== signature) return null;
  return descriptor;
}
