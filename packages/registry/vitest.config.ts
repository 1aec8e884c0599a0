import { defineConfig } from "vitest/config";
import { sourceResolution } from "../../tooling/vitest-shared.js";

export default defineConfig({
  ...sourceResolution,
  test: {
    name: "registry",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60000,
    hookTimeout: 60000,
  },
});
