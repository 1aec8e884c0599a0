import type { CleanupConfig, CleanupLimit, CleanupPolicy, ProjectMeta } from "./model.js";

const hour = 3_600_000;

function limit(last: number | null, inMs: number | null = null, operator: "And" | "Or" = "And"): CleanupLimit {
  return { last, inMs, operator };
}

/** werf's `imagesPerReference` when a policy has none: the newest image only (werf's MetaCleanupKeepPolicyImagesPerReference). */
export const defaultImagesPerReference: Readonly<CleanupLimit> = Object.freeze(limit(1));

/**
 * werf's policies when `keepPolicies` is absent or empty (werf v2 pkg/cleaning/git_history_based_cleanup
 * reference_to_scan.go): the newest image of the 10 newest tags; up to 2 images from the last week of
 * the 10 branches active in the last week; the 10 newest images of main, master, staging and
 * production. werf's docs say 2 for the last one since 2025, but werf's code keeps 10 (the change was
 * lost in a later refactoring): stages keeps 10, the safer of the two.
 */
export const defaultKeepPolicies: readonly CleanupPolicy[] = Object.freeze([
  {
    references: { kind: "tag", match: { kind: "regexp", source: ".*" }, limit: limit(10) },
    imagesPerReference: limit(1),
    position: null,
  },
  {
    references: { kind: "branch", match: { kind: "regexp", source: ".*" }, limit: limit(10, 168 * hour, "And") },
    imagesPerReference: limit(2, 168 * hour, "And"),
    position: null,
  },
  {
    references: {
      kind: "branch",
      match: { kind: "regexp", source: "^(main|master|staging|production)$" },
      limit: null,
    },
    imagesPerReference: limit(10),
    position: null,
  },
] satisfies CleanupPolicy[]);

/** `cleanup:` when the meta document has none: werf's defaults (2 hours, the policies above, nothing disabled). */
export const defaultCleanupConfig: Readonly<CleanupConfig> = Object.freeze({
  disabled: false,
  keepPolicies: [...defaultKeepPolicies],
  keepImagesBuiltWithinLastNHours: 2,
  disableGitHistoryBasedPolicy: false,
  disableBuiltWithinLastNHoursPolicy: false,
});

/** The cleanup settings of a project: its `cleanup:`, or werf's defaults when it has none. */
export function cleanupPolicies(meta: Pick<ProjectMeta, "cleanup">): CleanupConfig {
  return meta.cleanup ?? defaultCleanupConfig;
}
