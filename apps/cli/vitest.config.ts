import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@stages/source"] },
  test: {
    name: "cli",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["../../tooling/testenv/src/vitest-global-setup.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
