import { join } from "node:path";
import type { CallOptions, HostHousekeeping, LocalStageUse, Signature, StorageUsage } from "@stages/core";
import { AbortedError, localStageName, StagesError, StorageError, stageLabels } from "@stages/core";
import { forEachLimited } from "@stages/core/internal";
import { defaultLeftoverPolicy, purgeBuildDirectoryVolumes, sweepBuildLeftovers } from "./build-leftovers.js";
import type { EngineClient } from "./engine-client.js";
import { EngineHttpError, isHttpStatus } from "./engine-errors.js";
import { type ImageSummary, stageOfSummary } from "./image-summary.js";
import { inspectRawImage } from "./images.js";
import { holdStages, readHolds } from "./stage-holds.js";
import { engineKey } from "./state-directory.js";
import { measureLocalStorage } from "./storage-usage.js";
import {
  appendJournal,
  compactJournal,
  compactJournalIfLarge,
  journalCompactionBytes,
  readJournal,
} from "./usage-journal.js";

/** Options of `createDockerHostHousekeeping`. */
export interface DockerHostHousekeepingOptions {
  client: EngineClient;
  project: string;
  /** Per-user state directory (journals and holds), see `stateDirectoryFromEnv`. */
  stateDirectory: string;
  /** The clock (tests). */
  now?: () => Date;
}

interface ContainerSummary {
  Id: string;
  Names?: string[];
  ImageID?: string;
}

/** How many images are inspected at once for their last tag time. */
const inspectConcurrency = 8;

/**
 * What host cleanup needs from a Docker Engine for one project (DESIGN §15): how full its data
 * root is, each stage image with its last use, the containers using it and the running commands
 * holding it, and removal by stage tag, never forced.
 */
export function createDockerHostHousekeeping(options: DockerHostHousekeepingOptions): HostHousekeeping {
  const { client, project, stateDirectory } = options;
  const now = options.now ?? (() => new Date());
  const scope = `${engineKey(client.endpoint)}/${project}`;
  const journal = join(stateDirectory, "journal", engineKey(client.endpoint), `${fileSafe(project)}.log`);
  const local = client.endpoint.startsWith("unix://");
  const fail = (what: string, error: unknown): Error => {
    if (AbortedError.isInstance(error) || StagesError.isInstance(error)) return error as Error;
    if (error instanceof EngineHttpError) {
      return new StorageError(`[docker] ${what} in ${client.endpoint}: ${error.engineMessage}`, { cause: error });
    }
    const { code, path } = error as NodeJS.ErrnoException;
    if (code !== undefined && typeof path === "string") {
      return new StorageError(`[docker] ${what}: ${(error as Error).message}`, {
        cause: error,
        hint: `stages keeps the last use of stages and the holds of running commands in ${stateDirectory}: make it writable, or set STAGES_STATE_DIR`,
      });
    }
    return new StorageError(`[docker] ${what}: ${(error as Error).message}`, { cause: error });
  };
  const guarded =
    <A extends unknown[], R>(what: string, operation: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await operation(...args);
      } catch (error) {
        throw fail(what, error);
      }
    };

  return {
    usage: guarded(
      "cannot measure the engine's storage",
      async (callOptions?: CallOptions): Promise<StorageUsage | null> => {
        // A socket reaches an engine of this machine (a VM's socket forwarded here is the exception:
        // its data root then does not exist here, or is not its file system; the CLI's
        // --docker-server-storage-path measures another path instead).
        if (!local) return null;
        const signal = callOptions?.signal;
        const info = (await client.call(signal, (docker) => docker.info())) as {
          DockerRootDir?: string;
        };
        if (typeof info?.DockerRootDir !== "string" || info.DockerRootDir === "") return null;
        return measureLocalStorage(info.DockerRootDir);
      },
    ),

    stages: guarded(
      "cannot list the stages for host cleanup",
      async (callOptions?: CallOptions): Promise<LocalStageUse[]> => {
        const signal = callOptions?.signal;
        const images = ((await client.call(signal, (docker) =>
          docker.listImages({ filters: { label: [`${stageLabels.project}=${project}`] }, abortSignal: signal }),
        )) ?? []) as ImageSummary[];
        const containers = ((await client.call(signal, (docker) =>
          docker.listContainers({ all: true, abortSignal: signal }),
        )) ?? []) as ContainerSummary[];
        const usedBy = new Map<string, string[]>();
        for (const container of containers) {
          if (!container.ImageID) continue;
          const names = usedBy.get(container.ImageID) ?? [];
          names.push(container.Names?.[0]?.replace(/^\//, "") ?? container.Id.slice(0, 12));
          usedBy.set(container.ImageID, names);
        }
        const holds = await readHolds(stateDirectory, scope);
        const uses = await readJournal(journal);
        const stages: LocalStageUse[] = [];
        await forEachLimited(images, inspectConcurrency, async (image) => {
          const descriptor = stageOfSummary(image, project);
          if (descriptor === null) return;
          const name = localStageName(project, descriptor.signature);
          const inspected = (await inspectRawImage(client, name, signal)) as {
            Metadata?: { LastTagTime?: string };
          } | null;
          if (inspected === null) return; // Removed meanwhile.
          const lastUsedAt = newest([
            descriptor.createdAt,
            inspected.Metadata?.LastTagTime,
            uses.get(descriptor.signature),
          ]);
          stages.push({
            signature: descriptor.signature,
            id: descriptor.id,
            parent: descriptor.parent,
            lastUsedAt: lastUsedAt ?? now().toISOString(),
            createdAt: descriptor.createdAt,
            size: descriptor.size,
            containers: usedBy.get(image.Id) ?? [],
            heldBy: holds.get(descriptor.signature) ?? [],
          });
        });
        // Lines of stages that are gone matter no more; the journal stays bounded by what is present.
        await compactJournalIfLarge(journal, new Set(stages.map((stage) => stage.signature))).catch(() => {});
        return stages.sort((left, right) => (left.signature < right.signature ? -1 : 1));
      },
    ),

    remove: guarded(
      "cannot remove a stage",
      async (signature: Signature, callOptions?: CallOptions): Promise<boolean> => {
        const signal = callOptions?.signal;
        const name = localStageName(project, signature);
        // Checked again right before the DELETE: a command that started since the plan holds it now.
        // What remains is the time between this read and the engine's removal (milliseconds); a
        // command that touches a stage in that window and finds it gone builds or pulls it again.
        if ((await readHolds(stateDirectory, scope)).has(signature)) return false;
        // Containers of the image or of an image built on it (`ancestor`), made since the plan.
        const users = ((await client.call(signal, (docker) =>
          docker.listContainers({ all: true, filters: { ancestor: [name] }, abortSignal: signal }),
        )) ?? []) as ContainerSummary[];
        if (users.length > 0) return false;
        try {
          // Untags; the engine deletes the image, and its parents nobody else uses, when it was the
          // last name. Not forced: the engine refuses (409) while a container uses it.
          await client.call(signal, (docker) =>
            docker.getImage(name).remove({ force: false, noprune: false, abortSignal: signal }),
          );
          return true;
        } catch (error) {
          if (isHttpStatus(error, 404)) return true;
          if (isHttpStatus(error, 409)) return false;
          throw error;
        }
      },
    ),

    sweepLeftovers: async (): Promise<{ containers: string[]; images: string[] }> => {
      // The same rule as the sweep before a build: containers of dead owners of this host, stopped
      // ones of other hosts after hours, untagged commits nothing uses once no run can still tag them.
      return sweepBuildLeftovers(client, project, defaultLeftoverPolicy);
    },

    purgeBuildDirectories: async (options?: { signal?: AbortSignal; dryRun?: boolean }): Promise<string[]> =>
      purgeBuildDirectoryVolumes(client, project, { dryRun: options?.dryRun ?? false, signal: options?.signal }),

    touch: guarded("cannot record the use of stages", async (signatures: readonly Signature[]): Promise<void> => {
      if (signatures.length === 0) return;
      await holdStages(stateDirectory, scope, signatures);
      const size = await appendJournal(journal, signatures, now());
      if (size > journalCompactionBytes) await compactJournal(journal).catch(() => {});
    }),
  };
}

/** The newest of some ISO times; unset times (and the engine's zero time) are skipped. */
export function newest(times: readonly (string | null | undefined)[]): string | null {
  let best: number | null = null;
  for (const time of times) {
    if (!time) continue;
    const value = Date.parse(time);
    // The engine reports "0001-01-01T00:00:00Z" for an image never tagged since it was made.
    if (Number.isNaN(value) || value <= 0) continue;
    if (best === null || value > best) best = value;
  }
  return best === null ? null : new Date(best).toISOString();
}

function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}
