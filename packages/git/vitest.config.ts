import { defineConfig } from "vitest/config";

// Tests run in vite's SSR environment, which takes its resolve conditions from `ssr.resolve`.
const conditions = ["@stages/source"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { name: "git", include: ["src/**/*.test.ts"], testTimeout: 30000 },
});
