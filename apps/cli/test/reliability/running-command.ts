import { type ChildProcess, spawn } from "node:child_process";
import { binary, type RunResult } from "../helpers.js";

/**
 * The binary under test: the CLI's dist, or STAGES_RELIABILITY_BINARY (a build of the same sources
 * elsewhere, for long runs while the work tree's dist is rebuilt under them).
 */
export const stagesBinary = process.env.STAGES_RELIABILITY_BINARY ?? binary;

/** A `stages` process the test can signal while it runs, watching its output as it arrives. */
export interface RunningCommand {
  readonly child: ChildProcess;
  readonly startedAt: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when `test` holds for stdout or stderr (checked on every chunk), rejects when the process ends first. */
  waitFor(test: (output: { stdout: string; stderr: string }) => boolean): Promise<void>;
  /** Sends `signal` now and then again after each of `gapsMs` (10 ms apart is what `timeout` does). */
  interrupt(signal?: NodeJS.Signals, ...gapsMs: number[]): void;
  /** Resolves when the process ended: the exit code, or the signal it died of. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }>;
}

/** Starts the built `stages` binary, as a user's shell would. */
export function startStages(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): RunningCommand {
  const child = spawn(process.execPath, [stagesBinary, ...args], {
    cwd: options.cwd,
    env: { ...process.env, CI: "true", NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const startedAt = Date.now();
  let stdout = "";
  let stderr = "";
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const watcher of [...watchers]) watcher();
  };
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
    notify();
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
    notify();
  });
  const ended = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    ms: number;
  }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      notify();
      resolve({ code, signal, stdout, stderr, ms: Date.now() - startedAt });
    });
  });
  return {
    child,
    startedAt,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor(test) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (test({ stdout, stderr })) {
            watchers.delete(check);
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            watchers.delete(check);
            reject(new Error(`stages ended before the awaited output\nstdout: ${stdout}\nstderr: ${stderr}`));
          }
        };
        watchers.add(check);
        check();
      });
    },
    interrupt(signal = "SIGINT", ...gapsMs) {
      child.kill(signal);
      let at = 0;
      for (const gap of gapsMs) {
        at += gap;
        setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        }, at);
      }
    },
    ended,
  };
}

/** Whether `text` is one complete JSON document. */
export function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Runs `stages` to its end, like helpers' `stages()` but with `stagesBinary`. */
export async function stages(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<RunResult> {
  const ended = await startStages(args, options).ended;
  let json: unknown = null;
  try {
    json = JSON.parse(ended.stdout);
  } catch {
    // not JSON
  }
  return { code: ended.code ?? -1, stdout: ended.stdout, stderr: ended.stderr, json };
}
