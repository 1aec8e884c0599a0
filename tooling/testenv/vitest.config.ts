import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@stages/source"] },
  test: {
    name: "testenv",
    include: ["src/**/*.test.ts"],
    globalSetup: ["./src/vitest-global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
