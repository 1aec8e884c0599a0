import type { ProcedureResult } from "@stages/core";
import { Command, Option } from "clipanion";
import { insecureRegistryOption, ProjectCommand, type Session, summarizeProcedure } from "../base-command.js";
import { conventions, rest } from "../option-conventions.js";

/** `stages pull`: the optimized stages cache pull. */
export class PullCommand extends ProjectCommand {
  static override paths = [["pull"]];
  static override usage = Command.Usage({
    description: "Pull from a registry only the stages this host needs",
    details: `
      For each image stages walks the conveyor from the last stage backwards and stops at the first stage present locally (nothing to pull) or in REPO (pull it). So only the last common stage is pulled, a stage shared by several images is pulled once, and layers the host already has are not fetched.

      With \`--all\`, every stage of the conveyors that REPO has and this host lacks is pulled.
    `,
    examples: [
      ["Pull what a build of every image needs", "stages pull registry.example.com/taxi"],
      ["Pull every stage of backend", "stages pull backend registry.example.com/taxi --all"],
    ],
  });

  arguments = rest(Option.Rest({ name: "REPO", required: 1 }), "[IMAGE...] <REPO>");
  all = conventions(
    Option.Boolean("--all", false, {
      description: "Pull every remote stage missing locally, not only the last common one",
    }),
    { kind: "boolean" },
  );
  override insecureRegistries = insecureRegistryOption();

  override async run(session: Session): Promise<ProcedureResult> {
    const { runPull } = await import("../run/stages.js");
    return runPull(session, this.arguments.slice(0, -1), this.arguments.at(-1)!, this.all);
  }

  override summarize(result: object): string {
    return summarizeProcedure(result as ProcedureResult);
  }
}
