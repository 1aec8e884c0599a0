import type { HostCleanupResult, Signature } from "@stages/core";
import { describe, expect, it } from "vitest";
import { summarizeHostCleanup } from "./host-summary.js";

const signature = (letter: string) => letter.repeat(64) as Signature;
const usage = (usedBytes: number) => ({
  path: "/var/lib/docker",
  usedBytes,
  totalBytes: 4 * 1024 ** 3,
  usedPercent: Math.round((usedBytes / (4 * 1024 ** 3)) * 10000) / 100,
});

function stage(letter: string, action: "removed" | "kept", reason: string, extra: object = {}) {
  return {
    signature: signature(letter),
    id: `sha256:${signature(letter)}`,
    lastUsedAt: "2026-06-01T10:00:00.000Z",
    createdAt: "2026-06-01T09:00:00.000Z",
    size: 3 * 1024 ** 2,
    containers: [],
    heldBy: [],
    action,
    reason,
    ...extra,
  };
}

describe("summarizeHostCleanup", () => {
  it("gives the usage before and after, the threshold, and every stage's fate with its reason", () => {
    const result = {
      operation: "cleanup",
      project: "taxi",
      storage: "docker unix:///var/run/docker.sock (stages-storage/taxi)",
      dryRun: false,
      allowedVolumeUsage: 70,
      margin: 5,
      keepBuiltWithinHours: 2,
      usageBefore: usage(3 * 1024 ** 3),
      usageAfter: usage(2.5 * 1024 ** 3),
      bytesToFree: 0.4 * 1024 ** 3,
      stages: [
        stage("a", "removed", "least-recently-used"),
        stage("b", "kept", "container", { containers: ["web"] }),
        stage("c", "kept", "held", { heldBy: ["ci-7 pid 42"] }),
      ],
      removed: 1,
      kept: 2,
    } as HostCleanupResult;
    expect(summarizeHostCleanup(result).split("\n")).toEqual([
      "host cleanup of docker unix:///var/run/docker.sock (stages-storage/taxi)",
      "  usage before: 3.0 GiB of 4.0 GiB (75 %) at /var/lib/docker",
      "  threshold: 70 %, cleaning down to 65 %; stages built within 2 h are kept",
      "removed 1 stage, kept 2:",
      "  aaaaaaaaaaaa  removed      least recently used                last used 2026-06-01T10:00:00     3.0 MiB",
      "  bbbbbbbbbbbb  kept         a container uses it                last used 2026-06-01T10:00:00     3.0 MiB  (containers: web)",
      "  cccccccccccc  kept         a running stages command holds it  last used 2026-06-01T10:00:00     3.0 MiB  (held by: ci-7 pid 42)",
      "  usage after: 2.5 GiB of 4.0 GiB (62.5 %) at /var/lib/docker",
    ]);
  });

  it("a dry run says what would go and gives no usage after", () => {
    const result = {
      operation: "purge",
      project: "taxi",
      storage: "docker ssh://build-7 (stages-storage/taxi)",
      dryRun: true,
      usageBefore: null,
      usageAfter: null,
      stages: [{ ...stage("a", "removed", "purge"), action: "would-remove" }],
      removed: 1,
      kept: 0,
      leftovers: null,
    } as HostCleanupResult;
    expect(summarizeHostCleanup(result).split("\n")).toEqual([
      "host purge (dry run) of docker ssh://build-7 (stages-storage/taxi)",
      "  usage before: not measured",
      "would remove 1 stage, kept 0:",
      "  aaaaaaaaaaaa  would-remove purge                              last used 2026-06-01T10:00:00     3.0 MiB",
    ]);
  });
});
