import { defineConfig } from "vitest/config";
import { sourceResolution, testEnvironmentSettings } from "../../tooling/vitest-shared.js";

export default defineConfig({
  ...sourceResolution,
  test: {
    name: "git",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Engine A of the test environment, for the check of Dockerfile contexts against BuildKit.
    ...testEnvironmentSettings("../../tooling/testenv/src/vitest-global-setup.ts"),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
