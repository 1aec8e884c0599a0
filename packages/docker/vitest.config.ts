import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@stages/source"] },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120000,
    hookTimeout: 120000,
    fileParallelism: false,
  },
});
