import { writeFileSync } from "node:fs";
import type { Reporter, TestModule } from "vitest/node";

/**
 * Ends a run with one plain line, `N passed, N failed` (and `, N skipped`), that any CI log reader
 * understands, after vitest's own summary. When the suite runs as several vitest runs side by side
 * (tooling/scripts/test.mjs), each also writes its counts to STAGES_TEST_SUMMARY_FILE for the line
 * that sums them up.
 */
export default class SummaryReporter implements Reporter {
  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) failed++;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
    }
    const file = process.env.STAGES_TEST_SUMMARY_FILE;
    if (file) writeFileSync(file, JSON.stringify({ passed, failed, skipped }));
    // Reporters end side by side: let vitest's own summary print first, so that this line is last.
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}\n`);
  }
}
