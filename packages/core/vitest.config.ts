import { defineConfig } from "vitest/config";
import { sourceResolution } from "../../tooling/vitest-shared.js";

export default defineConfig({
  ...sourceResolution,
  test: {
    name: "core",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Property tests and the vector tables are CPU-bound: on a loaded 2-core CI host (integration
    // tests and engines running beside them) a few take longer than vitest's 5 s default.
    testTimeout: 30_000,
  },
});
