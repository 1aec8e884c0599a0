import { type CleanupResult, cleanup, type PurgeResult, purge } from "@stages/core";
import type { Session } from "../base-command.js";
import type { CleanupCommand, PurgeCommand } from "../commands/cleanup.js";

/** `stages cleanup REPO`. */
export async function runCleanup(session: Session, command: CleanupCommand): Promise<CleanupResult> {
  const { services } = session;
  return cleanup({
    config: session.project.config,
    remote: await services.remote(command.repo),
    repository: services.repository(command.repo),
    history: await services.history(),
    dryRun: command.dryRun,
    signal: session.signal,
    onEvent: session.onEvent,
  });
}

/** `stages purge REPO`. */
export async function runPurge(session: Session, command: PurgeCommand): Promise<PurgeResult> {
  const { services } = session;
  return purge({
    config: session.project.config,
    remote: await services.remote(command.repo),
    repository: services.repository(command.repo),
    force: command.force,
    dryRun: command.dryRun,
    signal: session.signal,
    onEvent: session.onEvent,
  });
}
