import { type Plan, plan } from "@stages/core";
import { Command, Option } from "clipanion";
import { ProjectCommand, type Session } from "../base-command.js";

/** `stages plan`: what is where and what each procedure would do. */
export class PlanCommand extends ProjectCommand {
  static override paths = [["plan"]];
  static override usage = Command.Usage({
    description: "Show each stage's signature, where it is, and what build, pull and push would do",
    details: `
      Computes the conveyors and their signatures exactly as build does and asks local storage (and, with \`--repo\`, the registry: one HEAD request per stage) where each stage is. Changes nothing.
    `,
    examples: [
      ["Plan every image against local storage", "stages plan"],
      ["Plan against a registry cache", "stages plan --repo registry.example.com/taxi"],
    ],
  });

  images = Option.Rest({ name: "IMAGE" });
  repo = Option.String("--repo", { description: "Also look the stages up in this registry repository" });

  override async run(session: Session): Promise<Plan> {
    const { services } = session;
    const builder = await services.builder();
    return plan({
      config: session.project.config,
      images: this.images,
      local: await services.local(),
      ...(this.repo ? { remote: await services.remote(this.repo) } : {}),
      ...(services.git ? { git: services.git } : {}),
      ...(builder.resolveBaseDigest ? { resolveBaseDigest: builder.resolveBaseDigest.bind(builder) } : {}),
      signal: session.signal,
    });
  }

  override summarize(result: object): string {
    const planned = result as Plan;
    const remote = planned.images.some((image) => image.stages.some((stage) => stage.remote !== null));
    const header = [
      "STAGE",
      "SIGNATURE",
      "LOCAL",
      ...(remote ? ["REMOTE"] : []),
      "BUILD",
      ...(remote ? ["PULL", "PUSH"] : []),
    ];
    const lines: string[] = [];
    for (const image of planned.images) {
      lines.push(`${image.name ?? "~"}${image.artifact ? " (artifact)" : ""}:`);
      const rows = [
        header,
        ...image.stages.map((stage) => [
          stage.name,
          stage.signature.slice(0, 12),
          stage.local ? "yes" : "no",
          ...(remote ? [stage.remote ? "yes" : "no"] : []),
          stage.build,
          ...(remote ? [stage.pull ?? "", stage.push ?? ""] : []),
        ]),
      ];
      const widths = header.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
      for (const row of rows)
        lines.push(
          `  ${row
            .map((cell, column) => cell.padEnd(widths[column] ?? 0))
            .join("  ")
            .trimEnd()}`,
        );
    }
    return lines.join("\n");
  }
}
