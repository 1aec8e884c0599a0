import { defineConfig } from "vitest/config";

// One run over every package; each package's own vitest.config.ts says what it needs.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts", "tooling/testenv/vitest.config.ts"],
    reporters: ["default", "./tooling/vitest-summary-reporter.ts"],
  },
});
