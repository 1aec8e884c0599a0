import {
  build,
  cleanup,
  createFactsProvider,
  type GitHead,
  loadConfigOrThrow,
  purge,
  pushStages,
  type Signature,
  type StagesConfig,
  type StagesStorage,
  UsageError,
} from "@stages/core";
import { beforeEach, describe, expect, it } from "vitest";
import {
  createMemoryGitSource,
  createMemoryStageBuilder,
  createMemoryTransfer,
  type MemoryRegistry,
} from "./memory-adapters.js";
import {
  createMemoryGitHistory,
  createMemoryHousekeeping,
  type MemoryGitHistory,
  type MemoryHousekeeping,
  withHousekeeping,
} from "./memory-housekeeping.js";
import { createMemoryStagesStorage } from "./memory-storage.js";

const repository = "registry.test/taxi";

const policies = `cleanup:
  keepPolicies:
  - references: {tag: /.*/}
    imagesPerReference: {last: 1}
  - references: {branch: /.*/}
    imagesPerReference: {last: 1}
  keepImagesBuiltWithinLastNHours: 0
`;

/** The project at one commit: the image's install command says which version it is. */
const configAt = (version: string): StagesConfig =>
  loadConfigOrThrow(`project: taxi
configVersion: 1
${policies}---
image: app
from: alpine:3.20
shell:
  install: [echo ${version} > /version]
docker:
  CMD: [cat, /version]
`).config;

const hash = (name: string) => name.padEnd(40, "0");

describe("cleanup over commit records (memory adapters)", () => {
  let registry: MemoryRegistry;
  let housekeeping: MemoryHousekeeping;
  let remote: StagesStorage;
  let history: MemoryGitHistory;
  const local = () => createMemoryStagesStorage({ project: "taxi", kind: "local" });
  let host: ReturnType<typeof local>;
  let builder: ReturnType<typeof createMemoryStageBuilder>;

  beforeEach(() => {
    registry = { repository, stages: createMemoryStagesStorage({ project: "taxi", kind: "remote" }), tags: new Map() };
    housekeeping = createMemoryHousekeeping(registry);
    remote = withHousekeeping(registry.stages, housekeeping);
    history = createMemoryGitHistory();
    host = local();
    builder = createMemoryStageBuilder({
      local: host,
      digests: { "docker.io/library/alpine:3.20": `sha256:${"1".repeat(64)}` },
    });
  });

  const git = createMemoryGitSource({});
  /** Builds the version and pushes it with the record of `commit`; returns the signatures. */
  const pushCommit = async (version: string, commit: string): Promise<Signature[]> => {
    const config = configAt(version);
    const facts = createFactsProvider({ git, baseDigests: builder });
    const head: GitHead = { commit: hash(commit), dirty: false };
    const built = await build({ config, local: host, builder, facts });
    const pushed = await pushStages({
      config,
      local: host,
      remote,
      repository,
      transfer: createMemoryTransfer({ local: host, registry }),
      facts,
      head,
    });
    expect(pushed.recorded).toEqual({ commit: hash(commit), dirty: false, images: ["app"] });
    return built.images[0]!.stages.map((stage) => stage.signature);
  };

  const mainHistory = () => {
    history.commit(hash("c1"), "2026-11-01T10:00:00Z", []);
    history.commit(hash("c2"), "2026-11-02T10:00:00Z", [hash("c1")]);
    history.commit(hash("f1"), "2026-11-03T10:00:00Z", [hash("c2")]);
    history.commit(hash("c3"), "2026-11-04T10:00:00Z", [hash("c2")]);
    history.refs.push(
      { kind: "branch", name: "main", commit: hash("c3"), date: "2026-11-04T10:00:00Z" },
      { kind: "tag", name: "v2", commit: hash("c2"), date: "2026-11-02T10:00:00Z" },
    );
  };

  const run = (extra: { dryRun?: boolean; version?: string } = {}) =>
    cleanup({
      config: configAt(extra.version ?? "v3"),
      remote,
      repository,
      history,
      dryRun: extra.dryRun ?? false,
      now: new Date("2026-11-05T10:00:00Z"),
    });

  it("keeps the stages of kept commits, deletes those only deleted history needed", async () => {
    mainHistory();
    const c1 = await pushCommit("v1", "c1");
    const c2 = await pushCommit("v2", "c2");
    const f1 = await pushCommit("feature", "f1");
    const c3 = await pushCommit("v3", "c3");
    const from = c1[0]!;
    expect([c2[0], f1[0], c3[0]]).toEqual([from, from, from]);
    const unneeded = [...c1, ...f1].filter((signature) => signature !== from).sort();

    const dry = await run({ dryRun: true });
    expect(dry.deleted.map((stage) => stage.signature).sort()).toEqual(unneeded);
    expect(dry.deleted.every((stage) => stage.outcome === "would-delete")).toBe(true);
    expect(registry.stages.signatures()).toHaveLength(1 + 4 * 2);
    expect(housekeeping.recordObjects.size).toBe(4);

    const result = await run();
    expect(result.deleted.map((stage) => stage.signature).sort()).toEqual(unneeded);
    expect(registry.stages.signatures().sort()).toEqual([...new Set([...c2, ...c3])].sort());
    const reasons = Object.fromEntries(result.kept.map((stage) => [stage.signature, stage.reasons.join(" | ")]));
    expect(reasons[c3.at(-1)!]).toMatch(/main/);
    expect(reasons[c2.at(-1)!]).toMatch(/v2/);
    // The records of c1 and f1 name deleted stages: merged away; one object is left.
    expect(housekeeping.recordObjects.size).toBe(1);
    const left = await housekeeping.readRecords();
    expect(left.map((record) => record.commit).sort()).toEqual([hash("c2"), hash("c3")]);
  });

  it("keeps what a build that started after the plan leases, with its chain", async () => {
    mainHistory();
    const c1 = await pushCommit("v1", "c1");
    await pushCommit("v3", "c3");
    const leased = c1.at(-1)!;
    // A build takes a lease after the plan, before the re-check.
    const readLeases = housekeeping.readLeases.bind(housekeeping);
    let reads = 0;
    housekeeping.readLeases = async (options) => {
      if (++reads === 2)
        await housekeeping.putLease({
          id: "l1",
          holder: "host-b pid 7",
          expiresAt: "2026-11-05T16:00:00Z",
          stages: [leased],
        });
      return readLeases(options);
    };
    const result = await run();
    const kept = Object.fromEntries(result.kept.map((stage) => [stage.signature, stage]));
    expect(kept[leased]?.reasons.join()).toMatch(/host-b pid 7/);
    expect(kept[c1.at(-2)!]?.reasons.join()).toMatch(/base of kept stage/);
    expect(result.deleted).toEqual([]);
    for (const signature of c1) expect(await registry.stages.has(signature)).toBe(true);
  });

  it("keeps a stage pushed again since the plan, and drops expired leases", async () => {
    mainHistory();
    const c1 = await pushCommit("v1", "c1");
    await pushCommit("v3", "c3");
    const again = c1.at(-1)!;
    await housekeeping.putLease({ id: "old", holder: "gone", expiresAt: "2026-11-05T09:00:00Z", stages: c1 });
    // Another host pushes the stage again (a new digest) between the re-check and the delete.
    housekeeping.beforeDelete = async (signature) => {
      if (signature !== again) return;
      const stage = (await registry.stages.get(signature))!;
      registry.stages.put({ ...stage, id: `sha256:${"9".repeat(64)}` });
    };
    const result = await run();
    const kept = Object.fromEntries(result.kept.map((stage) => [stage.signature, stage]));
    expect(kept[again]?.outcome).toBe("changed");
    expect(await registry.stages.has(again)).toBe(true);
    expect(await registry.stages.has(c1.at(-2)!)).toBe(false);
    expect(result.leases).toEqual({ live: 0, expired: 1 });
    expect(housekeeping.leases.size).toBe(0);
  });

  it("never deletes a stage a published tag shares, and purge refuses without force", async () => {
    history.commit(hash("c1"), "2026-11-01T10:00:00Z", []);
    history.refs.push({ kind: "branch", name: "main", commit: hash("c1"), date: "2026-11-01T10:00:00Z" });
    const c1 = await pushCommit("v1", "c1");
    registry.tags.set(`${repository}:v1`, c1.at(-1)!);
    await expect(purge({ config: configAt("v1"), remote, repository })).rejects.toThrow(UsageError);
    await expect(purge({ config: configAt("v1"), remote, repository })).rejects.toThrow(`${repository}:v1`);
    const purged = await purge({ config: configAt("v1"), remote, repository, force: true });
    expect(purged.deleted).toHaveLength(c1.length);
    expect(registry.stages.signatures()).toEqual([]);
    expect(registry.tags.has(`${repository}:v1`)).toBe(true);
    expect(housekeeping.recordObjects.size).toBe(0);
  });

  it("refuses a remote storage without records", async () => {
    await expect(cleanup({ config: configAt("v1"), remote: registry.stages, repository, history })).rejects.toThrow(
      /keeps no records|commit records/,
    );
  });
});
