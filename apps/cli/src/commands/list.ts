import type { StageDescriptor } from "@stages/core";
import { Command, Option } from "clipanion";
import { insecureRegistryOption, ProjectCommand, type Session } from "../base-command.js";
import { conventions } from "../option-conventions.js";

/** `stages list`: the stages of this project in local or remote storage. */
export class ListCommand extends ProjectCommand {
  static override paths = [["list"]];
  static override usage = Command.Usage({
    description: "List the stages of this project in local storage, or in a remote one",
    details: `
      Without LOCATION: the stage images of the project in the local Docker Engine. With a REPO: the \`image-stage-*\` tags of that registry repository (this one does list tags). \`--storage\` picks a remote storage a plugin registered.
    `,
    examples: [
      ["Stages on this host", "stages list"],
      ["Stages in a registry", "stages list registry.example.com/taxi"],
    ],
  });

  location = Option.String({ name: "LOCATION", required: false });
  storage = conventions(
    Option.String("--storage", {
      description: "Remote storage to list (registered by a plugin); default: registry",
    }),
    { value: "name" },
  );
  override insecureRegistries = insecureRegistryOption();

  override async run(session: Session): Promise<{ storage: string; stages: StageDescriptor[] }> {
    const { runList } = await import("../run/stages.js");
    return runList(session, this);
  }

  override summarize(result: object): string {
    const { storage, stages } = result as { storage: string; stages: StageDescriptor[] };
    const lines = [`${stages.length} stage${stages.length === 1 ? "" : "s"} in ${storage}`];
    for (const stage of stages) {
      lines.push(
        `  ${stage.signature.slice(0, 12)}  ${(stage.image ?? "~").padEnd(16)} ${stage.stage.padEnd(20)} ${stage.createdAt ?? ""}`,
      );
    }
    return lines.join("\n");
  }
}
