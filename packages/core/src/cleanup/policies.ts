import type { GitCommitInfo, GitReference } from "../adapters/git-history.js";
import type { CommitRecord } from "../adapters/housekeeping.js";
import { formatGoDuration } from "../config/go-duration.js";
import { compileGoRegexp } from "../config/go-regexp.js";
import type { CleanupConfig, CleanupLimit, CleanupPolicy } from "../config/model.js";
import { throwIfAborted, UsageError } from "../errors.js";

export { cleanupPolicies, defaultCleanupConfig, defaultKeepPolicies } from "../config/cleanup-defaults.js";

/*
 * werf's git history based policy (werf v2 pkg/cleaning/git_history_based_cleanup), pure: which
 * (commit, image) pairs the keepPolicies keep. References are selected per policy (`limit`: newest
 * `last` by date, `in` within a duration of now, And/Or); from each selected reference's commit its
 * history is walked newest first and, per image, the commits that have a record of it are counted
 * (`imagesPerReference`). A tag is its own commit only, as werf scans tags to depth 1.
 */

/** An image of a commit that a policy keeps, and why (short texts for the report). */
export interface KeptImage {
  commit: string;
  image: string | null;
  reasons: string[];
}

export interface SelectKeptImagesInput {
  config: CleanupConfig;
  references: readonly GitReference[];
  /** The history of a commit, itself first, newest first (git log's order); iteration may stop early. */
  commits: (head: string) => AsyncIterable<GitCommitInfo>;
  /** commit → the images recorded for it (only these commits can keep anything). */
  recorded: ReadonlyMap<string, ReadonlySet<string | null>>;
  /**
   * The identity of the image recorded at a commit (e.g. `imageVersionsOf(records)`). Commits whose
   * image has the same identity count as one image for `last`, as werf counts stage IDs rather than
   * commits: `last: 2` then keeps two different images, not two commits of one. Absent: each commit
   * counts.
   */
  version?: (commit: string, image: string | null) => string;
  now: Date;
  signal?: AbortSignal | undefined;
}

/**
 * The images the keepPolicies keep (DESIGN §15), sorted by commit then image; none when
 * `disableGitHistoryBasedPolicy`. A reference several policies select keeps what each of them keeps
 * (werf lets the last policy replace the others' imagesPerReference; a union never keeps less).
 */
export async function selectKeptImages(input: SelectKeptImagesInput): Promise<KeptImage[]> {
  const { config, recorded } = input;
  if (config.disableGitHistoryBasedPolicy || recorded.size === 0) return [];
  const kept = new Map<string, KeptImage>();
  const keep = (commit: string, image: string | null, reason: string) => {
    const key = `${commit}\0${image === null ? "" : `=${image}`}`;
    const entry = kept.get(key);
    if (entry === undefined) kept.set(key, { commit, image, reasons: [reason] });
    else if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
  };
  const universe = new Set<string | null>();
  for (const images of recorded.values()) for (const image of images) universe.add(image);

  const scansByHead = new Map<string, Scan[]>();
  for (const policy of config.keepPolicies) {
    for (const reference of selectReferences(policy, input.references, input.now)) {
      for (const head of reference.commits) {
        const scan = new Scan(reference.kind, reference.name, policy.imagesPerReference, input, universe.size, keep);
        scansByHead.set(head, [...(scansByHead.get(head) ?? []), scan]);
      }
    }
  }
  for (const head of [...scansByHead.keys()].sort()) {
    await walk(head, scansByHead.get(head) ?? [], input);
  }
  return [...kept.values()].sort(
    (left, right) => compare(left.commit, right.commit) || compare(imageKey(left.image), imageKey(right.image)),
  );
}

/** A reference name a policy selected, with every commit it points at (local and remote-tracking). */
interface SelectedReference {
  kind: "branch" | "tag";
  name: string;
  commits: string[];
}

/** The references of one policy after `limit`; same-named references count once, dated by the newest. */
function selectReferences(policy: CleanupPolicy, references: readonly GitReference[], now: Date): SelectedReference[] {
  const { kind, limit } = policy.references;
  const matches = referenceMatcher(policy);
  const groups = new Map<string, { name: string; date: number; commits: Set<string> }>();
  for (const reference of references) {
    if (reference.kind !== kind || !matches(reference.name)) continue;
    // A date that cannot be read counts as now: it never makes a reference look old.
    const parsed = Date.parse(reference.date);
    const date = Number.isNaN(parsed) ? now.getTime() : parsed;
    const group = groups.get(reference.name) ?? { name: reference.name, date, commits: new Set<string>() };
    group.date = Math.max(group.date, date);
    group.commits.add(reference.commit);
    groups.set(reference.name, group);
  }
  const ordered = [...groups.values()].sort((left, right) => right.date - left.date || compare(left.name, right.name));
  const selected =
    limit === null
      ? ordered
      : ordered.filter((group, index) =>
          combine(
            limit.last === null ? null : index < limit.last,
            limit.inMs === null ? null : group.date > now.getTime() - limit.inMs,
            limit.operator,
          ),
        );
  return selected.map((group) => ({ kind, name: group.name, commits: [...group.commits].sort() }));
}

function referenceMatcher(policy: CleanupPolicy): (name: string) => boolean {
  const { match, kind } = policy.references;
  if (match.kind === "name") return (name) => name === match.name;
  const compiled = compileGoRegexp(match.source);
  if (!compiled.ok) {
    throw new UsageError(
      `cleanup policy ${kind} /${match.source}/ is not a Go regular expression stages can read: ${compiled.problem}`,
      {
        hint: "fix the pattern in the cleanup config",
      },
    );
  }
  return (name) => compiled.regexp.test(name);
}

/**
 * Two optional conditions joined by And or Or: an absent condition takes no part (both absent: true).
 * werf's `limit: {last: 10, operator: Or}` without `in` selects every reference (its absent `in`
 * counts as met); here it selects the 10 newest, as written.
 */
function combine(byLast: boolean | null, byIn: boolean | null, operator: "And" | "Or"): boolean {
  if (byLast === null) return byIn ?? true;
  if (byIn === null) return byLast;
  return operator === "And" ? byLast && byIn : byLast || byIn;
}

/** What one selected reference keeps from one of its commits' history, under one imagesPerReference. */
class Scan {
  private readonly counted = new Map<string | null, { versions: Set<string>; count: number }>();
  private fullImages = 0;
  private passedCutoff = false;
  done: boolean;

  constructor(
    private readonly kind: "branch" | "tag",
    private readonly name: string,
    private readonly limit: CleanupLimit,
    private readonly input: SelectKeptImagesInput,
    private readonly imageCount: number,
    private readonly keep: (commit: string, image: string | null, reason: string) => void,
  ) {
    this.done = limit.last === 0 && (limit.inMs === null || limit.operator === "And");
  }

  /** Whether this scan needs the commit's date (tags without `in` do not). */
  get needsDate(): boolean {
    return this.limit.inMs !== null;
  }

  get depthOne(): boolean {
    return this.kind === "tag";
  }

  visit(commit: GitCommitInfo): void {
    const { last, inMs, operator } = this.limit;
    const parsed = Date.parse(commit.date);
    // A commit whose date cannot be read counts as new: it is never dropped for being old.
    const within = inMs === null ? null : Number.isNaN(parsed) || parsed > this.input.now.getTime() - inMs;
    if (within === false) this.passedCutoff = true;
    const images = this.input.recorded.get(commit.hash);
    for (const image of images === undefined
      ? []
      : [...images].sort((left, right) => compare(imageKey(left), imageKey(right)))) {
      const state = this.counted.get(image) ?? { versions: new Set<string>(), count: 0 };
      this.counted.set(image, state);
      const version = this.input.version?.(commit.hash, image) ?? commit.hash;
      if (state.versions.has(version)) continue;
      state.versions.add(version);
      state.count += 1;
      if (last !== null && state.count === last) this.fullImages += 1;
      const byLast = last === null ? null : state.count <= last;
      if (combine(byLast, within, operator)) this.keep(commit.hash, image, this.reason(state.count, byLast, within));
    }
    this.done = this.depthOne || this.nothingMoreToKeep();
  }

  private nothingMoreToKeep(): boolean {
    const { last, inMs, operator } = this.limit;
    const lastExhausted = last !== null && (last === 0 || this.fullImages >= this.imageCount);
    // git log's order is newest first: once a commit is older than `in`, the rest are too (bar clock skew).
    const inExhausted = inMs !== null && this.passedCutoff;
    if (last === null && inMs === null) return false;
    if (last === null) return inExhausted;
    if (inMs === null) return lastExhausted;
    return operator === "And" ? lastExhausted || inExhausted : lastExhausted && inExhausted;
  }

  private reason(count: number, byLast: boolean | null, within: boolean | null): string {
    const prefix = `${this.kind} ${this.name}`;
    if (this.kind === "tag") return prefix;
    const parts: string[] = [];
    if (byLast === true) parts.push(`newest ${count} of ${this.limit.last}`);
    if (within === true && this.limit.inMs !== null) parts.push(`within ${formatGoDuration(this.limit.inMs)}`);
    return parts.length === 0 ? prefix : `${prefix}: ${parts.join(" ")}`;
  }
}

/** Walks one history once for every scan that starts at `head`; stops when none can keep more. */
async function walk(head: string, scans: Scan[], input: SelectKeptImagesInput): Promise<void> {
  let active = scans.filter((scan) => !scan.done);
  if (active.length === 0) return;
  if (active.every((scan) => scan.depthOne)) {
    // A tag keeps its own commit's images only; without `in` it needs not even the commit's date.
    if (!input.recorded.has(head)) return;
    if (active.every((scan) => !scan.needsDate)) {
      for (const scan of active) scan.visit({ hash: head, date: "" });
      return;
    }
  }
  let unseen = input.recorded.size;
  const seen = new Set<string>();
  for await (const commit of input.commits(head)) {
    throwIfAborted(input.signal);
    for (const scan of active) scan.visit(commit);
    active = active.filter((scan) => !scan.done);
    if (input.recorded.has(commit.hash) && !seen.has(commit.hash)) {
      seen.add(commit.hash);
      unseen -= 1;
    }
    // Every recorded commit met: nothing further down can be kept.
    if (active.length === 0 || unseen === 0) break;
  }
}

/**
 * The `version` of selectKeptImages from commit records: an image's identity at a commit is the set
 * of stages recorded for it (every record of that commit and image, so a dirty and a clean record differ).
 */
export function imageVersionsOf(records: readonly CommitRecord[]): (commit: string, image: string | null) => string {
  const versions = new Map<string, Set<string>>();
  for (const record of records) {
    const key = `${record.commit}\0${imageKey(record.image)}`;
    const set = versions.get(key) ?? new Set<string>();
    set.add([...record.stages].sort().join(","));
    versions.set(key, set);
  }
  return (commit, image) => {
    const set = versions.get(`${commit}\0${imageKey(image)}`);
    return set === undefined ? commit : [...set].sort().join("|");
  };
}

/** When a stage counts as built within `keepImagesBuiltWithinLastNHours`. */
export interface BuildTimeRule {
  /** Stages created at or after this time are kept. */
  since: Date;
  hours: number;
  /** The report's reason: `built within the last 2 hours`. */
  reason: string;
}

/**
 * werf's time rule: null when it keeps nothing (`disableBuiltWithinLastNHoursPolicy`, or 0 hours).
 * `hours` overrides the config (werf's `--keep-stages-built-within-last-n-hours`).
 */
export function buildTimeRule(
  config: CleanupConfig,
  now: Date,
  hours = config.keepImagesBuiltWithinLastNHours,
): BuildTimeRule | null {
  if (config.disableBuiltWithinLastNHoursPolicy || hours <= 0) return null;
  return {
    since: new Date(now.getTime() - hours * 3_600_000),
    hours,
    reason: `built within the last ${hours} hour${hours === 1 ? "" : "s"}`,
  };
}

/** Whether the time rule keeps a stage created at `createdAt`; an unknown or unreadable time counts as new. */
export function isBuiltWithin(rule: BuildTimeRule | null, createdAt: string | null): boolean {
  if (rule === null) return false;
  const created = createdAt === null ? Number.NaN : Date.parse(createdAt);
  return Number.isNaN(created) || created >= rule.since.getTime();
}

function imageKey(image: string | null): string {
  return image === null ? "" : `=${image}`;
}

function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
