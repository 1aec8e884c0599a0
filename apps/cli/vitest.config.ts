import { defineConfig } from "vitest/config";
import { sourceResolution, testEnvironmentSettings } from "../../tooling/vitest-shared.js";

export default defineConfig({
  ...sourceResolution,
  test: {
    name: "cli",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    ...testEnvironmentSettings("../../tooling/testenv/src/vitest-global-setup.ts"),
    setupFiles: ["./test/setup.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // The loop's steps build on each other, and engines are shared: one file at a time.
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
