import type { ViteUserConfig } from "vitest/config";

// Tests run the packages' TypeScript sources, not their dist/: every workspace package exports
// "@stages/source" → src/index.ts, and this condition picks it (on the server side too, where
// Vite resolves node_modules for tests).
const conditions = ["@stages/source", "module", "node", "development|production"];

/** Resolution settings every package's vitest config spreads in. */
export const sourceResolution: Pick<ViteUserConfig, "resolve" | "ssr"> = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@stages/source"] } },
};
