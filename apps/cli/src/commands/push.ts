import type { ProcedureResult } from "@stages/core";
import { Command, Option } from "clipanion";
import { insecureRegistryOption, ProjectCommand, type Session, summarizeProcedure } from "../base-command.js";
import { rest } from "../option-conventions.js";

/** `stages push`: the stages push procedure. */
export class PushCommand extends ProjectCommand {
  static override paths = [["push"]];
  static override usage = Command.Usage({
    description: "Push the stages cache of the images to a registry repository",
    details: `
      Every stage of the current conveyors that exists locally and not in REPO is pushed as \`REPO:image-stage-<signature>\`. A stage REPO already holds costs one HEAD request and is reported \`skipped\`; a stage that is neither local nor remote is reported \`missing\` (build it first).
    `,
    examples: [
      ["Push the stages of every image", "stages push registry.example.com/taxi"],
      ["Push the stages of one image", "stages push backend registry.example.com/taxi"],
    ],
  });

  arguments = rest(Option.Rest({ name: "REPO", required: 1 }), "[IMAGE...] <REPO>");
  override insecureRegistries = insecureRegistryOption();

  override async run(session: Session): Promise<ProcedureResult> {
    const { runPush } = await import("../run/stages.js");
    return runPush(session, this.arguments.slice(0, -1), this.arguments.at(-1)!);
  }

  override summarize(result: object): string {
    return summarizeProcedure(result as ProcedureResult);
  }
}
