import { defineConfig } from "vitest/config";
import { sourceResolution, testEnvironmentSettings } from "../../tooling/vitest-shared.js";

export default defineConfig({
  ...sourceResolution,
  test: {
    name: "docker",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Engine A and the registry of the test environment (test/engine.ts starts private ones without it).
    ...testEnvironmentSettings("../../tooling/testenv/src/vitest-global-setup.ts"),
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
