import { build, type ProcedureResult, type ResolvedProject, UsageError } from "@stages/core";
import type { Session } from "../base-command.js";
import type { BuildCommand } from "../commands/build.js";
import { lockUrlOf, openLock } from "../lock.js";
import { housekeepingOptions, projectFacts } from "./procedure-options.js";

/** `stages build`. */
export async function runBuildCommand(session: Session, command: BuildCommand): Promise<ProcedureResult> {
  if (command.push && !command.repo)
    throw new UsageError("--push needs --repo: there is no registry to push the stages to", {
      hint: "add --repo REPO (e.g. --repo registry.example.com/team/app), or drop --push",
    });
  if (command.force && !command.push)
    throw new UsageError("--force only changes what --push does", {
      hint: "add --push --repo REPO, or drop --force",
    });
  return runBuild(session, {
    images: command.images,
    repo: command.repo,
    parallel: command.parallel,
    push: command.push,
    force: command.force,
    lock: command.lock,
  });
}

/** Runs the build procedure with the session's adapters (shared by build and build-and-publish). */
export async function runBuild(
  session: Session,
  options: {
    images: readonly string[];
    repo: string | undefined;
    parallel: number;
    push?: boolean;
    force?: boolean;
    /** --lock; STAGES_LOCK when not given. */
    lock?: string | undefined;
    /** The project as the build left it (build-and-publish publishes from it). */
    onBuilt?: (project: ResolvedProject) => void;
  },
): Promise<ProcedureResult> {
  const lock = await openLock({
    url: lockUrlOf(options.lock, session.env),
    redactor: session.redactor,
    services: session.services,
  });
  try {
    return await buildWith(session, options, lock);
  } finally {
    await lock?.close?.();
  }
}

async function buildWith(
  session: Session,
  options: Parameters<typeof runBuild>[1],
  lock: Awaited<ReturnType<typeof openLock>>,
): Promise<ProcedureResult> {
  const { services } = session;
  const remote = options.repo
    ? {
        storage: await services.remote(options.repo),
        repository: services.repository(options.repo),
        transfer: await services.transfer(),
      }
    : undefined;
  return build({
    config: session.project.config,
    images: options.images,
    local: await services.local(),
    builder: await services.builder(),
    facts: await projectFacts(session),
    ...(remote ? { remote } : {}),
    ...(lock ? { lock } : {}),
    push: options.push ?? false,
    force: options.force ?? false,
    parallel: options.parallel,
    signal: session.signal,
    onEvent: session.onEvent,
    ...(options.onBuilt ? { onBuilt: options.onBuilt } : {}),
    // HEAD is read only when the build records (it pushes).
    ...(options.push ? await housekeepingOptions(session) : { holder: services.holder }),
  });
}
