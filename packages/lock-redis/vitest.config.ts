import { defineConfig } from "vitest/config";
import { sourceResolution, testEnvironmentSettings } from "../../tooling/vitest-shared.js";

export default defineConfig({
  ...sourceResolution,
  test: {
    name: "lock-redis",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // The Redis of the test environment (STAGES_TEST_REDIS_URL); tests that stop a Redis start their own.
    ...testEnvironmentSettings("../../tooling/testenv/src/vitest-global-setup.ts"),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
