import type { Plan } from "@stages/core";
import { Command, Option } from "clipanion";
import { insecureRegistryOption, ProjectCommand, type Session } from "../base-command.js";
import { conventions, rest } from "../option-conventions.js";
import { repoOption } from "./build.js";

/** `stages plan`: what is where and what each procedure would do. */
export class PlanCommand extends ProjectCommand {
  static override paths = [["plan"]];
  static override usage = Command.Usage({
    description: "Show each stage's signature, where it is, and what build, pull, push and publish would do",
    details: `
      Resolves the project exactly as the procedures do (same facts: git content, stageDependencies, base digests for \`fromLatest\`) and asks local storage (and, with \`--repo\`, the registry: one HEAD request per stage) where each stage is. The actions are computed by the very functions build, pull, push and publish carry out: \`build\` is what \`stages build\` (with the same \`--repo\`) would do; with \`--repo\`, \`pull\`, \`push\` and each image's \`publish\` method are what \`stages pull\`, \`stages push\` and \`stages publish\` would do. \`--all\` plans \`pull --all\`, \`--with-stages\` plans \`publish --with-stages\`. Changes nothing.
    `,
    examples: [
      ["Plan every image against local storage", "stages plan"],
      ["Plan against a registry cache", "stages plan --repo registry.example.com/taxi"],
      ["What pull --all would bring", "stages plan backend --repo registry.example.com/taxi --all"],
    ],
  });

  images = rest(Option.Rest({ name: "IMAGE" }), "[IMAGE...]");
  repo = repoOption("Also look the stages up in this registry repository");
  all = conventions(Option.Boolean("--all", false, { description: "Plan pull as `stages pull --all` would do it" }), {
    kind: "boolean",
  });
  withStages = conventions(
    Option.Boolean("--with-stages", false, {
      description: "Plan publish as `stages publish --with-stages` would do it",
    }),
    { kind: "boolean" },
  );
  override insecureRegistries = insecureRegistryOption();

  override async run(session: Session): Promise<Plan> {
    const { runPlan } = await import("../run/stages.js");
    return runPlan(session, this);
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
      const publish = image.publish !== null ? ` (publish: ${image.publish})` : "";
      lines.push(
        `${image.name ?? "~"}${image.artifact ? " (artifact)" : image.final ? "" : " (final: false)"}${publish}:`,
      );
      for (const mapping of image.git ?? []) {
        const revision =
          mapping.revision === null ? "default branch" : `${mapping.revision.kind} ${mapping.revision.name}`;
        lines.push(
          `  ${mapping.id}: ${mapping.url} ${revision}${mapping.commit !== null ? ` at ${mapping.commit}` : ""}`,
        );
      }
      const rows = [
        header,
        ...image.stages.map((stage) => [
          stage.detail ?? stage.name,
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
