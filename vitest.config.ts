import { defineConfig } from "vitest/config";

/**
 * Every package's tests; each package's own vitest.config.ts says what it needs. `pnpm test`
 * (tooling/scripts/test.mjs) runs them as two runs side by side, chosen by STAGES_TEST_GROUP: the
 * CLI's, whose files run one at a time, and every other package's.
 */
const groups: Record<string, string[]> = {
  cli: ["apps/cli/vitest.config.ts"],
  packages: ["packages/*/vitest.config.ts", "tooling/testenv/vitest.config.ts", "examples/plugin-directory-storage"],
};
const group = process.env.STAGES_TEST_GROUP;
if (group !== undefined && !(group in groups))
  throw new Error(`STAGES_TEST_GROUP=${group}: not one of ${Object.keys(groups)}`);

export default defineConfig({
  test: {
    projects: group === undefined ? Object.values(groups).flat() : (groups[group] as string[]),
    reporters: ["default", "./tooling/vitest-summary-reporter.ts"],
  },
});
