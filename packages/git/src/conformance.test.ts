import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testGitSource } from "@stages/testkit";
import { createGitSource } from "./git-source.js";
import { routeRemoteMappings } from "./remote-routing.js";
import { createRemoteGitSource } from "./remote-source.js";
import { createTestRepository } from "./test-repository.js";

testGitSource("git work tree", async (files) => {
  const repository = createTestRepository(files);
  return {
    source: createGitSource({ workTree: repository.root }),
    async write(path, content) {
      repository.write(path, content);
      // Untracked files are not content: the suite's files are tracked ones.
      repository.git("add", "--", path);
    },
    async remove(path) {
      repository.remove(path);
    },
    async cleanup() {
      repository.dispose();
    },
  };
});

// The plugin's source: work tree mappings routed past the remote source keep every behaviour.
testGitSource("git work tree through routeRemoteMappings", async (files) => {
  const repository = createTestRepository(files);
  const cacheDir = mkdtempSync(join(tmpdir(), "stages-remote-cache-"));
  return {
    source: routeRemoteMappings(createGitSource({ workTree: repository.root }), createRemoteGitSource({ cacheDir })),
    async write(path, content) {
      repository.write(path, content);
      repository.git("add", "--", path);
    },
    async remove(path) {
      repository.remove(path);
    },
    async cleanup() {
      repository.dispose();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
});
