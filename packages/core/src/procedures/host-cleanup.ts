import type { CallOptions } from "../adapters/common.js";
import type { HostHousekeeping, LocalStageUse, StorageUsage } from "../adapters/housekeeping.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import { throwIfAborted, UsageError } from "../errors.js";
import type { Signature } from "../signature-type.js";

/*
 * Host cleanup and host purge (DESIGN §15): the local stage images of one project on one engine.
 * A pure selection decides, from each stage's use and the storage's usage, what goes and why; the
 * procedures apply it through the storage's `host` capability, removing by stage tag, never forced.
 */

/** werf's defaults: clean above 70 % used, down to 5 points below. */
export const defaultAllowedVolumeUsage = 70;
export const defaultVolumeUsageMargin = 5;
/** Stages built this recently stay (werf's `keepImagesBuiltWithinLastNHours` default). */
export const defaultKeepBuiltWithinHours = 2;

/**
 * Why a stage was kept or removed:
 * - `container`: a container (any state) uses its image;
 * - `held`: a running stages command uses it;
 * - `built-recently`: created within `keepBuiltWithinHours`;
 * - `parent-of-kept`: a kept stage is built on it, so removing it would free nothing;
 * - `below-threshold`: the storage is used no more than allowed: nothing needs to go;
 * - `target-reached`: enough went before it (least recently used first) to reach the threshold minus the margin;
 * - `in-use`: a hold or a container appeared between the plan and its removal;
 * - `least-recently-used`: removed by host cleanup;
 * - `purge`: removed by host purge.
 */
export type HostStageReason =
  | "container"
  | "held"
  | "built-recently"
  | "parent-of-kept"
  | "below-threshold"
  | "target-reached"
  | "in-use"
  | "least-recently-used"
  | "purge";

/** What happens (or happened) to one stage. */
export interface HostStageDecision {
  stage: LocalStageUse;
  action: "remove" | "keep";
  reason: HostStageReason;
}

/** Input of the pure selection. */
export interface HostSelectionInput {
  stages: readonly LocalStageUse[];
  /** The storage's usage; null (cannot be measured) removes every removable stage. */
  usage: StorageUsage | null;
  /** Percent used above which stages are removed. */
  allowedVolumeUsage: number;
  /** Removal goes on until usage is at or below `allowedVolumeUsage - margin` percent. */
  margin: number;
  keepBuiltWithinHours: number;
  now: Date;
  /** Host purge: every unprotected stage goes, whatever the usage. */
  purge?: boolean;
}

/** The decisions, in removal order (least recently used first) then the kept stages. */
export interface HostSelection {
  decisions: HostStageDecision[];
  /** Bytes to free to reach the target; null without a measured usage (or in a purge). */
  bytesToFree: number | null;
  /** Sum of the estimates of the stages selected for removal. */
  estimatedBytes: number;
}

/** Percent of the storage that is used. */
export function usagePercent(usage: StorageUsage): number {
  return usage.totalBytes > 0 ? (usage.usedBytes / usage.totalBytes) * 100 : 0;
}

/**
 * Which stages go, least recently used first (pure). Protected: a container uses it, a running
 * command holds it, it was built within the window, or a protected stage is built on it. When
 * usage is above the threshold, stages go until the estimated freed bytes bring it to the threshold
 * minus the margin; each stage's estimate is its size minus its parent stage's (the layers it adds),
 * or its size when the parent is not a local stage (an overestimate: the base image's layers stay).
 */
export function selectHostRemovals(input: HostSelectionInput): HostSelection {
  const bySignature = new Map(input.stages.map((stage) => [stage.signature, stage]));
  const protectedReason = new Map<Signature, HostStageReason>();
  const recentSince = input.now.getTime() - input.keepBuiltWithinHours * 3_600_000;
  for (const stage of input.stages) {
    if (stage.containers.length > 0) protectedReason.set(stage.signature, "container");
    else if (stage.heldBy.length > 0) protectedReason.set(stage.signature, "held");
    else if (
      !input.purge &&
      input.keepBuiltWithinHours > 0 &&
      stage.createdAt !== null &&
      Date.parse(stage.createdAt) > recentSince
    )
      protectedReason.set(stage.signature, "built-recently");
  }
  for (const signature of [...protectedReason.keys()]) {
    let parent = bySignature.get(signature)?.parent ?? null;
    const seen = new Set<Signature>([signature]);
    while (parent !== null && !seen.has(parent)) {
      seen.add(parent);
      const stage = bySignature.get(parent);
      if (!stage) break;
      if (!protectedReason.has(parent)) protectedReason.set(parent, "parent-of-kept");
      parent = stage.parent ?? null;
    }
  }

  const lastUse = effectiveLastUse(input.stages);
  const removable = input.stages
    .filter((stage) => !protectedReason.has(stage.signature))
    .sort((left, right) => leastRecentlyUsedFirst(left, right, lastUse));
  const kept: HostStageDecision[] = input.stages
    .filter((stage) => protectedReason.has(stage.signature))
    .map((stage) => ({ stage, action: "keep", reason: protectedReason.get(stage.signature) as HostStageReason }));

  let bytesToFree: number | null = null;
  let triggered = true;
  if (!input.purge && input.usage !== null) {
    const { usedBytes, totalBytes } = input.usage;
    triggered = usagePercent(input.usage) > input.allowedVolumeUsage;
    const target = (Math.max(0, input.allowedVolumeUsage - input.margin) / 100) * totalBytes;
    bytesToFree = triggered ? Math.max(0, usedBytes - target) : 0;
  }
  const decisions: HostStageDecision[] = [];
  let estimatedBytes = 0;
  for (const stage of removable) {
    if (!triggered) decisions.push({ stage, action: "keep", reason: "below-threshold" });
    else if (bytesToFree !== null && estimatedBytes >= bytesToFree)
      decisions.push({ stage, action: "keep", reason: "target-reached" });
    else {
      decisions.push({ stage, action: "remove", reason: input.purge ? "purge" : "least-recently-used" });
      estimatedBytes += estimatedSize(stage, bySignature);
    }
  }
  return { decisions: [...decisions, ...kept], bytesToFree, estimatedBytes };
}

/**
 * When each stage was last used, counting a use of a stage built on it as a use of it: the child's
 * image is made of the parent's layers. So a parent never looks older than its children (a build
 * touches its whole conveyor first, then tags the stages it builds, which makes them newer).
 */
function effectiveLastUse(stages: readonly LocalStageUse[]): Map<Signature, number> {
  const bySignature = new Map(stages.map((stage) => [stage.signature, stage]));
  const effective = new Map<Signature, number>(stages.map((stage) => [stage.signature, Date.parse(stage.lastUsedAt)]));
  for (const stage of stages) {
    const time = Date.parse(stage.lastUsedAt);
    let parent = bySignature.get(stage.parent ?? ("" as Signature));
    const seen = new Set<Signature>([stage.signature]);
    while (parent && !seen.has(parent.signature)) {
      seen.add(parent.signature);
      if ((effective.get(parent.signature) as number) < time) effective.set(parent.signature, time);
      parent = bySignature.get(parent.parent ?? ("" as Signature));
    }
  }
  return effective;
}

/**
 * Least recently used first. On equal use (a child's use counts for its parent) the newer stage
 * goes first: a child is always newer than its parent, and removing the parent before the child
 * frees nothing.
 */
function leastRecentlyUsedFirst(
  left: LocalStageUse,
  right: LocalStageUse,
  lastUse: ReadonlyMap<Signature, number>,
): number {
  const used = (lastUse.get(left.signature) as number) - (lastUse.get(right.signature) as number);
  if (used !== 0) return used;
  const created = Date.parse(right.createdAt ?? "") - Date.parse(left.createdAt ?? "");
  if (created !== 0 && !Number.isNaN(created)) return created;
  return left.signature < right.signature ? -1 : left.signature > right.signature ? 1 : 0;
}

function estimatedSize(stage: LocalStageUse, bySignature: ReadonlyMap<Signature, LocalStageUse>): number {
  const size = stage.size ?? 0;
  const parentSize = stage.parent ? bySignature.get(stage.parent)?.size : undefined;
  return typeof parentSize === "number" && parentSize <= size ? size - parentSize : size;
}

/** Usage in a report: the measurement and its percentage. */
export interface HostUsageReport extends StorageUsage {
  usedPercent: number;
}

/** One stage in a host cleanup or purge report. */
export interface HostStageReport {
  signature: Signature;
  id: string;
  lastUsedAt: string;
  createdAt: string | null;
  size: number | null;
  containers: readonly string[];
  heldBy: readonly string[];
  /** `would-remove`: a dry run's plan. */
  action: "removed" | "would-remove" | "kept";
  reason: HostStageReason;
}

/** Emitted as each stage is removed or found in use at its removal. */
export type HostCleanupEvent = { type: "host-stage-removed" | "host-stage-in-use"; signature: Signature };

/** The result document of host cleanup and host purge. */
export interface HostCleanupResult {
  operation: "cleanup" | "purge";
  project: string;
  /** The local storage, e.g. `docker unix:///var/run/docker.sock (stages-storage/taxi)`. */
  storage: string;
  dryRun: boolean;
  /** Cleanup only: the options it ran with. */
  allowedVolumeUsage?: number;
  margin?: number;
  keepBuiltWithinHours?: number;
  /** Null when the storage cannot be measured from here. */
  usageBefore: HostUsageReport | null;
  /** Null in a dry run or when it cannot be measured. */
  usageAfter: HostUsageReport | null;
  /** Cleanup: bytes to free to reach the target when measured (the first round's). */
  bytesToFree?: number | null;
  /** Stages in removal order, then the kept ones. */
  stages: HostStageReport[];
  removed: number;
  kept: number;
  /** Build leftovers removed first (null in a dry run or when the storage cannot sweep them). */
  leftovers?: { containers: string[]; images: string[]; volumes?: string[] } | null;
  /**
   * Purge only: the project's `build_dir` caches removed (in a dry run: that would be removed); null
   * when the storage keeps none.
   */
  buildDirectories?: string[] | null;
  /**
   * Purge only: this host's mirrors of the project's remote git mappings removed (would be, in a
   * dry run). The git adapter keeps them; the CLI purges them after the engine's storage.
   */
  gitMirrors?: string[];
}

/** Options of `cleanupHost`. */
export interface HostCleanupOptions extends CallOptions {
  /** The local stages storage; it needs the `host` capability. */
  local: StagesStorage;
  project: string;
  /** Percent (0–100) of the storage used above which stages go; default 70. 0 removes every removable stage. */
  allowedVolumeUsage?: number;
  /** Percentage points below the threshold to clean down to; default 5. */
  margin?: number;
  /** Stages created within this many hours stay; default 2. */
  keepBuiltWithinHours?: number;
  /** Report what would go, remove nothing. */
  dryRun?: boolean;
  now?: Date;
  /** Measures the storage instead of `local.host.usage()` (a data root mounted elsewhere). */
  measureUsage?: () => Promise<StorageUsage | null>;
  onEvent?: (event: HostCleanupEvent) => void;
}

function hostOf(local: StagesStorage): HostHousekeeping {
  if (!local.host) {
    throw new UsageError(
      `the local storage ${local.description} cannot be cleaned by stages: it has no host capability`,
      {
        hint: "use the docker local storage, or a plugin storage that implements `host` (HostHousekeeping)",
      },
    );
  }
  return local.host;
}

function checkPercent(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 100) {
    throw new UsageError(`${name} must be a percentage from 0 to 100, not ${value}`);
  }
}

function usageReport(usage: StorageUsage | null): HostUsageReport | null {
  return usage === null ? null : { ...usage, usedPercent: Math.round(usagePercent(usage) * 100) / 100 };
}

function stageReport(decision: HostStageDecision, dryRun: boolean, done?: "removed" | "in-use"): HostStageReport {
  const { stage } = decision;
  const action =
    done === "removed"
      ? "removed"
      : done === "in-use"
        ? "kept"
        : decision.action === "remove"
          ? dryRun
            ? "would-remove"
            : "removed"
          : "kept";
  return {
    signature: stage.signature,
    id: stage.id,
    lastUsedAt: stage.lastUsedAt,
    createdAt: stage.createdAt,
    size: stage.size,
    containers: stage.containers,
    heldBy: stage.heldBy,
    action,
    reason: done === "in-use" ? "in-use" : decision.reason,
  };
}

/**
 * `stages host cleanup`: removes the leftovers of killed builds, then, when the engine's storage
 * is used above the threshold, the project's least recently used stages that nothing protects,
 * until it is at or below the threshold minus the margin. Stages are removed one by one; the usage is measured again after
 * each round of removals (sizes are estimates: layers shared with other images stay) and another
 * round follows while it is still above the target and removable stages remain.
 */
export async function cleanupHost(options: HostCleanupOptions): Promise<HostCleanupResult> {
  const host = hostOf(options.local);
  const allowedVolumeUsage = options.allowedVolumeUsage ?? defaultAllowedVolumeUsage;
  const margin = options.margin ?? defaultVolumeUsageMargin;
  const keepBuiltWithinHours = options.keepBuiltWithinHours ?? defaultKeepBuiltWithinHours;
  checkPercent("the allowed volume usage", allowedVolumeUsage);
  checkPercent("the volume usage margin", margin);
  if (!Number.isFinite(keepBuiltWithinHours) || keepBuiltWithinHours < 0) {
    throw new UsageError(`the hours to keep recently built stages must be 0 or more, not ${keepBuiltWithinHours}`);
  }
  const dryRun = options.dryRun ?? false;
  const now = options.now ?? new Date();
  const signal = options.signal;
  const measure = options.measureUsage ?? (() => host.usage({ signal }));

  const usageBefore = await measure();
  if (usageBefore === null && allowedVolumeUsage > 0) {
    throw new UsageError(
      `cannot measure the storage of a remote engine (${options.local.description}); run host cleanup on the engine's host`,
      {
        hint: "or give --docker-server-storage-path where its data root is mounted here, or --allowed-volume-usage 0 to remove every removable stage",
      },
    );
  }
  // What killed builds left goes first, as werf's host cleanup does: it is nobody's cache.
  const leftovers = dryRun || !host.sweepLeftovers ? null : await host.sweepLeftovers({ signal });
  const swept =
    leftovers !== null && leftovers.containers.length + leftovers.images.length + (leftovers.volumes?.length ?? 0) > 0;
  let usage = swept && usageBefore !== null ? await measure() : usageBefore;
  let remaining = await host.stages({ signal });
  const done = new Map<Signature, { decision: HostStageDecision; outcome: "removed" | "in-use" }>();
  let last: HostSelection | null = null;
  let firstBytesToFree: number | null | undefined;
  // Later rounds clean down to the target: the threshold was crossed already.
  let threshold = allowedVolumeUsage;
  let roundMargin = margin;
  for (;;) {
    last = selectHostRemovals({
      stages: remaining,
      usage,
      allowedVolumeUsage: threshold,
      margin: roundMargin,
      keepBuiltWithinHours,
      now,
    });
    firstBytesToFree ??= last.bytesToFree;
    const removals = last.decisions.filter((decision) => decision.action === "remove");
    if (dryRun || removals.length === 0) break;
    for (const decision of removals) {
      throwIfAborted(signal);
      const removed = await host.remove(decision.stage.signature, { signal });
      done.set(decision.stage.signature, { decision, outcome: removed ? "removed" : "in-use" });
      options.onEvent?.({
        type: removed ? "host-stage-removed" : "host-stage-in-use",
        signature: decision.stage.signature,
      });
    }
    if (usage === null) break;
    usage = await measure();
    if (usage === null) break;
    threshold = Math.max(0, allowedVolumeUsage - margin);
    roundMargin = 0;
    remaining = remaining.filter((stage) => !done.has(stage.signature));
    if (usagePercent(usage) <= threshold) {
      const after = selectHostRemovals({
        stages: remaining,
        usage,
        allowedVolumeUsage: 100,
        margin: 0,
        keepBuiltWithinHours,
        now,
      });
      last = {
        ...after,
        decisions: after.decisions.map((decision) =>
          decision.reason === "below-threshold" ? { ...decision, reason: "target-reached" } : decision,
        ),
      };
      break;
    }
  }
  const stages = [
    ...[...done.values()].map(({ decision, outcome }) => stageReport(decision, dryRun, outcome)),
    ...last.decisions
      .filter((decision) => !done.has(decision.stage.signature))
      .map((decision) => stageReport(decision, dryRun)),
  ];
  const usageAfter = dryRun ? null : await measure();
  return {
    operation: "cleanup",
    project: options.project,
    storage: options.local.description,
    dryRun,
    allowedVolumeUsage,
    margin,
    keepBuiltWithinHours,
    usageBefore: usageReport(usageBefore),
    usageAfter: usageReport(usageAfter),
    bytesToFree: firstBytesToFree ?? null,
    stages,
    removed: stages.filter((stage) => stage.action !== "kept").length,
    kept: stages.filter((stage) => stage.action === "kept").length,
    leftovers,
  };
}

/** Options of `purgeHost`. */
export interface HostPurgeOptions extends CallOptions {
  local: StagesStorage;
  project: string;
  dryRun?: boolean;
  now?: Date;
  measureUsage?: () => Promise<StorageUsage | null>;
  onEvent?: (event: HostCleanupEvent) => void;
}

/**
 * `stages host purge`: removes every local stage of the project except those a container uses or
 * a running command holds (and the stages they are built on, whose removal would free nothing),
 * then the build leftovers of dead runs when the storage can sweep them, then the project's `build_dir`
 * caches. Kept stages are reported
 * with their reason; they are not an error.
 */
export async function purgeHost(options: HostPurgeOptions): Promise<HostCleanupResult> {
  const host = hostOf(options.local);
  const dryRun = options.dryRun ?? false;
  const signal = options.signal;
  const measure = options.measureUsage ?? (() => host.usage({ signal }));
  const usageBefore = await measure();
  const selection = selectHostRemovals({
    stages: await host.stages({ signal }),
    usage: null,
    allowedVolumeUsage: 0,
    margin: 0,
    keepBuiltWithinHours: 0,
    now: options.now ?? new Date(),
    purge: true,
  });
  const stages: HostStageReport[] = [];
  for (const decision of selection.decisions) {
    if (dryRun || decision.action === "keep") {
      stages.push(stageReport(decision, dryRun));
      continue;
    }
    throwIfAborted(signal);
    const removed = await host.remove(decision.stage.signature, { signal });
    stages.push(stageReport(decision, dryRun, removed ? "removed" : "in-use"));
    options.onEvent?.({
      type: removed ? "host-stage-removed" : "host-stage-in-use",
      signature: decision.stage.signature,
    });
  }
  const leftovers = dryRun || !host.sweepLeftovers ? null : await host.sweepLeftovers({ signal });
  const buildDirectories = host.purgeBuildDirectories ? await host.purgeBuildDirectories({ signal, dryRun }) : null;
  return {
    operation: "purge",
    project: options.project,
    storage: options.local.description,
    dryRun,
    usageBefore: usageReport(usageBefore),
    usageAfter: usageReport(dryRun ? null : await measure()),
    stages,
    removed: stages.filter((stage) => stage.action !== "kept").length,
    kept: stages.filter((stage) => stage.action === "kept").length,
    leftovers,
    buildDirectories,
  };
}
