import { unlinkSync } from "node:fs";
import { mkdir, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isSignature, type Signature } from "@stages/core";
import { currentOwner, ownerIsDead } from "./build-leftovers.js";

/**
 * Holds: which stages running stages commands use, so that host cleanup never removes them.
 * Each process keeps one file `<state>/holds/<host>-<pid>-<start>.json` naming its owner (host,
 * pid and start time, as build leftovers do) and the signatures it holds per engine and project;
 * the file is rewritten whole (temporary file, rename) when the process holds more, and unlinked
 * when it exits. A killed process leaves its file behind: readers ignore files whose owner is
 * dead and delete them.
 */
export interface HoldFile {
  /** `<host>:<pid>:<start ms>` (build-leftovers `currentOwner`). */
  owner: string;
  /** Held signatures per scope (`<engine key>/<project>`). */
  scopes: Record<string, Signature[]>;
}

/** The directory of the hold files under a state directory. */
export function holdsDirectory(stateDirectory: string): string {
  return join(stateDirectory, "holds");
}

/** The file name of an owner's holds (host names may hold characters a file name should not). */
export function holdFileName(owner: string): string {
  return `${owner.replace(/[^A-Za-z0-9._-]/g, "-")}.json`;
}

/** `host pid 123` for reports. */
export function describeOwner(owner: string): string {
  const match = /^(.*):(\d+):(\d+)$/.exec(owner);
  return match ? `${match[1]} pid ${match[2]}` : owner;
}

/** Reads one hold file's text; null when it is not one (a torn or foreign file). */
export function parseHoldFile(text: string): HoldFile | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { owner, scopes } = value as Partial<HoldFile>;
  if (typeof owner !== "string" || typeof scopes !== "object" || scopes === null) return null;
  const clean: Record<string, Signature[]> = {};
  for (const [scope, signatures] of Object.entries(scopes)) {
    if (Array.isArray(signatures)) clean[scope] = signatures.filter(isSignature);
  }
  return { owner, scopes: clean };
}

interface OwnHolds {
  path: string;
  scopes: Map<string, Set<Signature>>;
}

/** This process's holds, per state directory (tests use several). */
const own = new Map<string, OwnHolds>();
let exitHandlerInstalled = false;

/** Unlinks every hold file of this process; runs on exit, so synchronously. */
export function releaseHoldsOnExit(): void {
  for (const holds of own.values()) {
    try {
      unlinkSync(holds.path);
    } catch {
      // Never written, or removed already.
    }
  }
  own.clear();
}

/**
 * Adds signatures to this process's holds in a scope and writes its hold file (one small write
 * and a rename). The holds last until the process exits.
 */
export async function holdStages(
  stateDirectory: string,
  scope: string,
  signatures: readonly Signature[],
): Promise<void> {
  if (signatures.length === 0) return;
  const owner = currentOwner();
  let holds = own.get(stateDirectory);
  if (!holds) {
    holds = { path: join(holdsDirectory(stateDirectory), holdFileName(owner)), scopes: new Map() };
    own.set(stateDirectory, holds);
  }
  let held = holds.scopes.get(scope);
  if (!held) {
    held = new Set();
    holds.scopes.set(scope, held);
  }
  for (const signature of signatures) held.add(signature);
  if (!exitHandlerInstalled) {
    exitHandlerInstalled = true;
    process.once("exit", releaseHoldsOnExit);
  }
  const file: HoldFile = {
    owner,
    scopes: Object.fromEntries([...holds.scopes].map(([name, set]) => [name, [...set].sort()])),
  };
  const temporary = `${holds.path}.tmp`;
  const text = `${JSON.stringify(file)}\n`;
  try {
    await writeFile(temporary, text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(holdsDirectory(stateDirectory), { recursive: true });
    await writeFile(temporary, text);
  }
  await rename(temporary, holds.path);
}

/** Drops this process's holds in a state directory now (tests; a long-lived host between commands). */
export async function releaseHolds(stateDirectory: string): Promise<void> {
  const holds = own.get(stateDirectory);
  if (!holds) return;
  own.delete(stateDirectory);
  await unlink(holds.path).catch(() => {});
}

/**
 * Who holds which signature of a scope: signature → holders (`host pid N`), from the files of
 * live owners. Files of dead owners are deleted; an owner on another host (a state directory on a
 * shared file system) counts as alive, since its liveness cannot be checked from here.
 */
export async function readHolds(stateDirectory: string, scope: string): Promise<Map<Signature, string[]>> {
  const directory = holdsDirectory(stateDirectory);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw error;
  }
  const held = new Map<Signature, string[]>();
  for (const name of names) {
    if (!name.endsWith(".json")) continue;
    const path = join(directory, name);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch {
      continue; // Released meanwhile.
    }
    const file = parseHoldFile(text);
    if (file === null) continue;
    if (ownerIsDead(file.owner)) {
      await unlink(path).catch(() => {});
      continue;
    }
    for (const signature of file.scopes[scope] ?? []) {
      const holders = held.get(signature) ?? [];
      holders.push(describeOwner(file.owner));
      held.set(signature, holders);
    }
  }
  return held;
}
