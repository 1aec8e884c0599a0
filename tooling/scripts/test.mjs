#!/usr/bin/env node
// `pnpm test` (and so `./dev test`): every test, as two vitest runs side by side.
//
// Vitest 3 runs all projects' files in one pool whose size is the CPU count minus one: on a 2-core
// CI machine, one file at a time, although most of a file's time is spent waiting for an engine or a
// registry. The CLI's files must run one at a time (they share the engines' stages and the loop's
// steps build on each other); every other package's may run beside them. So: one run for the CLI,
// one for everything else, started at once, with the test environment brought up before both and
// stopped after both (each run's global setup then finds it running and leaves it alone).
//
// With arguments (`pnpm test packages/core`, `--project docker`, ...), one plain vitest run.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
const args = process.argv.slice(2);
const unitOnly = process.env.STAGES_TEST_UNIT === "1";

/** The runs and what each covers (STAGES_TEST_GROUP, read by the root vitest.config.ts). */
const groups = ["cli", "packages"];

function run(extraArgs, env, output) {
  const child = spawn(process.execPath, [vitest, "run", ...extraArgs], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", output ? "pipe" : "inherit", output ? "pipe" : "inherit"],
  });
  if (output) {
    // Whole lines only, so that two runs' output interleaves line by line and stays readable.
    for (const [from, to] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      let pending = "";
      from.setEncoding("utf8");
      from.on("data", (chunk) => {
        pending += chunk;
        const end = pending.lastIndexOf("\n");
        if (end === -1) return;
        to.write(pending.slice(0, end + 1));
        pending = pending.slice(end + 1);
      });
      from.on("end", () => pending && to.write(`${pending}\n`));
    }
  }
  const ended = new Promise((resolve) => child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  return { child, ended };
}

if (args.length > 0) {
  const { ended } = run(args, {}, false);
  process.exit(await ended);
}

const started = [];
let testenv;
if (!unitOnly) {
  testenv = await import(join(root, "tooling", "testenv", "dist", "index.js"));
  const result = await testenv.up();
  started.push(...result.started);
  Object.assign(process.env, testenv.environmentVariables(result.environment));
}

const summaries = mkdtempSync(join(tmpdir(), "stages-test-summary-"));
const runs = groups.map((group) =>
  run([], { STAGES_TEST_GROUP: group, STAGES_TEST_SUMMARY_FILE: join(summaries, `${group}.json`) }, true),
);
const forward = (signal) => {
  for (const { child } of runs) child.kill(signal);
};
process.on("SIGINT", forward);
process.on("SIGTERM", forward);

const codes = await Promise.all(runs.map(({ ended }) => ended));
if (started.length > 0 && process.env.STAGES_TESTENV_KEEP !== "1") await testenv.down({ only: started });

// One line for the whole suite, as the summary reporter prints for one run.
const total = { passed: 0, failed: 0, skipped: 0 };
for (const group of groups) {
  let counts;
  try {
    counts = JSON.parse(readFileSync(join(summaries, `${group}.json`), "utf8"));
  } catch {
    process.stdout.write(`[test] the ${group} run ended without a summary (exit ${codes[groups.indexOf(group)]})\n`);
    total.failed++;
    continue;
  }
  for (const key of Object.keys(total)) total[key] += counts[key];
}
rmSync(summaries, { recursive: true, force: true });
const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : "";
process.stdout.write(`\n[test] all runs: ${total.passed} passed, ${total.failed} failed${skipped}\n`);
process.exit(codes.some((code) => code !== 0) || total.failed > 0 ? 1 : 0);
