import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

/** Starts a long-running server detached from this process, its output appended to `logFile`. */
export function startDetached(command: string, args: string[], logFile: string): number {
  const log = openSync(logFile, "a");
  try {
    const child = spawn(command, args, { detached: true, stdio: ["ignore", log, log] });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** True when a process with this pid exists. */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends SIGTERM, waits up to `timeoutMs`, then SIGKILL. */
export async function stopProcess(pid: number, timeoutMs = 15000): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await sleep(100);
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** One HTTP GET over TCP or a unix socket; resolves with the status code, or null when nothing answers. */
export function httpStatus(
  target: { socketPath: string } | { host: string; port: number },
  path: string,
): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request({ ...target, path, method: "GET", timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? null);
    });
    req.on("error", () => resolve(null));
    req.on("timeout", () => {
      req.destroy();
      resolve(null);
    });
    req.end();
  });
}

/** Polls `check` until it returns true or the deadline passes. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  logFile?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(150);
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s${logFile ? `; see ${logFile}` : ""}`);
}

/** Runs a command to completion, throwing with its stderr on failure; returns stdout as text. */
export function run(command: string, args: string[], options: { input?: string | Buffer; cwd?: string } = {}): string {
  return runBuffer(command, args, options).toString();
}

/** Runs a command to completion, throwing with its stderr on failure; returns stdout as bytes. */
export function runBuffer(
  command: string,
  args: string[],
  options: { input?: string | Buffer; cwd?: string } = {},
): Buffer {
  const result = spawnSync(command, args, {
    input: options.input,
    cwd: options.cwd,
    encoding: "buffer",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${command} ${args.join(" ")}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr.toString().trim()}`);
  }
  return result.stdout;
}
