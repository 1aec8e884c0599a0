import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@stages/source"] },
  test: {
    name: "testkit",
    include: ["src/**/*.test.ts"],
  },
});
