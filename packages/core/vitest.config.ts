import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@stages/source"] },
  test: {
    name: "core",
    include: ["src/**/*.test.ts"],
  },
});
