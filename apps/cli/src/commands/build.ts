import type { ProcedureResult } from "@stages/core";
import { Command, Option } from "clipanion";
import * as t from "typanion";
import {
  insecureRegistryOption,
  networkOption,
  ProjectCommand,
  type Session,
  summarizeProcedure,
} from "../base-command.js";
import { conventions, rest } from "../option-conventions.js";

export const parallelOption = () =>
  conventions(
    Option.String("--parallel", "1", {
      description: "How many images build at once",
      validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(1)]),
    }),
    { value: "n" },
  );

export const lockOption = () =>
  conventions(
    Option.String("--lock", {
      description:
        "Redis lock (redis://[user:pass@]host:port[/db]; empty: none): each stage is built by one host at a time; $STAGES_LOCK_TTL_MS sets how long a dead holder keeps it (default 30000)",
    }),
    { value: "url", secret: true },
  );

/** `--repo` of build and plan: the stages cache to look in. */
export const repoOption = (description: string) =>
  conventions(Option.String("--repo", { description }), { value: "repo" });

/** `stages build`: build what changed, reusing every stage found locally or in --repo. */
export class BuildCommand extends ProjectCommand {
  static override paths = [["build"]];
  static override usage = Command.Usage({
    description: "Build the images of stages.yaml, reusing every cached stage",
    details: `
      For each image (dependencies first) stages computes the conveyor and its signatures, finds from the last stage backwards the newest stage present locally — or, with \`--repo\`, in the registry, and then pulls just that one — and builds only the stages after it.

      Every stage is reported as \`cached\`, \`pulled\` or \`built\`. A failed or interrupted build keeps every stage finished before it: run it again to continue.

      With \`--push\` (needs \`--repo\`) every stage of the selected images that REPO lacks is pushed to \`REPO:image-stage-<signature>\`, each as soon as it is built, while the next one builds. Before building a stage stages checks REPO again and pulls it if another host pushed it meanwhile; a stage another host pushed while this one built it is not overwritten (\`--force\` pushes it anyway). Many hosts can build the same project into one REPO at once without a lock: some of them may build the same stage, none breaks another.

      \`--lock\` (or \`STAGES_LOCK\`) adds a Redis lock per stage so that each stage is built by one host only: a host waiting for a stage another one builds pulls it from REPO as soon as it is there. Without \`--repo\` the lock still serializes builds, but a waiter cannot watch REPO and builds the stage itself once the lock is free. If Redis is unreachable, stages says so once and builds without the lock. A host killed while holding a stage's lock keeps it until the lock's TTL runs out (\`STAGES_LOCK_TTL_MS\`, default 30000).
    `,
    examples: [
      ["Build every image of the project", "stages build"],
      ["Build one image, reusing stages another host pushed", "stages build backend --repo registry.example.com/taxi"],
      ["Build without network in build containers", "stages build --network none"],
      ["Build and share each stage as soon as it is built", "stages build --repo registry.example.com/taxi --push"],
      [
        "Many CI hosts at once, each stage built once",
        "stages build --repo registry.example.com/taxi --push --lock redis://:secret@redis.example.com:6379",
      ],
    ],
  });

  images = rest(Option.Rest({ name: "IMAGE" }), "[IMAGE...]");
  repo = repoOption("Stages cache in a registry: pull the newest stage found there instead of building");
  push = conventions(
    Option.Boolean("--push", false, {
      description: "Push every stage REPO lacks as soon as it is built (needs --repo)",
    }),
    { kind: "boolean" },
  );
  force = conventions(
    Option.Boolean("--force", false, {
      description: "With --push: push built stages even over a tag another host pushed meanwhile",
    }),
    { kind: "boolean", env: false },
  );
  lock = lockOption();
  parallel = parallelOption();
  override network = networkOption();
  override insecureRegistries = insecureRegistryOption();

  override async run(session: Session): Promise<ProcedureResult> {
    const { runBuildCommand } = await import("../run/build.js");
    return runBuildCommand(session, this);
  }

  override summarize(result: object): string {
    return summarizeProcedure(result as ProcedureResult);
  }
}
