import { describe, expect, it } from "vitest";
import type { HostHousekeeping, LocalStageUse, StorageUsage } from "../adapters/housekeeping.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import { stagesStorageSpecificationVersion } from "../adapters/stages-storage.js";
import { UsageError } from "../errors.js";
import type { Signature } from "../signature-type.js";
import { cleanupHost, type HostSelectionInput, purgeHost, selectHostRemovals } from "./host-cleanup.js";

const now = new Date("2026-06-01T12:00:00.000Z");
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
const sig = (name: string) => name.repeat(64).slice(0, 64) as Signature;

/** A stage used `used` hours ago, created `created` hours ago, of `size` bytes. */
function stage(name: string, used: number, options: Partial<LocalStageUse> & { created?: number } = {}): LocalStageUse {
  const { created, ...rest } = options;
  return {
    signature: sig(name),
    id: `sha256:${sig(name)}`,
    parent: null,
    lastUsedAt: hoursAgo(used),
    createdAt: hoursAgo(created ?? used + 1),
    size: 100,
    containers: [],
    heldBy: [],
    ...rest,
  };
}

const usage = (usedBytes: number, totalBytes = 1000): StorageUsage => ({
  path: "/var/lib/docker",
  usedBytes,
  totalBytes,
});

function select(input: Partial<HostSelectionInput> & { stages: LocalStageUse[] }) {
  const selection = selectHostRemovals({
    usage: usage(900),
    allowedVolumeUsage: 70,
    margin: 5,
    keepBuiltWithinHours: 2,
    now,
    ...input,
  });
  return selection.decisions.map((decision) => `${decision.stage.signature[0]} ${decision.action} ${decision.reason}`);
}

describe("selectHostRemovals", () => {
  const table: {
    name: string;
    input: Partial<HostSelectionInput> & { stages: LocalStageUse[] };
    expected: string[];
  }[] = [
    {
      name: "least recently used first, until the estimate reaches threshold minus margin",
      // 900 of 1000 used, target 65 % = 650: 250 bytes to free, 100 per stage.
      input: { stages: [stage("a", 5), stage("b", 50), stage("c", 10), stage("d", 20), stage("e", 30)] },
      expected: [
        "b remove least-recently-used",
        "e remove least-recently-used",
        "d remove least-recently-used",
        "c keep target-reached",
        "a keep target-reached",
      ],
    },
    {
      name: "at or below the threshold nothing goes",
      input: { usage: usage(700), stages: [stage("a", 50), stage("b", 60)] },
      expected: ["b keep below-threshold", "a keep below-threshold"],
    },
    {
      name: "containers, holds and recent builds are protected, and so are the stages they are built on",
      input: {
        usage: usage(1000),
        stages: [
          stage("a", 90, { containers: ["web"] }),
          stage("b", 80, { heldBy: ["host pid 7"] }),
          stage("c", 70, { created: 1 }),
          stage("d", 60, { parent: sig("e") }),
          stage("e", 95, { parent: null }),
          stage("f", 99),
          stage("1", 99, { parent: sig("2") }),
          stage("2", 99, { parent: sig("3"), containers: ["job"] }),
          stage("3", 99),
        ],
      },
      expected: [
        "1 remove least-recently-used",
        "f remove least-recently-used",
        "d remove least-recently-used",
        "e remove least-recently-used",
        "a keep container",
        "b keep held",
        "c keep built-recently",
        "2 keep container",
        "3 keep parent-of-kept",
      ],
    },
    {
      name: "a chain used at once goes child first, and each stage counts only the bytes it adds",
      input: {
        usage: usage(760),
        // 110 bytes to free; the estimates are 60 (c adds 60 to b's 140), then 40 (b), then 100 (a).
        stages: [
          stage("a", 10, { created: 30, size: 100 }),
          stage("b", 10, { created: 20, size: 140, parent: sig("a") }),
          stage("c", 10, { created: 15, size: 200, parent: sig("b") }),
        ],
      },
      expected: ["c remove least-recently-used", "b remove least-recently-used", "a remove least-recently-used"],
    },
    {
      name: "a use of a child counts for its parent: the parent never goes before it",
      input: {
        usage: usage(1000),
        // The build touched a (the base stage) first and tagged b, c later; d is idle.
        stages: [
          stage("a", 9, { created: 50 }),
          stage("b", 3, { created: 3, parent: sig("a") }),
          stage("c", 5, { created: 5, parent: sig("b") }),
          stage("d", 7, { created: 40 }),
        ],
        keepBuiltWithinHours: 0,
      },
      expected: [
        "d remove least-recently-used",
        "c remove least-recently-used",
        "b remove least-recently-used",
        "a remove least-recently-used",
      ],
    },
    {
      name: "keepBuiltWithinHours 0 protects nothing by age",
      input: { keepBuiltWithinHours: 0, usage: usage(1000), stages: [stage("a", 0, { created: 0 })] },
      expected: ["a remove least-recently-used"],
    },
    {
      name: "an unmeasured storage (allowed 0) loses every removable stage",
      input: { usage: null, allowedVolumeUsage: 0, stages: [stage("a", 3), stage("b", 4, { heldBy: ["x"] })] },
      expected: ["a remove least-recently-used", "b keep held"],
    },
    {
      name: "purge ignores age and usage but not containers and holds",
      input: {
        purge: true,
        usage: usage(0),
        stages: [stage("a", 0, { created: 0 }), stage("b", 1, { containers: ["c"] })],
      },
      expected: ["a remove purge", "b keep container"],
    },
  ];
  for (const { name, input, expected } of table) {
    it(name, () => expect(select(input)).toEqual(expected));
  }

  it("reports the bytes to free and the estimate", () => {
    const selection = selectHostRemovals({
      stages: [stage("a", 5, { size: 300 })],
      usage: usage(900),
      allowedVolumeUsage: 70,
      margin: 5,
      keepBuiltWithinHours: 2,
      now,
    });
    expect(selection.bytesToFree).toBe(250);
    expect(selection.estimatedBytes).toBe(300);
  });
});

/**
 * An engine in memory: removing a stage frees the bytes it adds to its parent (its parent's
 * bytes only once no child is left), as an engine frees layers nothing else uses.
 */
function memoryHost(stages: LocalStageUse[], options: { used: number; total: number; refuse?: string[] }) {
  const present = new Map(stages.map((entry) => [entry.signature, entry]));
  let used = options.used;
  const removed: string[] = [];
  let sweeps = 0;
  const buildDirectories = ["stages-build-dir-p-cache"];
  const host: HostHousekeeping = {
    async usage() {
      return usage(used, options.total);
    },
    async stages() {
      return [...present.values()];
    },
    async remove(signature) {
      if (options.refuse?.includes(signature[0] as string)) return false;
      const entry = present.get(signature);
      if (!entry) return true;
      present.delete(signature);
      removed.push(signature[0] as string);
      const parentSize = entry.parent ? (stages.find((other) => other.signature === entry.parent)?.size ?? 0) : 0;
      used -= (entry.size ?? 0) - parentSize;
      return true;
    },
    async touch() {},
    async sweepLeftovers() {
      sweeps += 1;
      return { containers: ["leftover"], images: [] };
    },
    async purgeBuildDirectories({ dryRun } = {}) {
      if (!dryRun) buildDirectories.length = 0;
      return ["stages-build-dir-p-cache"];
    },
  };
  const storage: StagesStorage = {
    specificationVersion: stagesStorageSpecificationVersion,
    kind: "local",
    description: "memory engine",
    get: async () => null,
    has: async () => false,
    list: async () => [],
    delete: async () => {},
    host,
  };
  return {
    storage,
    removed,
    get used() {
      return used;
    },
    buildDirectories,
    get sweeps() {
      return sweeps;
    },
  };
}

describe("cleanupHost", () => {
  it("measures again after removing and goes on while the storage is above the target", async () => {
    // Sizes overestimate: each 450-byte stage adds only 50 bytes to a base that stays.
    const engine = memoryHost(
      ["a", "b", "c", "d", "e"].map((name, index) => stage(name, 10 + index, { size: 450 })),
      { used: 800, total: 1000 },
    );
    const host = engine.storage.host as HostHousekeeping;
    let used = 800;
    const storage: StagesStorage = {
      ...engine.storage,
      host: {
        ...host,
        usage: async () => usage(used, 1000),
        remove: async (signature) => {
          const removed = await host.remove(signature);
          if (removed) used -= 50;
          return removed;
        },
      },
    };
    const result = await cleanupHost({ local: storage, project: "p", now, keepBuiltWithinHours: 0 });
    // 800 → target 650: three stages of 50 bytes each.
    expect(engine.removed).toEqual(["e", "d", "c"]);
    expect(result.usageBefore?.usedPercent).toBe(80);
    expect(result.usageAfter?.usedBytes).toBe(650);
    expect(result.stages.map((entry) => `${entry.signature[0]} ${entry.action} ${entry.reason}`)).toEqual([
      "e removed least-recently-used",
      "d removed least-recently-used",
      "c removed least-recently-used",
      "b kept target-reached",
      "a kept target-reached",
    ]);
    expect(result.removed).toBe(3);
    expect(result.kept).toBe(2);
  });

  it("sweeps build leftovers first, even below the threshold", async () => {
    const engine = memoryHost([stage("a", 5)], { used: 100, total: 1000 });
    const result = await cleanupHost({ local: engine.storage, project: "p", now });
    expect(engine.sweeps).toBe(1);
    expect(result.leftovers).toEqual({ containers: ["leftover"], images: [] });
    expect(result.removed).toBe(0);
    // build_dir caches are the builds' own cache: host cleanup keeps them (only purge removes them).
    expect(engine.buildDirectories).toEqual(["stages-build-dir-p-cache"]);
  });

  it("a dry run removes nothing and reports what would go", async () => {
    const engine = memoryHost([stage("a", 5), stage("b", 3, { containers: ["x"] })], { used: 900, total: 1000 });
    const result = await cleanupHost({ local: engine.storage, project: "p", now, dryRun: true, allowedVolumeUsage: 0 });
    expect(engine.removed).toEqual([]);
    expect(engine.sweeps).toBe(0);
    expect(result.leftovers).toBeNull();
    // Host cleanup never touches the build_dir caches; only purge does.
    expect(result.buildDirectories).toBeUndefined();
    expect(engine.buildDirectories).toEqual(["stages-build-dir-p-cache"]);
    expect(result.usageAfter).toBeNull();
    expect(result.stages.map((entry) => `${entry.signature[0]} ${entry.action} ${entry.reason}`)).toEqual([
      "a would-remove least-recently-used",
      "b kept container",
    ]);
  });

  it("a stage found in use at its removal is kept and reported in-use", async () => {
    const engine = memoryHost([stage("a", 5), stage("b", 4)], { used: 900, total: 1000, refuse: ["a"] });
    const result = await cleanupHost({ local: engine.storage, project: "p", now, allowedVolumeUsage: 0 });
    expect(result.stages.map((entry) => `${entry.signature[0]} ${entry.action} ${entry.reason}`)).toEqual([
      "a kept in-use",
      "b removed least-recently-used",
    ]);
  });

  it("refuses a storage it cannot measure unless the threshold is 0", async () => {
    const engine = memoryHost([stage("a", 5)], { used: 0, total: 0 });
    const storage = {
      ...engine.storage,
      host: { ...(engine.storage.host as HostHousekeeping), usage: async () => null },
    };
    const error = await cleanupHost({ local: storage, project: "p", now }).catch((caught: unknown) => caught);
    expect(UsageError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("cannot measure the storage of a remote engine");
    const result = await cleanupHost({ local: storage, project: "p", now, allowedVolumeUsage: 0 });
    expect(result.removed).toBe(1);
    expect(result.usageBefore).toBeNull();
  });

  it("refuses a storage without the host capability, and bad percentages", async () => {
    const { host: _host, ...storage } = memoryHost([], { used: 0, total: 1 }).storage;
    await expect(cleanupHost({ local: storage, project: "p" })).rejects.toThrow(/no host capability/);
    const engine = memoryHost([], { used: 0, total: 1 });
    await expect(cleanupHost({ local: engine.storage, project: "p", allowedVolumeUsage: 120 })).rejects.toThrow(
      /percentage from 0 to 100/,
    );
    await expect(cleanupHost({ local: engine.storage, project: "p", keepBuiltWithinHours: -1 })).rejects.toThrow(
      /0 or more/,
    );
  });
});

describe("purgeHost", () => {
  it("removes every unprotected stage, then sweeps leftovers", async () => {
    const engine = memoryHost([stage("a", 0, { created: 0 }), stage("b", 1, { heldBy: ["h pid 1"] }), stage("c", 2)], {
      used: 500,
      total: 1000,
    });
    const result = await purgeHost({ local: engine.storage, project: "p", now });
    expect(engine.removed.sort()).toEqual(["a", "c"]);
    expect(result.stages.find((entry) => entry.signature === sig("b"))).toMatchObject({
      action: "kept",
      reason: "held",
    });
    expect(result.leftovers).toEqual({ containers: ["leftover"], images: [] });
    expect(engine.sweeps).toBe(1);
    expect(result.buildDirectories).toEqual(["stages-build-dir-p-cache"]);
    expect(engine.buildDirectories).toEqual([]);
  });

  it("a dry run removes and sweeps nothing", async () => {
    const engine = memoryHost([stage("a", 0)], { used: 500, total: 1000 });
    const result = await purgeHost({ local: engine.storage, project: "p", now, dryRun: true });
    expect(engine.removed).toEqual([]);
    expect(engine.sweeps).toBe(0);
    expect(result.stages[0]).toMatchObject({ action: "would-remove", reason: "purge" });
    expect(result.leftovers).toBeNull();
    expect(result.buildDirectories).toEqual(["stages-build-dir-p-cache"]);
    expect(engine.buildDirectories).toEqual(["stages-build-dir-p-cache"]);
    expect(result.buildDirectories).toEqual(["stages-build-dir-p-cache"]);
    expect(engine.buildDirectories).toEqual(["stages-build-dir-p-cache"]);
  });
});
