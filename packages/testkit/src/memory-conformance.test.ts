import { descriptorFromLabels, type Signature } from "@stages/core";
import { testGitSource } from "./git-source-suite.js";
import { createMemoryGitSource } from "./memory-adapters.js";
import { createMemoryStagesStorage } from "./memory-storage.js";
import { testStagesStorage } from "./stages-storage-suite.js";

testStagesStorage("memory", async () => {
  const storage = createMemoryStagesStorage({ project: "conformance" });
  const other = createMemoryStagesStorage({ project: "elsewhere" });
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
