import { build, createFactsProvider, loadConfigOrThrow, publish, pushStages, type ResolvedProject } from "@stages/core";
import { describe, expect, it } from "vitest";
import { createMemoryGitSource, createMemoryStageBuilder, createMemoryTransfer } from "./memory-adapters.js";
import { createMemoryStagesStorage } from "./memory-storage.js";

// Issue 16: what a push and build-and-publish ask the storages, counted on in-memory adapters.
const repository = "registry.test/taxi";
const config = loadConfigOrThrow(`project: taxi
configVersion: 1
---
image: backend
from: alpine:3.20
git:
- add: /
  to: /app
  stageDependencies:
    install: [package.json]
shell:
  install: [cd /app && npm ci]
  setup: [cd /app && npm run build]
docker:
  CMD: [node, /app/main.js]
---
image: web
from: alpine:3.20
shell:
  install: [echo web]
`).config;

function setup() {
  const registry = {
    repository,
    stages: createMemoryStagesStorage({ project: "taxi", kind: "remote" }),
    tags: new Map(),
  };
  const local = createMemoryStagesStorage({ project: "taxi", kind: "local" });
  const builder = createMemoryStageBuilder({ local, digests: {} });
  const transfer = createMemoryTransfer({ local, registry });
  const git = createMemoryGitSource({ "package.json": "{}", "main.js": "main" });
  const facts = createFactsProvider({ git, baseDigests: builder });
  return { registry, local, builder, transfer, facts };
}

const lookups = (calls: { get: number; has: number }) => calls.get + calls.has;

describe("one resolution, and no local lookup REPO makes needless", () => {
  it("a push of stages REPO has asks REPO once per stage and the local storage nothing", async () => {
    const { registry, local, builder, transfer, facts } = setup();
    await build({
      config,
      local,
      builder,
      facts,
      remote: { storage: registry.stages, repository, transfer },
      push: true,
    });
    const [remoteBefore, localBefore] = [lookups(registry.stages.calls), lookups(local.calls)];
    const result = await pushStages({ config, local, remote: registry.stages, repository, transfer, facts });
    const stages = result.images.flatMap((image) => image.stages);
    expect(stages.every((stage) => stage.action === "skipped")).toBe(true);
    expect(lookups(registry.stages.calls) - remoteBefore).toBe(stages.length);
    expect(lookups(local.calls) - localBefore).toBe(0);
  });

  it("build-and-publish publishes from the build's resolution: no second lookup, every name a registry-side copy", async () => {
    const { registry, local, builder, transfer, facts } = setup();
    let resolved: ResolvedProject | undefined;
    const built = await build({
      config,
      local,
      builder,
      facts,
      remote: { storage: registry.stages, repository, transfer },
      push: true,
      onBuilt: (project) => {
        resolved = project;
      },
    });
    expect(built.images.flatMap((image) => image.stages).every((stage) => stage.pushed)).toBe(true);
    const after = resolved!.images.flatMap((image) => image.stages.map((stage) => stage.presence));
    expect(after.every((presence) => presence.local === true && presence.remote === true)).toBe(true);
    const [remoteBefore, localBefore] = [lookups(registry.stages.calls), lookups(local.calls)];
    const published = await publish({
      config,
      tags: ["v1"],
      local,
      remote: registry.stages,
      repository,
      transfer,
      facts,
      resolved: resolved!,
    });
    // The in-memory copy checks its source stage (as the registry's copy reads its manifest): that
    // is all REPO is asked.
    expect(lookups(registry.stages.calls) - remoteBefore).toBe(transfer.calls.copy.length);
    expect(lookups(local.calls) - localBefore).toBe(0);
    expect(published.images.flatMap((image) => image.tags?.map((tag) => [tag.reference, tag.method]))).toEqual([
      [`${repository}/backend:v1`, "registry-copy"],
      [`${repository}/web:v1`, "registry-copy"],
    ]);
  });
});
