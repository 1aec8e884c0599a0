import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** One server the environment started. */
export interface ComponentState {
  pid: number;
  /** How tests reach it: `unix:///...` for engines, `localhost:PORT` for registries. */
  address: string;
  logFile: string;
}

export interface EnvironmentState {
  components: Record<string, ComponentState>;
}

function stateFile(stateDir: string): string {
  return join(stateDir, "state.json");
}

export function readState(stateDir: string): EnvironmentState {
  try {
    return JSON.parse(readFileSync(stateFile(stateDir), "utf8")) as EnvironmentState;
  } catch {
    return { components: {} };
  }
}

export function writeState(stateDir: string, state: EnvironmentState): void {
  mkdirSync(stateDir, { recursive: true });
  const temporary = `${stateFile(stateDir)}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, stateFile(stateDir));
}

/**
 * Runs `work` holding an exclusive lock on the state directory, so that two test projects
 * bringing the environment up at once do not start two of everything.
 */
export async function withStateLock<T>(stateDir: string, work: () => Promise<T>): Promise<T> {
  mkdirSync(stateDir, { recursive: true });
  const lock = join(stateDir, "lock");
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the deadline belongs to a process that died holding it.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) throw new Error(`the test environment at ${stateDir} stays locked; remove ${lock}`);
      await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
