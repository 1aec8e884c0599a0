import { randomBytes } from "node:crypto";
import { computeSignature, stageLabelsFor } from "@stages/core";
import { testImageTransfer, testStageBuilder } from "@stages/testkit";
import { createDockerImageTransfer, createDockerStageBuilder, createDockerStagesStorage } from "../src/index.js";
import { startTestEngine, startTestRegistry } from "./engine.js";
import { MemoryGitSource } from "./memory-git-source.js";

// The docker adapter runs the same conformance suites of @stages/testkit as any third-party adapter.

testStageBuilder("docker", { leftovers: true }, async () => {
  const engine = await startTestEngine();
  const project = `conformance-builder-${randomBytes(3).toString("hex")}`;
  const local = createDockerStagesStorage({ connection: engine.connection, project });
  return {
    builder: createDockerStageBuilder({ connection: engine.connection, git: new MemoryGitSource() }),
    local,
    project,
    baseImage: engine.baseImage,
    leftovers: async (signatures) =>
      signatures.flatMap((signature) => engine.containersNamed(`stages-build-${signature.slice(0, 12)}`)),
    async cleanup() {
      for (const stage of await local.list()) await local.delete(stage.signature);
      await engine.stop();
    },
  };
});

testImageTransfer("docker", { copy: false }, async () => {
  const engine = await startTestEngine();
  const registry = await startTestRegistry();
  const project = `conformance-transfer-${randomBytes(3).toString("hex")}`;
  const local = createDockerStagesStorage({ connection: engine.connection, project });
  const builder = createDockerStageBuilder({ connection: engine.connection, git: new MemoryGitSource() });
  const signature = computeSignature({ project, stage: "from", deps: { seed: project }, prev: null, carried: null });
  await builder.build({
    project,
    image: null,
    stage: "from",
    signature,
    base: null,
    instructions: { kind: "from", base: { type: "image", reference: engine.baseImage, digest: null } },
    labels: stageLabelsFor({ project, image: null, stage: "from", signature, parent: null, carried: null }),
  });
  return {
    transfer: createDockerImageTransfer({ connection: engine.connection }),
    local,
    project,
    signature,
    repository: `${registry.address}/${project}`,
    removeLocal: (stage) => local.delete(stage),
    async cleanup() {
      for (const stage of await local.list()) await local.delete(stage.signature);
      await registry.stop();
      await engine.stop();
    },
  };
});
