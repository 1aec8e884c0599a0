import {
  build,
  createFactsProvider,
  loadConfigOrThrow,
  type ProcedureResult,
  StageBuildError,
  type StageBuildRequest,
  type StagesEvent,
  UsageError,
} from "@stages/core";
import { sleep } from "@stages/core/internal";
import { beforeEach, describe, expect, it } from "vitest";
import {
  createMemoryGitSource,
  createMemoryStageBuilder,
  createMemoryTransfer,
  type MemoryRegistry,
} from "./memory-adapters.js";
import { createMemoryLock } from "./memory-lock.js";
import { createMemoryStagesStorage } from "./memory-storage.js";

/*
 * DESIGN §14: many hosts build one project into one REPO at once. Each "host" has its own local
 * storage and builder; they share a memory registry, and a memory lock when the test says so.
 */

const repository = "registry.test/taxi";

const config = loadConfigOrThrow(`project: taxi
configVersion: 1
---
artifact: tools
from: alpine:3.20
shell:
  install: [echo tool > /usr/local/bin/tool]
---
image: backend
from: alpine:3.20
git:
- add: /
  to: /app
shell:
  beforeInstall: [apk add nodejs]
  install: [cd /app && npm ci]
  setup: [cd /app && npm run build]
import:
- artifact: tools
  add: /usr/local/bin/tool
  after: setup
docker:
  CMD: [node, /app/dist/main.js]
`).config;

type Host = ReturnType<typeof makeHost>;

function makeHost(registry: MemoryRegistry, whileBuilding?: (request: StageBuildRequest) => Promise<void>) {
  const local = createMemoryStagesStorage({ project: "taxi", kind: "local" });
  const builder = createMemoryStageBuilder({
    local,
    digests: { "docker.io/library/alpine:3.20": `sha256:${"1".repeat(64)}` },
    ...(whileBuilding ? { whileBuilding } : {}),
  });
  const transfer = createMemoryTransfer({ local, registry });
  const events: StagesEvent[] = [];
  return { local, builder, transfer, events };
}

/** Makes a host's pushes take time, as a registry's do. */
function slowPushes(host: Host): Host {
  const push = host.transfer.push;
  host.transfer.push = async (request) => {
    await sleep(5);
    return push(request);
  };
  return host;
}

const signatures = (result: ProcedureResult) =>
  result.images.map((image) => image.stages.map((stage) => `${image.name}/${stage.name}:${stage.signature}`));

const stagesOf = (result: ProcedureResult) => result.images.flatMap((image) => image.stages);

describe("build with push, many hosts at once (memory adapters)", () => {
  let registry: MemoryRegistry;
  const git = createMemoryGitSource({ "package.json": "{}", "src/main.ts": "main" });

  beforeEach(() => {
    registry = { repository, stages: createMemoryStagesStorage({ project: "taxi", kind: "remote" }), tags: new Map() };
  });

  const buildOn = (host: Host, extra: Partial<Parameters<typeof build>[0]> = {}) =>
    build({
      config,
      local: host.local,
      builder: host.builder,
      facts: createFactsProvider({ git, baseDigests: host.builder }),
      remote: { storage: registry.stages, repository, transfer: host.transfer },
      onEvent: (event) => host.events.push(event),
      ...extra,
    });

  const slowly = () => sleep(5);

  it("pushes every stage as soon as it is built, while the next ones build", async () => {
    const a = slowPushes(makeHost(registry, slowly));
    const result = await buildOn(a, { push: true });
    const all = stagesOf(result);
    expect(all.every((stage) => stage.action === "built" && stage.pushed === true)).toBe(true);
    const distinct = new Set(all.map((stage) => stage.signature));
    expect(new Set(registry.stages.signatures())).toEqual(distinct);
    expect(a.transfer.calls.push).toHaveLength(distinct.size);
    // The first push starts before the last build ends: pushing overlaps building.
    const firstPush = a.events.findIndex((event) => event.type === "stage-started" && event.work === "push");
    const lastBuilt = a.events
      .map((event) => event.type === "stage-finished" && event.action === "built")
      .lastIndexOf(true);
    expect(firstPush).toBeGreaterThan(-1);
    expect(firstPush).toBeLessThan(lastBuilt);
    // And a build starts while a push is still running: pushes go on in the background.
    const firstPushed = a.events.findIndex((event) => event.type === "stage-finished" && event.action === "pushed");
    expect(
      a.events.slice(firstPush, firstPushed).some((event) => event.type === "stage-started" && event.work === "build"),
    ).toBe(true);
    // The build ends once every push has.
    expect(a.events.at(-1)).toMatchObject({ type: "stage-finished", action: "pushed" });
  });

  it("pushes local stages REPO lacks too, and nothing REPO has", async () => {
    const a = makeHost(registry);
    await buildOn(a, { images: ["tools"] });
    expect(registry.stages.signatures()).toHaveLength(0);
    const result = await buildOn(a, { push: true, images: ["tools"] });
    expect(stagesOf(result).map((stage) => [stage.action, stage.pushed])).toEqual([
      ["cached", true],
      ["cached", true],
    ]);
    const again = await buildOn(a, { push: true, images: ["tools"] });
    expect(stagesOf(again).every((stage) => stage.pushed === false)).toBe(true);
    expect(a.transfer.calls.push).toHaveLength(2);
  });

  it("needs a remote to push, and push to force", async () => {
    const a = makeHost(registry);
    await expect(buildOn(a, { push: true, remote: undefined })).rejects.toSatisfy(UsageError.isInstance);
    await expect(buildOn(a, { force: true })).rejects.toSatisfy(UsageError.isInstance);
  });

  it("with a lock, two hosts at once build each stage exactly once and agree on every signature", async () => {
    const lock = createMemoryLock({ pollMs: 2 });
    const a = slowPushes(makeHost(registry, slowly));
    const b = slowPushes(makeHost(registry, slowly));
    const [ra, rb] = await Promise.all([buildOn(a, { push: true, lock }), buildOn(b, { push: true, lock })]);
    expect(signatures(ra)).toEqual(signatures(rb));
    const built = [...a.builder.builds, ...b.builder.builds].map((request) => request.signature);
    const distinct = new Set(stagesOf(ra).map((stage) => stage.signature));
    expect(built.sort()).toEqual([...distinct].sort());
    expect(new Set(registry.stages.signatures())).toEqual(distinct);
    // Each stage was pushed once, by the host that built it, before it released the lock.
    expect([...a.transfer.calls.push, ...b.transfer.calls.push]).toHaveLength(distinct.size);
    expect(lock.held.size).toBe(0);
    // The host that did not build a stage pulled it, or had it already.
    for (const [mine, theirs] of [
      [ra, rb],
      [rb, ra],
    ] as const) {
      const other = new Map(stagesOf(theirs).map((stage) => [stage.signature, stage.action]));
      for (const stage of stagesOf(mine))
        if (stage.action === "built") expect(other.get(stage.signature)).not.toBe("built");
    }
  });

  it("a host waiting for the lock gives up and pulls once the holder pushed the stage", async () => {
    const lock = createMemoryLock({ pollMs: 2 });
    const a = slowPushes(makeHost(registry, slowly));
    const b = makeHost(registry);
    const [ra, rb] = await Promise.all([
      buildOn(a, { push: true, lock, images: ["tools"] }),
      sleep(1).then(() => buildOn(b, { push: true, lock, images: ["tools"] })),
    ]);
    expect(stagesOf(ra).map((stage) => stage.action)).toEqual(["built", "built"]);
    expect(b.builder.builds).toHaveLength(0);
    expect(stagesOf(rb).at(-1)?.action).toBe("pulled");
    expect(signatures(ra)).toEqual(signatures(rb));
  });

  it("stops waiting for a lock another host keeps once the stage is in REPO (abandonWhen), and pulls it", async () => {
    const lock = createMemoryLock({ pollMs: 2 });
    const scratch = makeHost(registry);
    const install = stagesOf(await buildOn(scratch, { images: ["tools"], remote: undefined })).at(-1)!;
    // A host that took the lock of `install` and went silent (its lock not yet expired).
    const silent = await lock.acquire(`stage:taxi:${install.signature}`);
    const b = makeHost(registry);
    const waiting = buildOn(b, { push: true, lock, images: ["tools"] });
    await sleep(30);
    expect(b.builder.builds.map((request) => request.stage)).toEqual(["from"]);
    // Meanwhile a host without the lock pushes it.
    await buildOn(makeHost(registry), { push: true, images: ["tools"] });
    const result = await waiting;
    expect(lock.abandoned).toEqual([`stage:taxi:${install.signature}`]);
    expect(stagesOf(result).at(-1)).toMatchObject({ action: "pulled", pushed: false });
    expect(b.builder.builds).toHaveLength(1);
    await silent?.release();
  });

  it("without a lock, two hosts at once agree on every signature and REPO ends complete", async () => {
    const a = makeHost(registry, slowly);
    const b = makeHost(registry, slowly);
    const [ra, rb] = await Promise.all([buildOn(a, { push: true }), buildOn(b, { push: true })]);
    expect(signatures(ra)).toEqual(signatures(rb));
    const distinct = new Set(stagesOf(ra).map((stage) => stage.signature));
    expect(new Set(registry.stages.signatures())).toEqual(distinct);
    for (const result of [ra, rb])
      for (const stage of stagesOf(result)) expect(["built", "pulled", "cached"]).toContain(stage.action);
  });

  it("pulls instead of building a stage another host pushed after the lookup", async () => {
    const a = makeHost(registry);
    await buildOn(a, { push: true, images: ["tools"] });
    // B's lookups ran before A pushed: REPO lacks each stage the first time B asks, has it after.
    const asked = new Set<string>();
    const late = {
      ...registry.stages,
      has: async (...args: Parameters<typeof registry.stages.has>) => {
        const first = !asked.has(args[0]);
        asked.add(args[0]);
        return first ? false : registry.stages.has(...args);
      },
    };
    const b = makeHost(registry);
    const result = await buildOn(b, {
      images: ["tools"],
      remote: { storage: late, repository, transfer: b.transfer },
    });
    expect(b.builder.builds).toHaveLength(0);
    expect(stagesOf(result).map((stage) => stage.action)).toEqual(["pulled", "pulled"]);
    expect(signatures(result)).toEqual(signatures(await buildOn(a, { images: ["tools"] })));
  });

  it("never overwrites a stage another host pushed while this one built it, unless forced", async () => {
    const other = `sha256:${"9".repeat(64)}`;
    // Another host pushes the same signature while this one builds `install`.
    const pushedElsewhere = (host: () => Host) => async (request: StageBuildRequest) => {
      if (request.stage !== "install" || request.base === null) return;
      const base = await host().local.get(request.base);
      registry.stages.put({ ...base!, id: other, stage: "install", signature: request.signature });
    };
    const a: Host = makeHost(
      registry,
      pushedElsewhere(() => a),
    );
    const result = await buildOn(a, { push: true, images: ["tools"] });
    const install = stagesOf(result).find((stage) => stage.name === "install")!;
    expect(install).toMatchObject({ action: "built", pushed: false, adopted: true });
    expect((await registry.stages.get(install.signature))?.id).toBe(other);
    expect(a.events).toContainEqual(expect.objectContaining({ type: "stage-note", note: "adopted" }));
    expect(a.transfer.calls.push.some((reference) => reference.endsWith(install.signature))).toBe(false);

    await registry.stages.delete(install.signature);
    const forced: Host = makeHost(
      registry,
      pushedElsewhere(() => forced),
    );
    const overwritten = await buildOn(forced, { push: true, force: true, images: ["tools"] });
    const forcedInstall = stagesOf(overwritten).find((stage) => stage.name === "install")!;
    expect(forcedInstall).toMatchObject({ action: "built", pushed: true });
    expect(forcedInstall.adopted).toBeUndefined();
    expect((await registry.stages.get(install.signature))?.id).not.toBe(other);
  });

  it("builds a stage that vanished from REPO between lookup and pull from its base, pulling or building that first", async () => {
    const a = makeHost(registry);
    const first = await buildOn(a, { push: true, images: ["backend"] });
    const last = stagesOf(first).at(-1)!;
    const b = makeHost(registry);
    const pull = b.transfer.pull;
    b.transfer.pull = async (request) => {
      // Cleanup deletes the last stage just as B pulls it.
      if (request.signature === last.signature) await registry.stages.delete(last.signature);
      return pull(request);
    };
    const result = await buildOn(b, { images: ["backend"] });
    expect(signatures(result)).toEqual(signatures(first));
    expect(b.builder.builds.map((request) => request.stage)).toEqual([last.name]);
    const actions = Object.fromEntries(stagesOf(result).map((stage) => [stage.name, stage.action]));
    expect(actions[last.name]).toBe("built");
    // Its base, not needed before, is pulled now.
    expect(actions[stagesOf(result).at(-2)!.name]).toBe("pulled");
    expect(b.events).toContainEqual(expect.objectContaining({ type: "stage-note", note: "vanished" }));
    expect(await b.local.has(last.signature)).toBe(true);
  });

  it("a failing stage fails the build only once the pushes of the stages before it ended", async () => {
    const a = slowPushes(makeHost(registry));
    a.builder.failStage("install");
    await expect(buildOn(a, { push: true, images: ["tools"] })).rejects.toSatisfy(StageBuildError.isInstance);
    const from = a.builder.builds.find((request) => request.stage === "from")!;
    expect(await registry.stages.has(from.signature)).toBe(true);
    expect(a.events.at(-1)).toMatchObject({ type: "stage-finished", action: "pushed", signature: from.signature });
  });

  it("fails after the other pushes finished when one push fails", async () => {
    const a = makeHost(registry, slowly);
    const push = a.transfer.push;
    let failed = "";
    a.transfer.push = async (request) => {
      if (failed === "" && request.reference.includes("image-stage-")) {
        failed = request.signature;
        throw new Error("registry said no");
      }
      await sleep(5);
      return push(request);
    };
    await expect(buildOn(a, { push: true, images: ["tools"] })).rejects.toThrow("registry said no");
    // The other stage was still built and pushed: the failure waited for it.
    const others = a.builder.builds.filter((request) => request.signature !== failed);
    expect(others).toHaveLength(1);
    expect(await registry.stages.has(others[0]!.signature)).toBe(true);
    expect(await registry.stages.has(failed as never)).toBe(false);
  });
});
