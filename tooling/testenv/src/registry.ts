import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { httpStatus, isAlive, run, startDetached, waitFor } from "./process.js";
import type { ComponentState } from "./state.js";

export interface RegistryOptions {
  name: string;
  port: number;
  /** With credentials, the registry requires htpasswd basic auth. */
  credentials?: { username: string; password: string };
}

export interface RegistryConfigOptions {
  /** Directory of the config file; the data lives in `<directory>/data`. */
  directory: string;
  port: number;
  credentials?: { username: string; password: string };
  /** `storage.delete.enabled` (default true): without it, DELETE of a manifest answers 405. */
  deleteEnabled?: boolean;
}

/** Writes a Distribution config for a loopback registry; returns its path and the data directory. */
export function writeRegistryConfig(options: RegistryConfigOptions): { configFile: string; dataDirectory: string } {
  const dataDirectory = join(options.directory, "data");
  mkdirSync(dataDirectory, { recursive: true });
  const lines = [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${dataDirectory}`,
    "  delete:",
    `    enabled: ${options.deleteEnabled ?? true}`,
    "  maintenance:",
    "    uploadpurging:",
    "      enabled: false",
    "http:",
    `  addr: 127.0.0.1:${options.port}`,
    // A fixed secret: a restarted registry (scratch registries restart around garbage-collect) keeps
    // accepting the upload states it signed before.
    "  secret: stages-test-http-secret",
    "  headers:",
    "    X-Content-Type-Options: [nosniff]",
  ];
  if (options.credentials) {
    const htpasswd = join(options.directory, "htpasswd");
    writeFileSync(htpasswd, run("htpasswd", ["-Bbn", options.credentials.username, options.credentials.password]));
    lines.push("auth:", "  htpasswd:", "    realm: stages-test", `    path: ${htpasswd}`);
  }
  const configFile = join(options.directory, "config.yml");
  writeFileSync(configFile, `${lines.join("\n")}\n`);
  return { configFile, dataDirectory };
}

/** Whether a registry answers `/v2/` on the loopback port (401 counts: it is an auth registry). */
export async function registryAnswers(port: number): Promise<boolean> {
  const status = await httpStatus({ host: "127.0.0.1", port }, "/v2/");
  return status === 200 || status === 401;
}

/** Starts a CNCF Distribution registry on 127.0.0.1 with delete enabled. */
export async function startRegistry(options: RegistryOptions, stateDir: string): Promise<ComponentState> {
  const root = join(stateDir, `registry-${options.name}`);
  const logFile = join(stateDir, `registry-${options.name}.log`);
  const { configFile } = writeRegistryConfig({
    directory: root,
    port: options.port,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const pid = startDetached("docker-registry", ["serve", configFile], logFile);
  await waitFor(
    `registry ${options.name}`,
    async () => {
      if (!isAlive(pid))
        throw new Error(
          `registry ${options.name} exited while starting (port ${options.port} in use?); see ${logFile}`,
        );
      return registryAnswers(options.port);
    },
    30_000,
    logFile,
  );
  return { pid, address: `localhost:${options.port}`, logFile };
}
