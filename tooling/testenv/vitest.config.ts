import { defineConfig } from "vitest/config";
import { sourceResolution, testEnvironmentSettings } from "../vitest-shared.js";

export default defineConfig({
  ...sourceResolution,
  test: {
    name: "testenv",
    include: ["src/**/*.test.ts"],
    ...testEnvironmentSettings("./src/vitest-global-setup.ts"),
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
