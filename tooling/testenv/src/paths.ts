import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: two levels above this package (works from src/ and dist/). */
export function repositoryRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
}

/** Where the test environment keeps its state, data and logs. */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.STAGES_TESTENV_DIR ?? join(repositoryRoot(), ".testenv"));
}

/**
 * A short directory for unix sockets and dockerd exec roots: socket paths are limited to
 * 108 bytes, and containerd nests its own sockets below the exec root.
 */
export function runDirectory(stateDir: string): string {
  const hash = createHash("sha256").update(stateDir).digest("hex").slice(0, 8);
  return join("/tmp", `stages-te-${hash}`);
}

/** The docker client to drive engines with: Debian's, matching the engine, when present. */
export function dockerClient(): string {
  return existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker";
}
