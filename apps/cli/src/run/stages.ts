import { type Plan, type ProcedureResult, plan, pullStages, pushStages, type StageDescriptor } from "@stages/core";
import type { Session } from "../base-command.js";
import type { ListCommand } from "../commands/list.js";
import type { PlanCommand } from "../commands/plan.js";
import { housekeepingOptions, projectFacts, repositoryProcedureOptions } from "./procedure-options.js";

/** `stages push [IMAGE...] REPO`. */
export async function runPush(session: Session, images: readonly string[], repo: string): Promise<ProcedureResult> {
  return pushStages({
    ...(await repositoryProcedureOptions(session, repo)),
    ...(await housekeepingOptions(session)),
    images,
  });
}

/** `stages pull [IMAGE...] REPO`. */
export async function runPull(
  session: Session,
  images: readonly string[],
  repo: string,
  all: boolean,
): Promise<ProcedureResult> {
  return pullStages({ ...(await repositoryProcedureOptions(session, repo)), images, all });
}

/** `stages plan`. */
export async function runPlan(session: Session, command: PlanCommand): Promise<Plan> {
  const { services } = session;
  return plan({
    config: session.project.config,
    images: command.images,
    local: await services.local(),
    ...(command.repo
      ? {
          remote: await services.remote(command.repo),
          repository: services.repository(command.repo),
          canCopy: (await services.transfer()).copy !== undefined,
        }
      : {}),
    facts: await projectFacts(session),
    pullAll: command.all,
    withStages: command.withStages,
    signal: session.signal,
  });
}

/** `stages list [LOCATION]`. */
export async function runList(
  session: Session,
  command: ListCommand,
): Promise<{ storage: string; stages: StageDescriptor[] }> {
  const { services } = session;
  const storage = command.location ? await services.remote(command.location, command.storage) : await services.local();
  const stages = await storage.list({ signal: session.signal });
  stages.sort(
    (left, right) =>
      (left.createdAt ?? "").localeCompare(right.createdAt ?? "") || left.signature.localeCompare(right.signature),
  );
  return { storage: storage.description, stages };
}
