import {
  computeSignature,
  descriptorFromLabels,
  type Signature,
  type StageDescriptor,
  stageLabelsFor,
} from "@stages/core";
import { testGitSource } from "./git-source-suite.js";
import { testImageTransfer } from "./image-transfer-suite.js";
import { testLock } from "./lock-suite.js";
import { createMemoryGitSource, createMemoryTransfer } from "./memory-adapters.js";
import { createMemoryLock } from "./memory-lock.js";
import { createMemoryStagesStorage } from "./memory-storage.js";
import { testStagesStorage } from "./stages-storage-suite.js";

testStagesStorage("memory", async () => {
  // Two projects in one memory "place", as two projects share a registry or an engine.
  const place = new Map<Signature, StageDescriptor>();
  const storage = createMemoryStagesStorage({ project: "conformance", place });
  const other = createMemoryStagesStorage({ project: "elsewhere", place });
  const seed = (target: typeof storage) => async (signature: Signature, labels: Record<string, string>) => {
    const descriptor = descriptorFromLabels({ id: `sha256:${signature}`, labels });
    if (!descriptor) throw new Error("bad labels");
    target.put(descriptor);
  };
  return {
    storage,
    project: "conformance",
    seed: seed(storage),
    otherProject: { storage: other, project: "elsewhere", seed: seed(other) },
  };
});

testGitSource("memory", async (files) => {
  const source = createMemoryGitSource(files);
  return {
    source,
    write: async (path, content) => source.write(path, content),
    remove: async (path) => source.remove(path),
  };
});

testImageTransfer("memory", { copy: true }, async () => {
  const local = createMemoryStagesStorage({ project: "conformance" });
  const registry = {
    repository: "registry.test/conformance",
    stages: createMemoryStagesStorage({ project: "conformance" }),
    tags: new Map(),
  };
  const signature = computeSignature({
    project: "conformance",
    stage: "from",
    deps: { base: "conformance" },
    prev: null,
    carried: null,
  });
  local.putLabels(
    "sha256:conformance",
    stageLabelsFor({ project: "conformance", image: null, stage: "from", signature, parent: null, carried: null }),
  );
  return {
    transfer: createMemoryTransfer({ local, registry }),
    local,
    project: "conformance",
    signature,
    repository: registry.repository,
    removeLocal: (stage) => local.delete(stage),
  };
});

testLock("memory", async () => {
  // Two hosts share one lock service: in memory, one object seen through two names.
  const lock = createMemoryLock();
  return { lock, other: lock };
});
