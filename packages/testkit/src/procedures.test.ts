import {
  build,
  type ContentId,
  createFactsProvider,
  loadConfigOrThrow,
  type ProcedureResult,
  plan,
  publish,
  pullStages,
  pushStages,
  StageBuildError,
  StageMissingError,
  type StagesEvent,
} from "@stages/core";
import { beforeEach, describe, expect, it } from "vitest";
import {
  createMemoryGitSource,
  createMemoryStageBuilder,
  createMemoryTransfer,
  type MemoryRegistry,
} from "./memory-adapters.js";
import { createMemoryStagesStorage, type MemoryStagesStorage } from "./memory-storage.js";

const repository = "registry.test/taxi";

const text = `project: taxi
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
  excludePaths: [docs]
  stageDependencies:
    install: [package.json]
    setup: ["src/**/*.ts"]
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
  ENV: {NODE_ENV: production}
---
image: [web, worker]
from: alpine:3.20
shell:
  install: [echo shared]
docker:
  WORKDIR: /srv
`;

const config = loadConfigOrThrow(text).config;

/** One build host: its local storage and builder, sharing a registry and a work tree. */
function host(registry: MemoryRegistry) {
  const local = createMemoryStagesStorage({ project: "taxi", kind: "local" });
  const builder = createMemoryStageBuilder({
    local,
    digests: { "docker.io/library/alpine:3.20": `sha256:${"1".repeat(64)}` },
  });
  const transfer = createMemoryTransfer({ local, registry });
  return { local, builder, transfer };
}

function actions(result: ProcedureResult, image: string | null): Record<string, string> {
  const found = result.images.find((candidate) => candidate.name === image);
  if (!found) throw new Error(`no ${image} in result`);
  return Object.fromEntries(found.stages.map((stage) => [stage.name, stage.action]));
}

describe("procedures over in-memory adapters", () => {
  let registry: MemoryRegistry;
  let git: ReturnType<typeof createMemoryGitSource>;
  let a: ReturnType<typeof host>;
  let b: ReturnType<typeof host>;

  beforeEach(() => {
    registry = { repository, stages: createMemoryStagesStorage({ project: "taxi", kind: "remote" }), tags: new Map() };
    git = createMemoryGitSource({
      "package.json": '{"name":"backend"}',
      "src/main.ts": "main",
      "README.md": "readme",
      "docs/guide.md": "guide",
    });
    a = host(registry);
    b = host(registry);
  });

  const buildOn = (side: ReturnType<typeof host>, extra: Partial<Parameters<typeof build>[0]> = {}) =>
    build({ config, local: side.local, builder: side.builder, facts: factsOf(side), ...extra });
  const factsOf = (side: ReturnType<typeof host>) => createFactsProvider({ git, baseDigests: side.builder });
  const withRemote = (side: ReturnType<typeof host>) => ({
    storage: registry.stages,
    repository,
    transfer: side.transfer,
  });
  const pushFrom = (side: ReturnType<typeof host>) =>
    pushStages({
      config,
      local: side.local,
      remote: registry.stages,
      repository,
      transfer: side.transfer,
      facts: factsOf(side),
    });
  const pullTo = (side: ReturnType<typeof host>, extra: { all?: boolean; images?: string[] } = {}) =>
    pullStages({
      config,
      local: side.local,
      remote: registry.stages,
      repository,
      transfer: side.transfer,
      facts: factsOf(side),
      ...extra,
    });

  it("builds the conveyor of DESIGN §4, skipping empty stages", async () => {
    const result = await buildOn(a);
    expect(Object.keys(actions(result, "backend"))).toEqual([
      "from",
      "beforeInstall",
      "gitArchive",
      "install",
      "setup",
      "importsAfterSetup",
      "dockerInstructions",
    ]);
    expect(Object.values(actions(result, "backend")).every((action) => action === "built")).toBe(true);
    expect(Object.keys(actions(result, "tools"))).toEqual(["from", "install"]);
    // gitLatestPatch is empty right after gitArchive: the chain already carries the current content.
    expect(Object.keys(actions(result, "web"))).toEqual(["from", "install", "dockerInstructions"]);
  });

  it("builds nothing the second time", async () => {
    await buildOn(a);
    const count = a.builder.builds.length;
    const again = await buildOn(a);
    expect(a.builder.builds.length).toBe(count);
    for (const image of again.images) for (const stage of image.stages) expect(stage.action).toBe("cached");
  });

  it("builds a stage shared by two images once", async () => {
    const result = await buildOn(a, { images: ["web", "worker"], parallel: 2 });
    expect(actions(result, "web")).toEqual(actions(result, "worker"));
    const shared = a.builder.builds.filter((request) => request.stage === "install");
    expect(shared).toHaveLength(1);
  });

  it("rebuilds only gitLatestPatch and what follows after a change outside stageDependencies", async () => {
    await buildOn(a);
    const archived = (await a.local.list()).find((stage) => stage.stage === "gitArchive")!;
    git.write("README.md", "readme, edited");
    const result = await buildOn(a, { images: ["backend"] });
    expect(actions(result, "backend")).toEqual({
      from: "cached",
      beforeInstall: "cached",
      gitArchive: "cached",
      install: "cached",
      setup: "cached",
      importsAfterSetup: "cached",
      gitLatestPatch: "built",
      dockerInstructions: "built",
    });
    const patch = a.builder.builds.at(-2)!;
    expect(patch.stage).toBe("gitLatestPatch");
    expect(patch.instructions).toMatchObject({ kind: "git", gitUpdates: [{ from: archived.carried!["git-0"] }] });
    // A file excluded from the mapping changes nothing at all.
    const count = a.builder.builds.length;
    git.write("docs/guide.md", "guide, edited");
    await buildOn(a, { images: ["backend"] });
    expect(a.builder.builds.length).toBe(count);
  });

  it("rebuilds a stage whose stageDependencies changed, and everything after it", async () => {
    await buildOn(a);
    git.write("package.json", '{"name":"backend","version":"2"}');
    const result = await buildOn(a, { images: ["backend"] });
    expect(actions(result, "backend")).toEqual({
      from: "cached",
      beforeInstall: "cached",
      gitArchive: "cached",
      install: "built",
      setup: "built",
      importsAfterSetup: "built",
      dockerInstructions: "built",
    });
    const install = a.builder.builds.find(
      (request) =>
        request.stage === "install" &&
        request.image === "backend" &&
        request.instructions.kind === "shell" &&
        request.instructions.gitUpdates.length > 0,
    );
    expect(install).toBeDefined();
    // The rebuilt install stage brought the files up to date, so no patch is needed at the end.
    expect(result.images.find((image) => image.name === "backend")!.stages.map((stage) => stage.name)).not.toContain(
      "gitLatestPatch",
    );
  });

  it("changes the from signature with the base digest when fromLatest", async () => {
    const latest = loadConfigOrThrow(
      text.replace("image: backend\nfrom: alpine:3.20", "image: backend\nfrom: alpine:3.20\nfromLatest: true"),
    ).config;
    const planned = await plan({ config, local: a.local, facts: factsOf(a) });
    const plannedLatest = await plan({
      config: latest,
      local: a.local,
      facts: createFactsProvider({ git, baseDigests: { resolveBaseDigest: async () => `sha256:${"1".repeat(64)}` } }),
    });
    const from = (result: typeof planned) =>
      result.images.find((image) => image.name === "backend")!.stages[0]!.signature;
    expect(from(plannedLatest)).not.toBe(from(planned));
  });

  it("pushes, pulls, publishes and plans a fromLatest image, its from signature following the base digest", async () => {
    const latest = loadConfigOrThrow(
      text.replace("image: backend\nfrom: alpine:3.20", "image: backend\nfrom: alpine:3.20\nfromLatest: true"),
    ).config;
    const digests: Record<string, string> = { "docker.io/library/alpine:3.20": `sha256:${"1".repeat(64)}` };
    // One provider per run, as the CLI makes it: the base digest is asked of the "registry" each run.
    const facts = () =>
      createFactsProvider({ git, baseDigests: { resolveBaseDigest: async (reference) => digests[reference]! } });
    const images = ["backend"];
    const remote = { remote: registry.stages, repository };
    const built = await build({ config: latest, images, local: a.local, builder: a.builder, facts: facts() });
    const from = actions(built, "backend").from;
    expect(from).toBe("built");
    const pushed = await pushStages({
      config: latest,
      images,
      local: a.local,
      transfer: a.transfer,
      facts: facts(),
      ...remote,
    });
    expect(Object.values(actions(pushed, "backend")).every((action) => action === "pushed")).toBe(true);
    const pulled = await pullStages({
      config: latest,
      images,
      local: b.local,
      transfer: b.transfer,
      facts: facts(),
      ...remote,
    });
    expect(actions(pulled, "backend").dockerInstructions).toBe("pulled");
    const published = await publish({
      config: latest,
      images,
      tags: ["v1"],
      local: a.local,
      transfer: a.transfer,
      facts: facts(),
      ...remote,
    });
    expect(published.images[0]?.tags?.map((tag) => tag.method)).toEqual(["registry-copy"]);

    const signatureOf = (result: ProcedureResult) =>
      result.images.find((image) => image.name === "backend")!.stages[0]!.signature;
    digests["docker.io/library/alpine:3.20"] = `sha256:${"2".repeat(64)}`;
    const planned = await plan({ config: latest, images, local: a.local, facts: facts(), ...remote });
    const newFrom = planned.images[0]!.stages[0]!;
    expect(newFrom.signature).not.toBe(signatureOf(built));
    expect(newFrom).toMatchObject({ local: false, remote: false, build: "built", push: "missing" });
    const rebuilt = await build({ config: latest, images, local: a.local, builder: a.builder, facts: facts() });
    expect(signatureOf(rebuilt)).toBe(newFrom.signature);
    const pushedAgain = await pushStages({
      config: latest,
      images,
      local: a.local,
      transfer: a.transfer,
      facts: facts(),
      ...remote,
    });
    expect(signatureOf(pushedAgain)).toBe(newFrom.signature);
    expect(actions(pushedAgain, "backend").from).toBe("pushed");
  });

  it("does exactly what plan printed just before, for every procedure", async () => {
    type Column = "build" | "pull" | "push";
    const column = (planned: Awaited<ReturnType<typeof plan>>, which: Column, names: readonly (string | null)[]) =>
      Object.fromEntries(
        planned.images
          .filter((image) => names.includes(image.name))
          .map((image) => [image.name, Object.fromEntries(image.stages.map((stage) => [stage.name, stage[which]]))]),
      );
    const taken = (result: ProcedureResult, names: readonly (string | null)[]) =>
      Object.fromEntries(names.map((name) => [name, actions(result, name)]));
    const every = ["tools", "backend", "web", "worker"];
    const remote = { remote: registry.stages, repository };

    await buildOn(a, { images: ["tools"] });
    const buildPlan = await plan({ config, local: a.local, facts: factsOf(a) });
    expect(taken(await buildOn(a), every)).toEqual(column(buildPlan, "build", every));

    git.write("README.md", "edited before the push");
    await buildOn(a, { images: ["backend"] });
    const pushPlan = await plan({ config, local: a.local, facts: factsOf(a), ...remote });
    const pushed = await pushStages({ config, local: a.local, transfer: a.transfer, facts: factsOf(a), ...remote });
    expect(taken(pushed, every)).toEqual(column(pushPlan, "push", every));

    const pullPlan = await plan({ config, local: b.local, facts: factsOf(b), ...remote });
    const pulled = await pullTo(b);
    expect(taken(pulled, every)).toEqual(column(pullPlan, "pull", every));
    const pullAllPlan = await plan({ config, local: b.local, facts: factsOf(b), pullAll: true, ...remote });
    expect(taken(await pullTo(b, { all: true }), every)).toEqual(column(pullAllPlan, "pull", every));

    git.write("src/main.ts", "main, edited");
    const repoPlan = await plan({ config, local: b.local, facts: factsOf(b), ...remote });
    const rebuilt = await buildOn(b, { remote: withRemote(b) });
    expect(taken(rebuilt, every)).toEqual(column(repoPlan, "build", every));

    const publishPlan = await plan({ config, local: b.local, facts: factsOf(b), withStages: true, ...remote });
    const published = await publish({
      config,
      tags: ["v1"],
      local: b.local,
      transfer: b.transfer,
      facts: factsOf(b),
      withStages: true,
      ...remote,
    });
    expect(published.images.map((image) => [image.name, image.tags?.map((tag) => tag.method)])).toEqual(
      publishPlan.images.filter((image) => image.publish !== null).map((image) => [image.name, [image.publish]]),
    );
    expect(taken(published, ["backend", "web", "worker"])).toEqual(
      column(publishPlan, "push", ["backend", "web", "worker"]),
    );
  });

  it("leaves no stage behind when a command fails, and keeps the earlier ones", async () => {
    a.builder.failStage("setup");
    await expect(buildOn(a, { images: ["backend"] })).rejects.toSatisfy((error: unknown) =>
      StageBuildError.isInstance(error),
    );
    const stored = (await a.local.list()).map((stage) => stage.stage);
    expect(stored).toContain("install");
    expect(stored).not.toContain("setup");
    a.builder.failStage(null);
    const result = await buildOn(a, { images: ["backend"] });
    expect(actions(result, "backend").install).toBe("cached");
    expect(actions(result, "backend").setup).toBe("built");
  });

  it("stops at once when aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(buildOn(a, { signal: controller.signal })).rejects.toMatchObject({ code: "ABORTED" });
    expect(a.builder.builds).toHaveLength(0);
  });

  it("pushes only stages absent remotely, then skips all with one request each", async () => {
    await buildOn(a);
    const first = await pushFrom(a);
    for (const image of first.images) for (const stage of image.stages) expect(stage.action).toBe("pushed");
    const stageCount = new Set(first.images.flatMap((image) => image.stages.map((stage) => stage.signature))).size;
    expect(a.transfer.calls.push).toHaveLength(stageCount);
    const before = { ...registry.stages.calls };
    const second = await pushFrom(a);
    for (const image of second.images) for (const stage of image.stages) expect(stage.action).toBe("skipped");
    expect(a.transfer.calls.push).toHaveLength(stageCount);
    const requests = registry.stages.calls.get + registry.stages.calls.has - before.get - before.has;
    const lookups = second.images.reduce((sum, image) => sum + image.stages.length, 0);
    expect(requests).toBe(lookups);
    expect(registry.stages.calls.list).toBe(0);
  });

  it("reports stages present nowhere as missing when pushing", async () => {
    await buildOn(a, { images: ["tools"] });
    const result = await pushFrom(a);
    expect(actions(result, "tools")).toEqual({ from: "pushed", install: "pushed" });
    // backend's from stage is the same stage as tools' (same base): it was pushed with tools.
    const backend = actions(result, "backend");
    expect(backend.from).toBe("pushed");
    expect(
      Object.entries(backend)
        .filter(([name]) => name !== "from")
        .every(([, action]) => action === "missing"),
    ).toBe(true);
  });

  it("pulls only the last stage of each image, a shared stage once", async () => {
    await buildOn(a);
    await pushFrom(a);
    const result = await pullTo(b);
    const backend = actions(result, "backend");
    expect(backend.dockerInstructions).toBe("pulled");
    expect(Object.entries(backend).filter(([, action]) => action === "pulled")).toHaveLength(1);
    expect(actions(result, "web").dockerInstructions).toBe("pulled");
    expect(actions(result, "worker").dockerInstructions).toBe("pulled");
    // web and worker share every stage: one pull for both, plus backend's and tools' last stages.
    expect(b.transfer.calls.pull).toHaveLength(3);
    const built = await buildOn(b);
    expect(b.builder.builds).toHaveLength(0);
    for (const image of built.images) for (const stage of image.stages) expect(stage.action).toBe("cached");
  });

  it("pulls nothing when a later stage is already local", async () => {
    await buildOn(a);
    await pushFrom(a);
    await buildOn(b, { images: ["tools"] });
    const result = await pullTo(b, { images: ["tools"] });
    expect(actions(result, "tools")).toEqual({ from: "skipped", install: "local" });
    expect(b.transfer.calls.pull).toHaveLength(0);
  });

  it("pulls every missing remote stage with all", async () => {
    await buildOn(a);
    await pushFrom(a);
    const result = await pullTo(b, { all: true, images: ["backend"] });
    expect(Object.values(actions(result, "backend")).every((action) => action === "pulled")).toBe(true);
    const again = await pullTo(b, { all: true, images: ["backend"] });
    expect(Object.values(actions(again, "backend")).every((action) => action === "local")).toBe(true);
  });

  it("builds on a fresh host with --repo by pulling just the last stage", async () => {
    await buildOn(a);
    await pushFrom(a);
    const result = await buildOn(b, { images: ["backend"], remote: withRemote(b) });
    expect(b.builder.builds).toHaveLength(0);
    expect(actions(result, "backend").dockerInstructions).toBe("pulled");
    expect(b.transfer.calls.pull).toEqual([expect.stringContaining("image-stage-")]);
  });

  it("after a source change on A, B pulls exactly one new stage", async () => {
    await buildOn(a);
    await pushFrom(a);
    await pullTo(b);
    git.write("src/other.md", "outside stageDependencies");
    await buildOn(a);
    const pushed = await pushFrom(a);
    expect(
      Object.entries(actions(pushed, "backend"))
        .filter(([, action]) => action === "pushed")
        .map(([name]) => name),
    ).toEqual(["gitLatestPatch", "dockerInstructions"]);
    const calls = b.transfer.calls.pull.length;
    const pulled = await pullTo(b, { images: ["backend"] });
    expect(
      Object.entries(actions(pulled, "backend"))
        .filter(([, action]) => action === "pulled")
        .map(([name]) => name),
    ).toEqual(["dockerInstructions"]);
    expect(b.transfer.calls.pull.length - calls).toBe(1);
  });

  it("publishes by registry-side copy when the stage is remote, by push otherwise", async () => {
    await buildOn(a);
    await pushStages({
      config,
      images: ["web"],
      local: a.local,
      remote: registry.stages,
      repository,
      transfer: a.transfer,
      facts: factsOf(a),
    });
    const events: StagesEvent[] = [];
    const result = await publish({
      config,
      images: ["backend", "web"],
      tags: ["v1"],
      local: a.local,
      remote: registry.stages,
      repository,
      transfer: a.transfer,
      facts: factsOf(a),
      onEvent: (event) => events.push(event),
    });
    const web = result.images.find((image) => image.name === "web")!;
    const backend = result.images.find((image) => image.name === "backend")!;
    expect(web.tags).toEqual([expect.objectContaining({ reference: `${repository}/web:v1`, method: "registry-copy" })]);
    expect(backend.tags).toEqual([expect.objectContaining({ reference: `${repository}/backend:v1`, method: "push" })]);
    expect(registry.tags.get(`${repository}/web:v1`)).toBe(
      web.stages.length === 0 ? registry.tags.get(`${repository}/web:v1`) : undefined,
    );
    expect(events.filter((event) => event.type === "publish-finished")).toHaveLength(2);
  });

  it("publishes with --with-stages by pushing stages first, then copying", async () => {
    await buildOn(a);
    const result = await publish({
      config,
      tags: ["v1", "latest"],
      local: a.local,
      remote: registry.stages,
      repository,
      transfer: a.transfer,
      facts: factsOf(a),
      withStages: true,
    });
    expect(result.images.map((image) => image.name)).toEqual(["backend", "web", "worker"]);
    for (const image of result.images) {
      expect(image.tags?.map((tag) => tag.method)).toEqual(["registry-copy", "registry-copy"]);
      expect(image.stages.length).toBeGreaterThan(0);
    }
    expect([...registry.tags.keys()].sort()).toEqual([
      `${repository}/backend:latest`,
      `${repository}/backend:v1`,
      `${repository}/web:latest`,
      `${repository}/web:v1`,
      `${repository}/worker:latest`,
      `${repository}/worker:v1`,
    ]);
  });

  it("refuses to publish an image that was never built, or an artifact", async () => {
    const attempt = publish({
      config,
      images: ["backend"],
      tags: ["v1"],
      local: a.local,
      remote: registry.stages,
      repository,
      transfer: a.transfer,
      facts: factsOf(a),
    });
    await expect(attempt).rejects.toSatisfy((error: unknown) => StageMissingError.isInstance(error));
    await buildOn(a);
    await expect(
      publish({
        config,
        images: ["tools"],
        tags: ["v1"],
        local: a.local,
        remote: registry.stages,
        repository,
        transfer: a.transfer,
        facts: factsOf(a),
      }),
    ).rejects.toMatchObject({ code: "USAGE" });
  });

  it("plans without changing anything", async () => {
    await buildOn(a, { images: ["tools"] });
    await pushFrom(a);
    const before = { local: a.local.signatures().length, remote: registry.stages.signatures().length };
    const result = await plan({ config, local: b.local, remote: registry.stages, facts: factsOf(b) });
    const toolsOnly = await plan({
      config,
      images: ["tools"],
      local: b.local,
      remote: registry.stages,
      facts: factsOf(b),
    });
    expect({ local: b.local.signatures().length, remote: registry.stages.signatures().length }).toEqual({
      local: 0,
      remote: before.remote,
    });
    const tools = toolsOnly.images.find((image) => image.name === "tools")!;
    expect(
      tools.stages.map((stage) => [stage.name, stage.local, stage.remote, stage.build, stage.pull, stage.push]),
    ).toEqual([
      ["from", false, true, "cached", "skipped", "skipped"],
      ["install", false, true, "pulled", "pulled", "skipped"],
    ]);
    // backend starts from the same base as tools: its from stage is shared, so building pulls it.
    const backend = result.images.find((image) => image.name === "backend")!;
    expect(backend.stages[0]).toMatchObject({ name: "from", build: "pulled", pull: "pulled", push: "skipped" });
    expect(backend.stages.slice(1).every((stage) => stage.build === "built" && stage.push === "missing")).toBe(true);
  });

  it("carries git content in labels so another host resolves the same signatures", async () => {
    await buildOn(a);
    git.write("README.md", "edited");
    await buildOn(a);
    await pushFrom(a);
    const planA = await plan({ config, local: a.local, facts: factsOf(a) });
    const planB = await plan({ config, local: b.local, remote: registry.stages, facts: factsOf(b) });
    const signatures = (result: typeof planA) =>
      result.images.flatMap((image) => image.stages.map((stage) => stage.signature));
    expect(signatures(planB)).toEqual(signatures(planA));
    const patched = (await a.local.list()).find((stage) => stage.stage === "gitLatestPatch")!;
    expect(patched.carried!["git-0"]).toMatch(/^[0-9a-f]{64}$/);
    expect(patched.carried!["git-0"]).not.toBe(
      (await a.local.list()).find((stage) => stage.stage === "gitArchive")!.carried!["git-0"] as ContentId,
    );
  });
});

describe("in-memory storage conformance", () => {
  let storage: MemoryStagesStorage;
  it("is exercised by the shared suite below", () => {
    storage = createMemoryStagesStorage({ project: "taxi" });
    expect(storage.kind).toBe("memory");
  });
});
