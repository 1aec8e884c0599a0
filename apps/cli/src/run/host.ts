import { cleanupHost, type HostCleanupEvent, type HostCleanupResult, purgeHost, type StorageUsage } from "@stages/core";
import { measureLocalStorage, stateDirectoryFromEnv } from "@stages/docker";
import type { Session } from "../base-command.js";
import type { HostCleanupCommand, HostPurgeCommand } from "../commands/host.js";

/** Shared by both commands: the engine's storage measured at a path instead of its data root. */
function measureAt(path: string | undefined): (() => Promise<StorageUsage | null>) | undefined {
  return path === undefined ? undefined : () => measureLocalStorage(path);
}

function onHostEvent(session: Session): (event: HostCleanupEvent) => void {
  return (event) =>
    session.renderer.info(
      `${event.type === "host-stage-removed" ? "removed" : "kept (came into use)"} ${event.signature.slice(0, 12)}`,
    );
}

/** `stages host cleanup`. */
export async function runHostCleanup(session: Session, command: HostCleanupCommand): Promise<HostCleanupResult> {
  const measureUsage = measureAt(command.storagePath);
  return cleanupHost({
    local: await session.services.local(),
    project: session.project.config.meta.project,
    ...(command.allowedVolumeUsage !== undefined ? { allowedVolumeUsage: command.allowedVolumeUsage } : {}),
    ...(command.margin !== undefined ? { margin: command.margin } : {}),
    ...(command.keepBuiltWithin !== undefined ? { keepBuiltWithinHours: command.keepBuiltWithin } : {}),
    ...(measureUsage ? { measureUsage } : {}),
    dryRun: command.dryRun,
    signal: session.signal,
    onEvent: onHostEvent(session),
  });
}

/** `stages host purge`. */
export async function runHostPurge(session: Session, command: HostPurgeCommand): Promise<HostCleanupResult> {
  const measureUsage = measureAt(command.storagePath);
  const result = await purgeHost({
    local: await session.services.local(),
    project: session.project.config.meta.project,
    ...(measureUsage ? { measureUsage } : {}),
    dryRun: command.dryRun,
    signal: session.signal,
    onEvent: onHostEvent(session),
  });
  const { purgeRemoteMirrors, remoteCacheDirectory } = await import("@stages/git");
  result.gitMirrors = await purgeRemoteMirrors(
    remoteCacheDirectory(stateDirectoryFromEnv(session.env), session.project.config.meta.project),
    { dryRun: command.dryRun, signal: session.signal },
  );
  if (result.kept > 0) {
    session.renderer.info(
      `warning: ${result.kept} stage${result.kept === 1 ? " is" : "s are"} in use and kept (see the report); run host purge again once they are free`,
    );
  }
  return result;
}
