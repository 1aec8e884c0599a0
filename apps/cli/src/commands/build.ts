import { build, type ProcedureResult } from "@stages/core";
import { Command, Option } from "clipanion";
import * as t from "typanion";
import { ProjectCommand, type Session, summarizeProcedure } from "../base-command.js";
import { projectFacts } from "./procedure-options.js";

export const parallelOption = () =>
  Option.String("--parallel", "1", {
    description: "How many images build at once",
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(1)]),
  });

/** `stages build`: build what changed, reusing every stage found locally or in --repo. */
export class BuildCommand extends ProjectCommand {
  static override paths = [["build"]];
  static override usage = Command.Usage({
    description: "Build the images of stages.yaml, reusing every cached stage",
    details: `
      For each image (dependencies first) stages computes the conveyor and its signatures, finds from the last stage backwards the newest stage present locally — or, with \`--repo\`, in the registry, and then pulls just that one — and builds only the stages after it.

      Every stage is reported as \`cached\`, \`pulled\` or \`built\`. A failed or interrupted build keeps every stage finished before it: run it again to continue.
    `,
    examples: [
      ["Build every image of the project", "stages build"],
      ["Build one image, reusing stages another host pushed", "stages build backend --repo registry.example.com/taxi"],
      ["Build without network in build containers", "stages build --network none"],
    ],
  });

  images = Option.Rest({ name: "IMAGE" });
  repo = Option.String("--repo", {
    description: "Stages cache in a registry: pull the newest stage found there instead of building",
  });
  parallel = parallelOption();

  override async run(session: Session): Promise<ProcedureResult> {
    return runBuild(session, { images: this.images, repo: this.repo, parallel: this.parallel });
  }

  override summarize(result: object): string {
    return summarizeProcedure(result as ProcedureResult);
  }
}

/** Runs the build procedure with the session's adapters (shared by build and build-and-publish). */
export async function runBuild(
  session: Session,
  options: { images: readonly string[]; repo: string | undefined; parallel: number },
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
    parallel: options.parallel,
    signal: session.signal,
    onEvent: session.onEvent,
  });
}
