import { testGitSource } from "@stages/testkit";
import { createGitSource } from "./git-source.js";
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
