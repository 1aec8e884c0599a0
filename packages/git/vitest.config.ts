import { defineConfig } from "vitest/config";
import { sourceResolution } from "../../tooling/vitest-shared.js";

export default defineConfig({
  ...sourceResolution,
  test: { name: "git", include: ["src/**/*.test.ts"], testTimeout: 30_000 },
});
