import type { CleanupResult, CleanupStage, PurgeResult } from "@stages/core";
import { Command, Option } from "clipanion";
import { insecureRegistryOption, ProjectCommand, type Session } from "../base-command.js";
import { conventions } from "../option-conventions.js";

const dryRunOption = () =>
  conventions(Option.Boolean("--dry-run", false, { description: "Report what would be deleted; change nothing" }), {
    kind: "boolean",
  });

function stageRows(stages: readonly CleanupStage[]): string[] {
  return stages.map((stage) => {
    const why = stage.reasons.length > 0 ? `  ${stage.reasons.join("; ")}` : "";
    return `  ${(stage.image ?? "~").padEnd(14)} ${stage.stage.padEnd(14)} ${stage.signature.slice(0, 12)}  ${(stage.createdAt ?? "?").slice(0, 19).padEnd(19)}  ${stage.outcome}${why}`;
  });
}

/** The table of a cleanup or purge report: every kept stage with its reasons, every deleted one. */
export function summarizeCleanup(result: CleanupResult | PurgeResult): string {
  const lines: string[] = [];
  const verb = result.dryRun ? "would delete" : "deleted";
  const deleted = result.deleted.filter((stage) => stage.outcome !== "absent").length;
  lines.push(`kept ${result.kept.length} stage${result.kept.length === 1 ? "" : "s"} in ${result.repository}:`);
  lines.push(...stageRows(result.kept));
  lines.push(`${verb} ${deleted} stage${deleted === 1 ? "" : "s"}:`);
  lines.push(...stageRows(result.deleted));
  if ("published" in result && result.published.length > 0)
    lines.push(`published images left in place: ${result.published.join(", ")}`);
  if ("leases" in result)
    lines.push(
      `commit records: ${result.records.read} read, ${result.records.kept} kept; leases of builds in progress: ${result.leases.live}${result.leases.expired > 0 ? ` (${result.leases.expired} expired ${result.dryRun ? "found" : "removed"})` : ""}`,
    );
  return lines.join("\n");
}

/** `stages cleanup REPO`: the registry cleanup by werf's keep policies (DESIGN §15). */
export class CleanupCommand extends ProjectCommand {
  static override paths = [["cleanup"]];
  static override usage = Command.Usage({
    description: "Delete the stages of REPO that no kept commit, recent build or running build needs",
    details: `
      Applies \`cleanup.keepPolicies\` of the configuration (werf's syntax; werf's defaults when absent) over the git history of the project's repository: for each branch and tag a policy selects (local and remote-tracking branches, tags), the images of the newest commits of its history, as push, build --push and publish recorded them in REPO, are kept with every stage they need (their whole chain, the images they import from or are based on). Stages built within \`keepImagesBuiltWithinLastNHours\` (default 2), stages a build in progress holds a lease on, and stages whose manifest a published tag shares are kept too. Every other stage of the project in REPO is deleted.

      Before deleting, cleanup reads leases, records and tags again; each stage is then deleted by digest only if its tag still points where the plan saw it. A stage a build finds gone is built again, never a failed build. Space is freed by the registry's own garbage collection afterwards (\`registry garbage-collect\` on CNCF Distribution).

      \`--dry-run\` prints the same report and changes nothing.
    `,
    examples: [
      ["See what cleanup would delete", "stages cleanup registry.example.com/taxi --dry-run"],
      ["Clean up, with a JSON report", "stages cleanup registry.example.com/taxi --json"],
    ],
  });

  repo = Option.String({ name: "REPO" });
  dryRun = dryRunOption();
  override insecureRegistries = insecureRegistryOption();

  override async run(session: Session): Promise<CleanupResult> {
    const { runCleanup } = await import("../run/cleanup.js");
    return runCleanup(session, this);
  }

  override summarize(result: object): string {
    return summarizeCleanup(result as CleanupResult);
  }
}

/** `stages purge REPO`: every stage of the project out of REPO. */
export class PurgeCommand extends ProjectCommand {
  static override paths = [["purge"]];
  static override usage = Command.Usage({
    description: "Delete every stage of the project from REPO",
    details: `
      Deletes every stage of the project from REPO, and its commit records. When REPO (as \`REPO:TAG\`) or a final repository of an image (\`REPO/<image>:TAG\`) holds published images of the project, purge refuses and names them; \`--force\` purges anyway. Published images are never removed, and a stage whose manifest one of them shares is kept (deleting it would delete that tag).
    `,
    examples: [
      ["Purge the stages cache of a project", "stages purge registry.example.com/taxi"],
      ["See what purge would delete", "stages purge registry.example.com/taxi --dry-run"],
    ],
  });

  repo = Option.String({ name: "REPO" });
  force = conventions(
    Option.Boolean("--force", false, {
      description: "Purge even when REPO holds published images of the project (they stay)",
    }),
    { kind: "boolean", env: false },
  );
  dryRun = dryRunOption();
  override insecureRegistries = insecureRegistryOption();

  override async run(session: Session): Promise<PurgeResult> {
    const { runPurge } = await import("../run/cleanup.js");
    return runPurge(session, this);
  }

  override summarize(result: object): string {
    return summarizeCleanup(result as PurgeResult);
  }
}
