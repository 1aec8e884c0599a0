import { randomBytes } from "node:crypto";
import { type Signature, type StagesStorage, stageTag } from "@stages/core";
import { testStagesStorage } from "@stages/testkit";
import { createLayer, createRegistryClient, createRegistryStagesStorage, pushImage } from "../src/index.js";

// The remote stages storage runs the conformance suite of @stages/testkit, as any third-party
// storage does: against the test environment's registry, under a repository of its own.

testStagesStorage("registry (remote)", async () => {
  const registry = process.env.STAGES_TEST_REGISTRY;
  if (!registry) throw new Error("STAGES_TEST_REGISTRY is not set: run under the test environment's global setup");
  const client = createRegistryClient({ env: {}, useDockerConfig: false });
  // Two projects in one repository: the other project's stages sit under the same tags scheme.
  const repository = `${registry}/conformance/storage-${randomBytes(4).toString("hex")}`;
  const place = (project: string) => {
    const storage = createRegistryStagesStorage({ client, repository, project });
    const seed = async (signature: Signature, labels: Record<string, string>) => {
      const layer = createLayer([{ path: "stage.txt", content: signature }]);
      await pushImage(client, `${repository}:${stageTag(signature)}`, { layers: [layer], config: { Labels: labels } });
    };
    return { storage, project, seed };
  };
  const own = place("conformance");
  const other = place("conformance-other");
  const removeAll = async (storage: StagesStorage) => {
    for (const stage of await storage.list()) await storage.delete(stage.signature);
  };
  return {
    ...own,
    otherProject: other,
    async cleanup() {
      await removeAll(own.storage);
      await removeAll(other.storage);
    },
  };
});
