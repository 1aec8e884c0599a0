import { defineConfig } from "vitest/config";
import { sourceResolution } from "../../tooling/vitest-shared.js";

export default defineConfig({
  ...sourceResolution,
  test: {
    name: "core",
    include: ["src/**/*.test.ts"],
  },
});
