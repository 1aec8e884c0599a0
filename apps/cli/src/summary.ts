import type { ProcedureResult } from "@stages/core";

/** The summary table of a procedure result: one line per stage. */
export function summarizeProcedure(result: ProcedureResult): string {
  const lines: string[] = [];
  for (const image of result.images) {
    lines.push(`${image.name ?? "~"}:`);
    for (const stage of image.stages)
      lines.push(
        `  ${(stage.detail ?? stage.name).padEnd(22)} ${stage.signature.slice(0, 12)}  ${stage.action}${stage.pushed ? ", pushed" : ""}${stage.adopted ? " (another host pushed it first)" : ""}`,
      );
    for (const tag of image.tags ?? []) lines.push(`  -> ${tag.reference} (${tag.method})`);
  }
  if (result.recorded)
    lines.push(
      `recorded: commit ${result.recorded.commit.slice(0, 12)}${result.recorded.dirty ? " (with uncommitted edits)" : ""} has ${result.recorded.images.map((image) => image ?? "~").join(", ")}`,
    );
  return lines.join("\n");
}
