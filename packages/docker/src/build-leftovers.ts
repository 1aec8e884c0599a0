import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { stageLabels } from "@stages/core";
import { buildDirectoryVolumePrefix } from "./build-mounts.js";
import { cacheVolumePrefix } from "./dockerfile-secrets.js";
import type { EngineClient } from "./engine-client.js";
import { isHttpStatus } from "./engine-errors.js";

/**
 * What a killed run leaves (a second Ctrl-C, SIGKILL, a crash): its build container, stopped or
 * still running, and the commit it made but never tagged. Every container the builder makes
 * carries its project and its owner (host, pid and start time of the process); the first build
 * of a project in a later run removes the project's containers whose owner is dead on this host,
 * or that stopped longer than `maxAgeMs` ago when the owner is elsewhere, and the project's
 * untagged images that no container uses once they are older than `danglingMinAgeMs` (younger
 * ones may be between commit and tag in a concurrent run).
 */
export const ownerLabel = "io.stages.owner";

export interface LeftoverPolicy {
  /** Stopped containers of an owner on another host (or unknown) go after this long. */
  maxAgeMs: number;
  /** Untagged images of the project go once this old and unused. */
  danglingMinAgeMs: number;
}

export const defaultLeftoverPolicy: LeftoverPolicy = {
  maxAgeMs: 6 * 60 * 60 * 1000,
  danglingMinAgeMs: 10 * 60 * 1000,
};

/** This process: its host, and when it started (ms since the epoch, as /proc tells another process). */
let self: { host: string; startedAt: number } | undefined;

// Read on first use, not at import: the CLI loads this module on every start.
function thisProcess(): { host: string; startedAt: number } {
  self ??= {
    host: hostname(),
    startedAt: processStartedAt(process.pid) ?? Math.round(Date.now() - process.uptime() * 1000),
  };
  return self;
}

/** `<host>:<pid>:<start ms>`: names this process among every run that ever used the engine. */
export function currentOwner(): string {
  const { host, startedAt } = thisProcess();
  return `${host}:${process.pid}:${startedAt}`;
}

/** The labels of a container the builder makes for `project`. */
export function containerLabels(project: string): Record<string, string> {
  return { [stageLabels.project]: project, [ownerLabel]: currentOwner() };
}

/** Whether the owner is known to be gone: a process of this host that no longer runs. */
export function ownerIsDead(owner: string | undefined): boolean {
  const match = /^(.*):(\d+):(\d+)$/.exec(owner ?? "");
  if (!match || !isOwnerOnThisHost(owner ?? "")) return false;
  const pid = Number(match[2]);
  const started = Number(match[3]);
  if (pid === process.pid) return started !== thisProcess().startedAt;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  // The pid runs, but it may be another process that got the pid since.
  const actual = processStartedAt(pid);
  return actual !== null && Math.abs(actual - started) > 2_000;
}

/** The start time of a process from /proc (Linux), or null when it cannot be read. */
function processStartedAt(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command (which may hold spaces and parentheses); starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    const bootTime = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(bootTime)) return null;
    // USER_HZ is 100 on every Linux the engine runs on.
    return Math.round(bootTime * 1000 + ticks * 10);
  } catch {
    return null;
  }
}

interface ContainerSummary {
  Id: string;
  Names?: string[];
  ImageID?: string;
  State?: string;
  Created?: number;
  Labels?: Record<string, string> | null;
}

interface ImageSummary {
  Id: string;
  Created?: number;
}

/** Removes the project's leftovers; returns the container names, image ids and volumes removed. Never fails. */
export async function sweepBuildLeftovers(
  client: EngineClient,
  project: string,
  policy: LeftoverPolicy,
): Promise<{ containers: string[]; images: string[]; volumes: string[] }> {
  const removed = { containers: [] as string[], images: [] as string[], volumes: [] as string[] };
  const now = Date.now();
  let containers: ContainerSummary[];
  try {
    containers = ((await client.call(undefined, (docker) =>
      docker.listContainers({ all: true, filters: { label: [`${stageLabels.project}=${project}`] } }),
    )) ?? []) as ContainerSummary[];
  } catch {
    return removed;
  }
  for (const container of containers) {
    const owner = container.Labels?.[ownerLabel];
    if (owner === undefined) continue; // not made by the builder
    const stopped = container.State === "exited" || container.State === "created" || container.State === "dead";
    const old = now - (container.Created ?? now / 1000) * 1000 > policy.maxAgeMs;
    const dead = ownerIsDead(owner);
    const ownerAlive = isOwnerOnThisHost(owner) && !dead;
    if (!(dead || (stopped && old && !ownerAlive))) continue;
    try {
      await client.call(undefined, (docker) => docker.getContainer(container.Id).remove({ force: true, v: true }));
      removed.containers.push(container.Names?.[0]?.replace(/^\//, "") ?? container.Id);
    } catch {
      // Gone already, or being removed: either way not ours to worry about now.
    }
  }
  removed.volumes = await sweepSecretsVolumes(client, project, policy, now);
  let images: ImageSummary[];
  let used: Set<string>;
  try {
    images = ((await client.call(undefined, (docker) =>
      docker.listImages({ filters: { dangling: ["true"], label: [`${stageLabels.project}=${project}`] } }),
    )) ?? []) as ImageSummary[];
    const all = ((await client.call(undefined, (docker) => docker.listContainers({ all: true }))) ??
      []) as ContainerSummary[];
    used = new Set(all.map((container) => container.ImageID ?? ""));
  } catch {
    return removed;
  }
  for (const image of images) {
    if (used.has(image.Id)) continue;
    if (now - (image.Created ?? now / 1000) * 1000 < policy.danglingMinAgeMs) continue;
    try {
      // Not forced: an image something still uses (a child, a container made meanwhile) stays.
      await client.call(undefined, (docker) => docker.getImage(image.Id).remove({ force: false, noprune: false }));
      removed.images.push(image.Id);
    } catch {
      // In use after all: a later sweep looks again.
    }
  }
  return removed;
}

function isOwnerOnThisHost(owner: string): boolean {
  return /^(.*):(\d+):(\d+)$/.exec(owner)?.[1] === thisProcess().host;
}

interface VolumeSummary {
  Name: string;
  CreatedAt?: string;
  Labels?: Record<string, string> | null;
}

/**
 * The secrets volumes (`stages-secrets-*`, build-mounts) a killed run left: they hold secret
 * values on the engine's disk, so they go by the containers' rule (dead owner of this host, or
 * older than `maxAgeMs` when the owner is elsewhere). One a running build uses stays (the engine refuses).
 */
async function sweepSecretsVolumes(
  client: EngineClient,
  project: string,
  policy: LeftoverPolicy,
  now: number,
): Promise<string[]> {
  const removed: string[] = [];
  let volumes: VolumeSummary[];
  try {
    volumes = await projectVolumes(client, project, undefined);
  } catch {
    return removed;
  }
  for (const volume of volumes) {
    const owner = volume.Labels?.[ownerLabel];
    if (!volume.Name.startsWith("stages-secrets-") || owner === undefined) continue;
    const created = Date.parse(volume.CreatedAt ?? "");
    const old = Number.isFinite(created) && now - created > policy.maxAgeMs;
    const ownerAlive = isOwnerOnThisHost(owner) && !ownerIsDead(owner);
    if (!(ownerIsDead(owner) || (old && !ownerAlive))) continue;
    try {
      await client.call(undefined, (docker) => docker.getVolume(volume.Name).remove({ force: true }));
      removed.push(volume.Name);
    } catch {
      // In use by a running build, or gone: a later sweep looks again.
    }
  }
  return removed;
}

/** The volumes labelled with the project (secrets, tmp_dir and build_dir volumes of its builds). */
async function projectVolumes(
  client: EngineClient,
  project: string,
  signal: AbortSignal | undefined,
): Promise<VolumeSummary[]> {
  const answer = (await client.call(signal, (docker) =>
    docker.listVolumes({ filters: { label: [`${stageLabels.project}=${project}`] }, abortSignal: signal }),
  )) as { Volumes?: VolumeSummary[] | null } | null;
  return answer?.Volumes ?? [];
}

/**
 * `stages host purge`: the project's `build_dir` caches and Dockerfile `RUN --mount=type=cache`
 * caches (named volumes that persist between builds),
 * removed unless `dryRun`. One a running build uses stays (the engine refuses) and is not reported.
 * The project label is checked with the name: another project's name may share the prefix.
 */
export async function purgeBuildDirectoryVolumes(
  client: EngineClient,
  project: string,
  options: { dryRun: boolean; signal: AbortSignal | undefined },
): Promise<string[]> {
  const prefixes = [buildDirectoryVolumePrefix(project), cacheVolumePrefix(project)];
  const names = (await projectVolumes(client, project, options.signal))
    .map((volume) => volume.Name)
    .filter((name) => prefixes.some((prefix) => name.startsWith(prefix)))
    .sort();
  if (options.dryRun) return names;
  const removed: string[] = [];
  for (const name of names) {
    try {
      await client.call(options.signal, (docker) => docker.getVolume(name).remove({ abortSignal: options.signal }));
      removed.push(name);
    } catch (error) {
      if (isHttpStatus(error, 404)) removed.push(name);
      else if (!isHttpStatus(error, 409)) throw error;
    }
  }
  return removed;
}
