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

/**
 * `pnpm test:unit` sets STAGES_TEST_UNIT=1: only the tests that need no real server run (every
 * `*.test.ts` but the `*.integration.test.ts`), and no test environment is started for them.
 */
const unitOnly = process.env.STAGES_TEST_UNIT === "1";

/**
 * The `test` settings of a package whose integration tests need the shared test environment:
 * its global setup, or, for a unit run, none and the integration tests left out.
 */
export function testEnvironmentSettings(globalSetup: string): { globalSetup?: string[]; exclude?: string[] } {
  return unitOnly ? { exclude: ["**/node_modules/**", "**/*.integration.test.ts"] } : { globalSetup: [globalSetup] };
}
