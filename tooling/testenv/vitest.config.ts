import { defineConfig } from "vitest/config";
import { sourceResolution } from "../vitest-shared.js";

export default defineConfig({
  ...sourceResolution,
  test: {
    name: "testenv",
    include: ["src/**/*.test.ts"],
    globalSetup: ["./src/vitest-global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
