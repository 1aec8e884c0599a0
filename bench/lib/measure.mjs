// Timing helpers: every scenario is measured as the median of several runs after a warm-up, with
// the peers measured in the same run on the same machine.
import { spawn } from "node:child_process";

/** Runs a command; resolves with its output and wall time, rejects on a non-zero exit. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0 && !options.allowFailure) {
        reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${stderr.slice(-2000)}`));
        return;
      }
      resolve({ code, stdout, stderr, milliseconds });
    });
  });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Measures `subjects` (name → { prepare?, run }) interleaved: each round runs every subject once,
 * so a busy moment of the machine hits all of them alike. `run` resolves with milliseconds or
 * `{ milliseconds, ...metrics }`; metrics are reported as medians too.
 */
export async function measure(subjects, { runs, warmup = 1, log }) {
  const samples = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
  for (let round = -warmup; round < runs; round++) {
    for (const [name, subject] of Object.entries(subjects)) {
      if (subject.prepare) await subject.prepare(round);
      const result = await subject.run(round);
      const sample = typeof result === "number" ? { milliseconds: result } : result;
      if (round >= 0) samples[name].push(sample);
      log?.(`    ${round < 0 ? "warm-up" : `run ${round + 1}/${runs}`} ${name}: ${sample.milliseconds.toFixed(0)} ms`);
    }
  }
  const medians = Object.fromEntries(
    Object.entries(samples).map(([name, list]) => {
      const keys = Object.keys(list[0] ?? {});
      return [name, Object.fromEntries(keys.map((key) => [key, median(list.map((sample) => sample[key]))]))];
    }),
  );
  // The samples too (not enumerable, so callers that list subjects see only the medians).
  return Object.defineProperty(medians, "samples", { value: samples });
}

/**
 * The median of the round-by-round differences `a - b` in milliseconds: on a busy machine a burst
 * slows both subjects of a round alike, so the paired difference is steadier than a difference of medians.
 */
export function pairedDifference(measured, a, b) {
  const first = measured.samples[a];
  const second = measured.samples[b];
  return median(first.map((sample, round) => sample.milliseconds - second[round].milliseconds));
}
