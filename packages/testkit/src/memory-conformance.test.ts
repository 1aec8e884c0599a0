import {
  computeSignature,
  descriptorFromLabels,
  type Signature,
  type StageDescriptor,
  stageLabelsFor,
} from "@stages/core";
import { describe, expect, it } from "vitest";
import { testGitSource } from "./git-source-suite.js";
import { checkDeclaredCapabilities, testImageTransfer } from "./image-transfer-suite.js";
import { testLock } from "./lock-suite.js";
import { createMemoryGitSource, createMemoryStageBuilder, createMemoryTransfer } from "./memory-adapters.js";
import { createMemoryLock } from "./memory-lock.js";
import { createMemoryStagesStorage } from "./memory-storage.js";
import { testStageBuilder } from "./stage-builder-suite.js";
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

testStageBuilder("memory", { leftovers: false }, async () => {
  const local = createMemoryStagesStorage({ project: "conformance" });
  return {
    builder: createMemoryStageBuilder({ local }),
    local,
    project: "conformance",
    baseImage: "registry.test/base:1",
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

function memoryTransferFixture(copy: boolean) {
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
    transfer: createMemoryTransfer({ local, registry, copy }),
    local,
    project: "conformance",
    signature,
    repository: registry.repository,
    removeLocal: (stage: Signature) => local.delete(stage),
  };
}

testImageTransfer("memory", { copy: true }, async () => memoryTransferFixture(true));
// A transfer without the optional copy: the copy test is reported as skipped, with the reason.
testImageTransfer("memory without copy", { copy: false }, async () => memoryTransferFixture(false));

describe("ImageTransfer capabilities", () => {
  it("fail when the declaration and the transfer differ, saying which to change", () => {
    expect(() => checkDeclaredCapabilities(memoryTransferFixture(true).transfer, { copy: false })).toThrow(
      /has copy\(\) but the suite was told \{ copy: false \}: declare \{ copy: true \}/,
    );
    expect(() => checkDeclaredCapabilities(memoryTransferFixture(false).transfer, { copy: true })).toThrow(
      /told \{ copy: true \} but the transfer has no copy\(\): implement it or declare \{ copy: false \}/,
    );
  });
});

testLock("memory", async () => {
  // Two hosts share one lock service: in memory, one object seen through two names.
  const lock = createMemoryLock();
  return { lock, other: lock };
});
