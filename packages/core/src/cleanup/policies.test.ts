import { describe, expect, it } from "vitest";
import type { GitCommitInfo, GitReference } from "../adapters/git-history.js";
import type { CommitRecord } from "../adapters/housekeeping.js";
import type { CleanupConfig } from "../config/model.js";
import { parseConfig } from "../config/parse-config.js";
import { AbortedError, UsageError } from "../errors.js";
import type { Signature } from "../signature-type.js";
import {
  buildTimeRule,
  cleanupPolicies,
  defaultCleanupConfig,
  imageVersionsOf,
  isBuiltWithin,
  type KeptImage,
  type SelectKeptImagesInput,
  selectKeptImages,
} from "./policies.js";

const now = new Date("2026-06-30T12:00:00Z");
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
const daysAgo = (days: number) => hoursAgo(days * 24);

/** A synthetic repository: commits with parents and dates; histories in git log's default order. */
class History {
  readonly commits = new Map<string, { parents: string[]; date: string }>();
  /** How many commits each walk read, in order of the walks. */
  readonly walks: { head: string; read: number }[] = [];

  commit(hash: string, date: string, ...parents: string[]): this {
    this.commits.set(hash, { parents, date });
    return this;
  }

  /** A chain of commits on top of `parent`, one per day, the last `days[i]` days ago. */
  chain(prefix: string, parent: string | null, days: number[]): this {
    let previous = parent;
    days.forEach((day, index) => {
      const hash = `${prefix}${index + 1}`;
      this.commit(hash, daysAgo(day), ...(previous === null ? [] : [previous]));
      previous = hash;
    });
    return this;
  }

  /** git log's default order: newest committer date first among the commits reached so far. */
  history = (head: string): AsyncIterable<GitCommitInfo> => {
    const self = this;
    const walk = { head, read: 0 };
    this.walks.push(walk);
    return {
      async *[Symbol.asyncIterator]() {
        const queued = new Set([head]);
        const queue = [head];
        while (queue.length > 0) {
          queue.sort((left, right) => Date.parse(self.date(right)) - Date.parse(self.date(left)));
          const hash = queue.shift() as string;
          walk.read += 1;
          yield { hash, date: self.date(hash) };
          for (const parent of self.commits.get(hash)?.parents ?? []) {
            if (queued.has(parent)) continue;
            queued.add(parent);
            queue.push(parent);
          }
        }
      },
    };
  };

  private date(hash: string): string {
    const commit = this.commits.get(hash);
    if (commit === undefined) throw new Error(`no commit ${hash}`);
    return commit.date;
  }
}

function branch(name: string, commit: string, history: History): GitReference {
  return { kind: "branch", name, commit, date: history.commits.get(commit)?.date ?? "" };
}

function tag(name: string, commit: string, date: string): GitReference {
  return { kind: "tag", name, commit, date };
}

/** The cleanup config of a `cleanup:` section written in YAML (indented by two spaces). */
function config(section: string): CleanupConfig {
  const result = parseConfig(`project: demo\nconfigVersion: 1\ncleanup:\n${section}---\nimage: a\nfrom: alpine\n`);
  expect(result.errors.map((problem) => problem.formatted)).toEqual([]);
  return result.config?.meta.cleanup as CleanupConfig;
}

function records(entries: Record<string, (string | null)[]>): Map<string, Set<string | null>> {
  return new Map(Object.entries(entries).map(([commit, images]) => [commit, new Set(images)]));
}

async function select(input: Omit<SelectKeptImagesInput, "now"> & { now?: Date }): Promise<KeptImage[]> {
  return selectKeptImages({ now, ...input });
}

/** "commit image: reason; reason" lines, for compact expectations. */
function lines(kept: readonly KeptImage[]): string[] {
  return kept.map((entry) => `${entry.commit} ${entry.image ?? "~"}: ${entry.reasons.join("; ")}`);
}

describe("selectKeptImages", () => {
  it("keeps the newest `last` images of a branch, counting only commits that have a record of the image", async () => {
    const history = new History().chain("m", null, [6, 5, 4, 3, 2, 1]);
    const kept = await select({
      config: config("  keepPolicies:\n  - references: {branch: main}\n    imagesPerReference: {last: 2}\n"),
      references: [branch("main", "m6", history)],
      commits: history.history,
      // m6 and m4 have no record: the two newest recorded commits are m5 and m3.
      recorded: records({ m5: ["a"], m3: ["a"], m2: ["a"], m1: ["a"] }),
    });
    expect(lines(kept)).toEqual(["m3 a: branch main: newest 2 of 2", "m5 a: branch main: newest 1 of 2"]);
    // The walk stops once both are found: m2 and m1 are never read.
    expect(history.walks).toEqual([{ head: "m6", read: 4 }]);
  });

  it("counts each image on its own", async () => {
    const history = new History().chain("m", null, [4, 3, 2, 1]);
    const kept = await select({
      config: config("  keepPolicies:\n  - references: {branch: main}\n"),
      references: [branch("main", "m4", history)],
      commits: history.history,
      recorded: records({ m4: ["a"], m3: ["a", null], m2: ["b", null], m1: ["b"] }),
    });
    // imagesPerReference defaults to werf's last: 1, per image.
    expect(lines(kept)).toEqual([
      "m2 b: branch main: newest 1 of 1",
      "m3 ~: branch main: newest 1 of 1",
      "m4 a: branch main: newest 1 of 1",
    ]);
  });

  it("counts commits of one image version once when versions are given, as werf counts stage IDs", async () => {
    const history = new History().chain("m", null, [4, 3, 2, 1]);
    const base = {
      config: config("  keepPolicies:\n  - references: {branch: main}\n    imagesPerReference: {last: 2}\n"),
      references: [branch("main", "m4", history)],
      commits: history.history,
      recorded: records({ m4: ["a"], m3: ["a"], m2: ["a"], m1: ["a"] }),
    };
    // m4 and m3 built the same image (a docs-only change): the second version is m2's.
    const version = (commit: string) => (commit === "m3" ? "v2" : commit === "m4" ? "v2" : `v-${commit}`);
    expect(lines(await select({ ...base, version }))).toEqual([
      "m2 a: branch main: newest 2 of 2",
      "m4 a: branch main: newest 1 of 2",
    ]);
    expect(lines(await select(base))).toEqual(["m3 a: branch main: newest 2 of 2", "m4 a: branch main: newest 1 of 2"]);
  });

  it.each([
    // imagesPerReference over main's records at 10, 5, 3, 2 and 1 days: [last, in, operator] → kept commits.
    ["{last: 2}", ["m5", "m4"]],
    ["{last: -1}", ["m5", "m4", "m3", "m2", "m1"]],
    ["{last: 0}", []],
    ["{last: -1, in: 73h}", ["m5", "m4", "m3"]],
    // werf: within means after now - in, strictly.
    ["{last: -1, in: 72h}", ["m5", "m4"]],
    // werf: an absent last is 1, also with in.
    ["{in: 72h}", ["m5"]],
    ["{last: 4, in: 73h, operator: And}", ["m5", "m4", "m3"]],
    ["{last: 1, in: 73h, operator: Or}", ["m5", "m4", "m3"]],
    ["{last: 4, in: 60h, operator: Or}", ["m5", "m4", "m3", "m2"]],
    ["{last: 0, in: 60h, operator: Or}", ["m5", "m4"]],
    ["{last: 0, in: 60h, operator: And}", []],
    ["{last: 2, in: 12h, operator: And}", []],
  ])("imagesPerReference %s keeps %j", async (limit, expected) => {
    const history = new History().chain("m", null, [10, 5, 3, 2, 1]);
    const kept = await select({
      config: config(`  keepPolicies:\n  - references: {branch: main}\n    imagesPerReference: ${limit}\n`),
      references: [branch("main", "m5", history)],
      commits: history.history,
      recorded: records({ m1: ["a"], m2: ["a"], m3: ["a"], m4: ["a"], m5: ["a"] }),
    });
    expect(
      kept
        .map((entry) => entry.commit)
        .sort()
        .reverse(),
    ).toEqual(expected);
  });

  it("says why: the count, the duration, or both", async () => {
    const history = new History().chain("m", null, [5, 2, 1]);
    const kept = await select({
      config: config(
        "  keepPolicies:\n  - references: {branch: main}\n    imagesPerReference: {last: 1, in: 72h, operator: Or}\n",
      ),
      references: [branch("main", "m3", history)],
      commits: history.history,
      recorded: records({ m1: ["a"], m2: ["a"], m3: ["a"] }),
    });
    expect(lines(kept)).toEqual(["m2 a: branch main: within 72h", "m3 a: branch main: newest 1 of 1 within 72h"]);
  });

  it.each([
    // Branches active 1, 2, 5 and 9 days ago: [limit] → selected branches.
    ["{last: 2}", ["a", "b"]],
    ["{in: 72h}", ["a", "b"]],
    ["{last: 3, in: 168h}", ["a", "b", "c"]],
    ["{last: 1, in: 168h, operator: Or}", ["a", "b", "c"]],
    ["{last: 4, in: 24h, operator: And}", []],
    ["{last: 4, in: 36h, operator: And}", ["a"]],
    ["{last: -1}", ["a", "b", "c", "d"]],
    // An absent `in` takes no part in Or (werf would select every branch here).
    ["{last: 1, operator: Or}", ["a"]],
    ["{}", ["a", "b", "c", "d"]],
  ])("references.limit %s selects branches %j", async (limit, expected) => {
    const history = new History()
      .commit("a1", daysAgo(1))
      .commit("b1", daysAgo(2))
      .commit("c1", daysAgo(5))
      .commit("d1", daysAgo(9));
    const kept = await select({
      config: config(`  keepPolicies:\n  - references: {branch: /.*/, limit: ${limit}}\n`),
      references: ["d", "b", "a", "c"].map((name) => branch(name, `${name}1`, history)),
      commits: history.history,
      recorded: records({ a1: ["x"], b1: ["x"], c1: ["x"], d1: ["x"] }),
    });
    expect(kept.map((entry) => entry.commit[0])).toEqual(expected);
  });

  it("keeps a tag's own commit only, and orders tags by their own date for limit", async () => {
    const history = new History().chain("m", null, [30, 20, 10, 5]);
    const kept = await select({
      config: config(
        "  keepPolicies:\n  - references: {tag: /v.*/, limit: {last: 2}}\n    imagesPerReference: {last: 5}\n",
      ),
      references: [
        // v1 points at the newest commit but was tagged long ago; v2 and v3 are annotated later.
        tag("v1", "m4", daysAgo(40)),
        tag("v2", "m2", daysAgo(3)),
        tag("v3", "m1", daysAgo(2)),
        tag("other", "m3", daysAgo(1)),
      ],
      commits: history.history,
      recorded: records({ m1: ["a"], m2: ["a", "b"], m3: ["a"], m4: ["a"] }),
    });
    expect(lines(kept)).toEqual(["m1 a: tag v3", "m2 a: tag v2", "m2 b: tag v2"]);
    // A tag without `in` needs no history at all.
    expect(history.walks).toEqual([]);
  });

  it("reads a tag's commit date when imagesPerReference has `in`", async () => {
    const history = new History().chain("m", null, [30, 1]);
    const kept = await select({
      config: config("  keepPolicies:\n  - references: {tag: /.*/}\n    imagesPerReference: {in: 72h}\n"),
      references: [tag("old", "m1", daysAgo(1)), tag("new", "m2", daysAgo(1))],
      commits: history.history,
      recorded: records({ m1: ["a"], m2: ["a"] }),
    });
    expect(lines(kept)).toEqual(["m2 a: tag new"]);
    expect(history.walks.map((walk) => walk.read)).toEqual([1, 1]);
    // Only the tag's commit: an image recorded at its (recent) parent alone is not the tag's.
    const recent = new History().chain("p", null, [2, 1]);
    const parent = await select({
      config: config("  keepPolicies:\n  - references: {tag: /.*/}\n    imagesPerReference: {in: 72h}\n"),
      references: [tag("new", "p2", daysAgo(1))],
      commits: recent.history,
      recorded: records({ p1: ["b"], p2: ["a"] }),
    });
    expect(lines(parent)).toEqual(["p2 a: tag new"]);
  });

  it("counts a local and a remote-tracking branch of one name once for limit, and walks from both", async () => {
    const history = new History()
      .chain("m", null, [10, 9, 8])
      // The local main has two commits the remote lacks; origin/main has one the local lacks.
      .chain("l", "m3", [3, 2])
      .chain("r", "m3", [4])
      .chain("f", "m3", [1]);
    const references = [
      branch("main", "l2", history),
      branch("main", "r1", history),
      branch("feature", "f1", history),
      branch("old", "m1", history),
    ];
    const kept = await select({
      config: config("  keepPolicies:\n  - references: {branch: /main|old/, limit: {last: 2}}\n"),
      references,
      commits: history.history,
      recorded: records({ m1: ["a"], m2: ["a"], m3: ["a"], l1: ["a"], l2: ["a"], r1: ["a"], f1: ["a"] }),
    });
    // main (dated by its newest, 2 days) and old are the two newest of {main, old}: feature does not match.
    expect(lines(kept)).toEqual([
      "l2 a: branch main: newest 1 of 1",
      "m1 a: branch old: newest 1 of 1",
      "r1 a: branch main: newest 1 of 1",
    ]);
    const byLimit = await select({
      config: config("  keepPolicies:\n  - references: {branch: /.*/, limit: {last: 1}}\n"),
      references,
      commits: history.history,
      recorded: records({ l2: ["a"], r1: ["a"], f1: ["a"] }),
    });
    // feature (1 day) is newer than main (2 days): one name, one place; main's two commits do not count twice.
    expect(lines(byLimit)).toEqual(["f1 a: branch feature: newest 1 of 1"]);
    // main is as new as its newest commit (2 days, the local one), newer than old-but-active (3 days).
    const newest = await select({
      config: config("  keepPolicies:\n  - references: {branch: /main|stable/, limit: {last: 1}}\n"),
      references: [...references, { kind: "branch", name: "stable", commit: "m2", date: daysAgo(3) }],
      commits: history.history,
      recorded: records({ l2: ["a"], r1: ["a"], m2: ["a"] }),
    });
    expect(lines(newest)).toEqual(["l2 a: branch main: newest 1 of 1", "r1 a: branch main: newest 1 of 1"]);
  });

  it("walks through merges newest first", async () => {
    // main: m1 - m2 ------- m3(merge of f2) - m4;  feature: m1 - f1 - f2
    const history = new History()
      .commit("m1", daysAgo(10))
      .commit("m2", daysAgo(8), "m1")
      .commit("f1", daysAgo(7), "m1")
      .commit("f2", daysAgo(6), "f1")
      .commit("m3", daysAgo(5), "m2", "f2")
      .commit("m4", daysAgo(4), "m3");
    const kept = await select({
      config: config("  keepPolicies:\n  - references: {branch: main}\n    imagesPerReference: {last: 3}\n"),
      references: [branch("main", "m4", history)],
      commits: history.history,
      recorded: records({ m2: ["a"], f1: ["a"], f2: ["a"], m1: ["a"] }),
    });
    // m4, m3 have no record; then f2 (6 days), f1 (7), m2 (8): the merged branch's commits are main's history.
    expect(lines(kept)).toEqual([
      "f1 a: branch main: newest 2 of 3",
      "f2 a: branch main: newest 1 of 3",
      "m2 a: branch main: newest 3 of 3",
    ]);
  });

  it("keeps nothing for a reference whose history has no records, after reading it to the end", async () => {
    const history = new History().chain("m", null, [3, 2, 1]).chain("o", null, [5]);
    const kept = await select({
      config: config("  keepPolicies:\n  - references: {branch: main}\n"),
      references: [branch("main", "m3", history)],
      commits: history.history,
      recorded: records({ o1: ["a"] }),
    });
    expect(kept).toEqual([]);
    expect(history.walks).toEqual([{ head: "m3", read: 3 }]);
  });

  it("stops walking once every recorded commit was met", async () => {
    const history = new History().chain("m", null, [5, 4, 3, 2, 1]);
    const kept = await select({
      config: config("  keepPolicies:\n  - references: {branch: main}\n    imagesPerReference: {last: -1}\n"),
      references: [branch("main", "m5", history)],
      commits: history.history,
      recorded: records({ m5: ["a"], m4: ["a"] }),
    });
    expect(lines(kept)).toEqual(["m4 a: branch main", "m5 a: branch main"]);
    expect(history.walks).toEqual([{ head: "m5", read: 2 }]);
  });

  it("stops walking at the first commit older than `in` when only `in` can keep more", async () => {
    const history = new History().chain("m", null, [9, 8, 7, 6, 5, 2, 1]);
    const kept = await select({
      config: config("  keepPolicies:\n  - references: {branch: main}\n    imagesPerReference: {last: -1, in: 72h}\n"),
      references: [branch("main", "m7", history)],
      commits: history.history,
      recorded: records({ m1: ["a"], m2: ["a"], m5: ["a"], m6: ["a"], m7: ["a"] }),
    });
    expect(lines(kept)).toEqual(["m6 a: branch main: within 72h", "m7 a: branch main: within 72h"]);
    expect(history.walks).toEqual([{ head: "m7", read: 3 }]);
  });

  it("keeps what every policy selecting a reference keeps, whatever their order", async () => {
    const history = new History().chain("m", null, [5, 4, 3, 2, 1]).chain("d", "m1", [1]);
    const recorded = records({ m1: ["a"], m2: ["a"], m3: ["a"], m4: ["a"], m5: ["a"], d1: ["a"] });
    const references = [branch("main", "m5", history), branch("dev", "d1", history)];
    const general = "  - references: {branch: /.*/}\n    imagesPerReference: {last: 1}\n";
    const particular = "  - references: {branch: main}\n    imagesPerReference: {last: 3}\n";
    const asDocumented = await select({
      config: config(`  keepPolicies:\n${general}${particular}`),
      references,
      commits: history.history,
      recorded,
    });
    expect(lines(asDocumented)).toEqual([
      "d1 a: branch dev: newest 1 of 1",
      "m3 a: branch main: newest 3 of 3",
      "m4 a: branch main: newest 2 of 3",
      "m5 a: branch main: newest 1 of 1; branch main: newest 1 of 3",
    ]);
    // werf would give main last: 1 here (the last policy wins); a union keeps the same as above.
    const reversed = await select({
      config: config(`  keepPolicies:\n${particular}${general}`),
      references,
      commits: history.history,
      recorded,
    });
    expect(reversed.map((entry) => entry.commit)).toEqual(asDocumented.map((entry) => entry.commit));
  });

  it("applies werf's default policies when cleanup: is absent", async () => {
    const history = new History()
      .chain(
        "m",
        null,
        Array.from({ length: 14 }, (_, index) => 40 - index),
      )
      .chain("f", "m14", [20, 19])
      .chain("g", "m14", [3, 2, 1]);
    const references = [
      branch("main", "m14", history),
      branch("feature/stale", "f2", history),
      branch("feature/active", "g3", history),
      ...Array.from({ length: 12 }, (_, index) => tag(`v${index + 1}`, `m${index + 1}`, daysAgo(40 - index))),
    ];
    const recorded = records(Object.fromEntries([...history.commits.keys()].map((hash) => [hash, ["a"]])));
    const kept = await select({
      config: cleanupPolicies({}),
      references,
      commits: history.history,
      recorded,
    });
    const commits = new Set(kept.map((entry) => entry.commit));
    // main: the 10 newest of its 14 commits (werf's code keeps 10; its docs say 2).
    for (let index = 5; index <= 14; index++) expect(commits.has(`m${index}`)).toBe(true);
    // Tags: the 10 newest (v3..v12) keep their commits: m3 and m4 by their tags only.
    expect(commits.has("m3") && commits.has("m4")).toBe(true);
    expect(commits.has("m1") || commits.has("m2")).toBe(false);
    // A branch active within the week keeps 2 images from the week; a stale one nothing.
    expect(commits.has("g3") && commits.has("g2")).toBe(true);
    expect(commits.has("g1") || commits.has("f1") || commits.has("f2")).toBe(false);
    expect(kept.find((entry) => entry.commit === "m14")?.reasons).toEqual(["branch main: newest 1 of 10"]);
  });

  it("keeps nothing when the git history policy is disabled, without reading any history", async () => {
    const history = new History().chain("m", null, [1]);
    const kept = await select({
      config: { ...defaultCleanupConfig, disableGitHistoryBasedPolicy: true },
      references: [branch("main", "m1", history)],
      commits: history.history,
      recorded: records({ m1: ["a"] }),
    });
    expect(kept).toEqual([]);
    expect(history.walks).toEqual([]);
  });

  it("stops when the signal is aborted", async () => {
    const history = new History().chain("m", null, [3, 2, 1]);
    const controller = new AbortController();
    controller.abort();
    await expect(
      select({
        config: defaultCleanupConfig,
        references: [branch("main", "m3", history)],
        commits: history.history,
        recorded: records({ m1: ["a"] }),
        signal: controller.signal,
      }),
    ).rejects.toSatisfy((error) => AbortedError.isInstance(error));
  });

  it("matches names exactly and regexps against the whole name", async () => {
    const names = ["main", "main-old", "old-master", "master", "feature/x", "feature", "hotfix/feature/y"];
    const history = new History();
    for (const name of names) history.commit(`${name}-head`, daysAgo(1));
    const kept = await select({
      config: config(
        "  keepPolicies:\n  - references: {branch: /main|master/}\n  - references: {branch: '/feature\\/.*/'}\n  - references: {branch: feature}\n",
      ),
      references: names.map((name) => branch(name, `${name}-head`, history)),
      commits: history.history,
      recorded: records(Object.fromEntries(names.map((name) => [`${name}-head`, ["a"]]))),
    });
    expect(kept.map((entry) => entry.reasons[0])).toEqual([
      "branch feature: newest 1 of 1",
      "branch feature/x: newest 1 of 1",
      "branch main: newest 1 of 1",
      "branch master: newest 1 of 1",
    ]);
  });

  it("the issue's example policies over a small repository", async () => {
    // main: m1..m6 at 10, 8, 5, 2.5, 2, 1 days; feature from m3 at 2 days; stale from m2 at 9 days.
    const history = new History().chain("m", null, [10, 8, 5, 2.5, 2, 1]).chain("f", "m3", [2]).chain("s", "m2", [9]);
    const kept = await select({
      config: config(
        [
          "  keepPolicies:",
          "  - references:",
          "      tag: /.*/",
          "      limit: {last: 10, in: 168h, operator: And}",
          "  - references:",
          "      branch: /.*/",
          "      limit: {last: 20, in: 168h}",
          "    imagesPerReference: {last: 2, in: 72h, operator: Or}",
          "  keepImagesBuiltWithinLastNHours: 2",
          "",
        ].join("\n"),
      ),
      references: [
        branch("main", "m6", history),
        branch("feature", "f1", history),
        branch("stale", "s1", history),
        tag("v1", "m3", daysAgo(3)),
        tag("v0", "m1", daysAgo(20)),
      ],
      commits: history.history,
      recorded: records(Object.fromEntries([...history.commits.keys()].map((hash) => [hash, ["backend"]]))),
    });
    expect(lines(kept)).toEqual([
      "f1 backend: branch feature: newest 1 of 2 within 72h",
      // feature's second newest image is main's m3, where it branched off; m3 is also tag v1.
      "m3 backend: branch feature: newest 2 of 2; tag v1",
      "m4 backend: branch main: within 72h",
      "m5 backend: branch main: newest 2 of 2 within 72h",
      "m6 backend: branch main: newest 1 of 2 within 72h",
    ]);
  });

  it("werf's example: no more than the 10 newest features/ branches active within the week", async () => {
    const history = new History();
    const references: GitReference[] = [];
    // features/1..14 last active 1..14 days ago; hotfix/1 yesterday.
    for (let index = 1; index <= 14; index++) {
      history.commit(`f${index}`, daysAgo(index - 0.5));
      references.push(branch(`features/${index}`, `f${index}`, history));
    }
    history.commit("h1", daysAgo(1));
    references.push(branch("hotfix/1", "h1", history));
    const kept = await select({
      config: config(
        "  keepPolicies:\n  - references:\n      branch: /^features\\/.*/\n      limit: {last: 10, in: 168h, operator: And}\n",
      ),
      references,
      commits: history.history,
      recorded: records(Object.fromEntries([...history.commits.keys()].map((hash) => [hash, ["a"]]))),
    });
    // Active within the week: features/1..7 (6.5 days); all of them are among the 10 newest.
    expect(kept.map((entry) => entry.commit)).toEqual(["f1", "f2", "f3", "f4", "f5", "f6", "f7"]);
    const newest = await select({
      config: config(
        "  keepPolicies:\n  - references:\n      branch: /^features\\/.*/\n      limit: {last: 3, in: 168h}\n",
      ),
      references,
      commits: history.history,
      recorded: records(Object.fromEntries([...history.commits.keys()].map((hash) => [hash, ["a"]]))),
    });
    expect(newest.map((entry) => entry.commit)).toEqual(["f1", "f2", "f3"]);
  });

  it("refuses a hand-made config whose regexp stages cannot read", async () => {
    const history = new History().chain("m", null, [1]);
    const broken: CleanupConfig = {
      ...defaultCleanupConfig,
      keepPolicies: [
        {
          references: { kind: "branch", match: { kind: "regexp", source: "(?<=x)y" }, limit: null },
          imagesPerReference: { last: 1, inMs: null, operator: "And" },
          position: null,
        },
      ],
    };
    await expect(
      select({
        config: broken,
        references: [branch("main", "m1", history)],
        commits: history.history,
        recorded: records({ m1: ["a"] }),
      }),
    ).rejects.toSatisfy(
      (error) => UsageError.isInstance(error) && String((error as Error).message).includes("lookbehind"),
    );
  });

  it("never keeps a commit without a record, and gives the same answer for any order of references", async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 40; round++) {
      const history = new History();
      const hashes: string[] = [];
      for (let index = 0; index < 30; index++) {
        const parents = hashes.length === 0 ? [] : [hashes[Math.floor(random() * hashes.length)] as string];
        if (hashes.length > 2 && random() < 0.2) parents.push(hashes[Math.floor(random() * hashes.length)] as string);
        const hash = `c${index}`;
        history.commit(hash, hoursAgo(300 - index * 10 + Math.floor(random() * 5)), ...new Set(parents));
        hashes.push(hash);
      }
      const recorded = records(
        Object.fromEntries(
          hashes.filter(() => random() < 0.5).map((hash) => [hash, random() < 0.5 ? ["a"] : ["a", null]]),
        ),
      );
      const references: GitReference[] = [
        ...Array.from({ length: 5 }, (_, index) =>
          branch(`b${index % 3}`, hashes[Math.floor(random() * 30)] as string, history),
        ),
        ...Array.from({ length: 4 }, (_, index) =>
          tag(`t${index}`, hashes[Math.floor(random() * 30)] as string, hoursAgo(random() * 400)),
        ),
      ];
      const input = {
        config: config(
          [
            "  keepPolicies:",
            "  - references: {tag: /.*/, limit: {last: 2}}",
            "  - references: {branch: /.*/, limit: {last: 2, in: 200h, operator: Or}}",
            "    imagesPerReference: {last: 2, in: 100h, operator: Or}",
            "  - references: {branch: b0}",
            "    imagesPerReference: {last: 3}",
            "",
          ].join("\n"),
        ),
        commits: history.history,
        recorded,
      };
      const kept = await select({ ...input, references });
      for (const entry of kept) expect(recorded.get(entry.commit)?.has(entry.image)).toBe(true);
      const shuffled = [...references].sort(() => random() - 0.5);
      expect(await select({ ...input, references: shuffled })).toEqual(kept);
    }
  });
});

describe("imageVersionsOf", () => {
  const signature = (char: string) => char.repeat(64) as Signature;
  const record = (commit: string, image: string | null, stages: string[], dirty = false): CommitRecord => ({
    commit,
    image,
    stages: stages.map(signature),
    dirty,
    at: now.toISOString(),
  });

  it("gives commits of one image with the same stages the same version", () => {
    const version = imageVersionsOf([
      record("c1", "a", ["1", "2"]),
      record("c2", "a", ["2", "1"]),
      record("c3", "a", ["1", "3"]),
      record("c1", null, ["1", "2"]),
      record("c4", "a", ["1", "2"]),
      record("c4", "a", ["1", "3"], true),
    ]);
    expect(version("c1", "a")).toBe(version("c2", "a"));
    expect(version("c1", "a")).not.toBe(version("c3", "a"));
    // A commit with a clean and a dirty record is its own version.
    expect(version("c4", "a")).not.toBe(version("c1", "a"));
    // Unknown pairs are their own commit.
    expect(version("c9", "a")).toBe("c9");
  });
});

describe("buildTimeRule", () => {
  it("keeps stages created within the hours, unknown times included, unless disabled or 0", () => {
    const rule = buildTimeRule(defaultCleanupConfig, now);
    expect(rule).toEqual({ since: new Date(hoursAgo(2)), hours: 2, reason: "built within the last 2 hours" });
    expect(isBuiltWithin(rule, hoursAgo(1.5))).toBe(true);
    expect(isBuiltWithin(rule, hoursAgo(2))).toBe(true);
    expect(isBuiltWithin(rule, hoursAgo(2.01))).toBe(false);
    expect(isBuiltWithin(rule, null)).toBe(true);
    expect(isBuiltWithin(rule, "yesterday")).toBe(true);
    expect(buildTimeRule(defaultCleanupConfig, now, 1)?.reason).toBe("built within the last 1 hour");
    expect(buildTimeRule({ ...defaultCleanupConfig, keepImagesBuiltWithinLastNHours: 0 }, now)).toBeNull();
    expect(buildTimeRule({ ...defaultCleanupConfig, disableBuiltWithinLastNHoursPolicy: true }, now)).toBeNull();
    expect(isBuiltWithin(null, hoursAgo(0))).toBe(false);
  });
});
