import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { isAlive, waitFor } from "./process.js";
import { registryAnswers, writeRegistryConfig } from "./registry.js";

export interface ScratchRegistryOptions {
  /** Loopback port (engines reach `localhost:PORT` over plain HTTP). */
  port: number;
  /** Where config, data and log go; created when missing. The caller removes it. */
  directory: string;
  /** `storage.delete.enabled` (default true). False: DELETE of a manifest answers 405 UNSUPPORTED. */
  deleteEnabled?: boolean;
  credentials?: { username: string; password: string };
}

export interface GarbageCollection {
  /** What `docker-registry garbage-collect` printed (one line per manifest marked, blob eligible...). */
  output: string;
  /** Blobs it removed (`blob eligible for deletion: sha256:...`). */
  deletedBlobs: string[];
}

export interface ScratchRegistry {
  /** `localhost:PORT` */
  address: string;
  port: number;
  configFile: string;
  dataDirectory: string;
  logFile: string;
  /**
   * Runs the registry's own garbage collector over its storage and resolves once the registry
   * answers again. The server is stopped for the run and restarted on the same port: Distribution's
   * documentation requires read-only mode or no writers during a collection (uploads running
   * meanwhile can lose blobs), and a stopped server is the reliable form of that with 2.8.
   */
  garbageCollect(options?: { deleteUntagged?: boolean }): Promise<GarbageCollection>;
  /** Stops the server and waits until it exited (idempotent). Leaves the directory in place. */
  stop(): Promise<void>;
}

async function exitOf(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts a private CNCF Distribution registry (`docker-registry serve`) owned by the calling test:
 * its own directory and port, delete enabled unless told otherwise. The test stops it.
 */
export async function startScratchRegistry(options: ScratchRegistryOptions): Promise<ScratchRegistry> {
  mkdirSync(options.directory, { recursive: true });
  const { configFile, dataDirectory } = writeRegistryConfig({
    directory: options.directory,
    port: options.port,
    ...(options.deleteEnabled === undefined ? {} : { deleteEnabled: options.deleteEnabled }),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const logFile = join(options.directory, "registry.log");
  let child: ChildProcess | null = null;
  // A test process that dies without stop() must not leave a registry holding the port.
  const killOnExit = () => child?.kill("SIGKILL");

  const start = async (): Promise<void> => {
    const log = openSync(logFile, "a");
    try {
      child = spawn("docker-registry", ["serve", configFile], { stdio: ["ignore", log, log] });
    } finally {
      closeSync(log);
    }
    const started = child;
    const failed = new Promise<never>((_, reject) => {
      started.once("error", (error) =>
        reject(new Error(`could not start docker-registry (apt-get install docker-registry): ${error.message}`)),
      );
    });
    failed.catch(() => {});
    await Promise.race([
      failed,
      waitFor(
        `scratch registry on port ${options.port}`,
        async () => {
          if (started.pid === undefined || !isAlive(started.pid) || started.exitCode !== null) {
            throw new Error(`docker-registry exited while starting (port ${options.port} in use?); see ${logFile}`);
          }
          return registryAnswers(options.port);
        },
        30_000,
        logFile,
      ),
    ]);
  };

  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    if (running === null) return;
    running.kill("SIGTERM");
    if (!(await exitOf(running, 10_000))) {
      running.kill("SIGKILL");
      await exitOf(running, 10_000);
    }
  };

  process.once("exit", killOnExit);
  try {
    await start();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    address: `localhost:${options.port}`,
    port: options.port,
    configFile,
    dataDirectory,
    logFile,
    async garbageCollect(collectOptions = {}) {
      await stop();
      const args = ["garbage-collect", ...(collectOptions.deleteUntagged ? ["--delete-untagged"] : []), configFile];
      const result = spawnSync("docker-registry", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      await start();
      if (result.error) throw new Error(`docker-registry ${args.join(" ")}: ${result.error.message}`);
      if (result.status !== 0) {
        throw new Error(`docker-registry ${args.join(" ")} exited ${result.status}: ${result.stderr.trim()}`);
      }
      const output = `${result.stdout}${result.stderr}`;
      const deletedBlobs = [...output.matchAll(/blob eligible for deletion: (sha256:[0-9a-f]{64})/g)].map(
        (match) => match[1] as string,
      );
      return { output, deletedBlobs };
    },
    async stop() {
      process.removeListener("exit", killOnExit);
      await stop();
    },
  };
}
