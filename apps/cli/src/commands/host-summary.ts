import type { HostCleanupResult, HostUsageReport } from "@stages/core";

function formatBytes(bytes: number | null): string {
  if (bytes === null) return "?";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function formatUsage(usage: HostUsageReport | null): string {
  return usage === null
    ? "not measured"
    : `${formatBytes(usage.usedBytes)} of ${formatBytes(usage.totalBytes)} (${usage.usedPercent} %) at ${usage.path}`;
}

const reasonText: Record<string, string> = {
  container: "a container uses it",
  held: "a running stages command holds it",
  "built-recently": "built recently",
  "parent-of-kept": "a kept stage is built on it",
  "below-threshold": "storage below the threshold",
  "target-reached": "storage down to the target",
  "in-use": "came into use before its removal",
  "least-recently-used": "least recently used",
  purge: "purge",
};

/** The report of host cleanup and host purge: usage before and after, every stage with its fate and why. */
export function summarizeHostCleanup(result: HostCleanupResult): string {
  const lines = [`host ${result.operation}${result.dryRun ? " (dry run)" : ""} of ${result.storage}`];
  lines.push(`  usage before: ${formatUsage(result.usageBefore)}`);
  if (result.operation === "cleanup") {
    lines.push(
      `  threshold: ${result.allowedVolumeUsage} %, cleaning down to ${Math.max(0, (result.allowedVolumeUsage ?? 0) - (result.margin ?? 0))} %; stages built within ${result.keepBuiltWithinHours} h are kept`,
    );
  }
  const verb = result.dryRun ? "would remove" : "removed";
  lines.push(`${verb} ${result.removed} stage${result.removed === 1 ? "" : "s"}, kept ${result.kept}:`);
  for (const stage of result.stages) {
    const users = [
      stage.containers.length > 0 ? `containers: ${stage.containers.join(", ")}` : "",
      stage.heldBy.length > 0 ? `held by: ${stage.heldBy.join(", ")}` : "",
    ].filter(Boolean);
    lines.push(
      `  ${stage.signature.slice(0, 12)}  ${stage.action.padEnd(12)} ${(reasonText[stage.reason] ?? stage.reason).padEnd(34)} last used ${stage.lastUsedAt.slice(0, 19)}  ${formatBytes(stage.size).padStart(10)}${users.length > 0 ? `  (${users.join("; ")})` : ""}`,
    );
  }
  const volumes = result.leftovers?.volumes?.length ?? 0;
  if (
    result.leftovers &&
    (result.leftovers.containers.length > 0 || result.leftovers.images.length > 0 || volumes > 0)
  ) {
    lines.push(
      `build leftovers removed: ${result.leftovers.containers.length} container(s), ${result.leftovers.images.length} untagged image(s)${volumes > 0 ? `, ${volumes} secrets volume(s)` : ""}`,
    );
  }
  if (result.buildDirectories && result.buildDirectories.length > 0) {
    lines.push(
      `build caches (build_dir, RUN --mount=type=cache) ${result.dryRun ? "that would be removed" : "removed"}: ${result.buildDirectories.join(", ")}`,
    );
  }
  if (result.gitMirrors && result.gitMirrors.length > 0) {
    lines.push(`git mirrors ${result.dryRun ? "that would be removed" : "removed"}: ${result.gitMirrors.join(", ")}`);
  }
  if (!result.dryRun) lines.push(`  usage after: ${formatUsage(result.usageAfter)}`);
  return lines.join("\n");
}
