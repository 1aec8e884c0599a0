import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  AbortedError,
  AuthenticationError,
  type RegistryCredentials,
  type RegistryCredentialsProvider,
} from "@stages/core";
import { dockerHubRegistry } from "./parse-reference.js";

/** The environment variables the client may use; nothing else of the process environment is read. */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface DockerConfigCredentialsOptions {
  /** Directory holding `config.json`; default `$DOCKER_CONFIG`, else `$HOME/.docker`. */
  dockerConfigDir?: string;
  /** Environment for locating the config and running `docker-credential-*` helpers (PATH). */
  env: Environment;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The key docker stores Docker Hub credentials under. */
const dockerHubServerAddress = "https://index.docker.io/v1/";

/** The server address docker passes to credential helpers for `registry`. */
export function serverAddressOf(registry: string): string {
  return registry === dockerHubRegistry ? dockerHubServerAddress : registry;
}

/** `https://host:port/v1/` → `host:port`, so config keys written by any docker version match. */
export function normalizeConfigKey(key: string): string {
  const withoutScheme = key.replace(/^[a-z]+:\/\//i, "");
  const host = withoutScheme.split("/")[0] ?? withoutScheme;
  return host === "index.docker.io" || host === "registry-1.docker.io" ? dockerHubRegistry : host;
}

function findEntry<T>(record: Record<string, T> | undefined, registry: string): T | undefined {
  if (!record) return undefined;
  if (record[registry] !== undefined) return record[registry];
  for (const [key, value] of Object.entries(record)) {
    if (normalizeConfigKey(key) === registry) return value;
  }
  return undefined;
}

/** Credentials as docker finds them: `credHelpers`, then `credsStore`, then `auths` of config.json. */
export function createDockerConfigCredentials(options: DockerConfigCredentialsOptions): RegistryCredentialsProvider {
  const directory =
    options.dockerConfigDir ??
    options.env.DOCKER_CONFIG ??
    (options.env.HOME !== undefined ? join(options.env.HOME, ".docker") : undefined);
  let config: Promise<DockerConfigFile | null> | undefined;
  const loadConfig = () => {
    config ??= directory === undefined ? Promise.resolve(null) : readDockerConfig(join(directory, "config.json"));
    return config;
  };
  return async (registry, callOptions) => {
    const signal = callOptions?.signal;
    const file = await loadConfig();
    if (file === null) return null;
    const helper = findEntry(file.credHelpers, registry);
    if (helper) return runCredentialHelper(helper, serverAddressOf(registry), options.env, signal);
    if (file.credsStore) {
      const stored = await runCredentialHelper(file.credsStore, serverAddressOf(registry), options.env, signal);
      if (stored) return stored;
    }
    return credentialsFromAuthEntry(findEntry(file.auths, registry));
  };
}

async function readDockerConfig(path: string): Promise<DockerConfigFile | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new AuthenticationError(`[registry] cannot read docker config ${path}`, { cause: error });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as DockerConfigFile) : null;
  } catch {
    // Never echo the file: it holds secrets.
    throw new AuthenticationError(`[registry] docker config ${path} is not valid JSON`, {
      hint: "fix the file or log in again with docker login",
    });
  }
}

function credentialsFromAuthEntry(
  entry: NonNullable<DockerConfigFile["auths"]>[string] | undefined,
): RegistryCredentials | null {
  if (!entry) return null;
  if (entry.identitytoken) {
    return entry.username
      ? { username: entry.username, identitytoken: entry.identitytoken }
      : { identitytoken: entry.identitytoken };
  }
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  return null;
}

/** Runs `docker-credential-<helper> get` as docker does: server address on stdin, JSON on stdout. */
export function runCredentialHelper(
  helper: string,
  serverAddress: string,
  env: Environment,
  signal?: AbortSignal,
): Promise<RegistryCredentials | null> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) {
    return Promise.reject(
      new AuthenticationError(`[registry] invalid credential helper name "${helper}" in docker config`),
    );
  }
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = execFile(
      program,
      ["get"],
      { env: env as NodeJS.ProcessEnv, timeout: 30_000, maxBuffer: 1024 * 1024, signal },
      (error, stdout, stderr) => {
        if (signal?.aborted) {
          reject(new AbortedError("the operation was cancelled", { cause: signal.reason }));
          return;
        }
        if (error) {
          const output = `${stdout}\n${stderr}`;
          if (/credentials not found/i.test(output)) {
            resolve(null);
            return;
          }
          const code = (error as NodeJS.ErrnoException).code;
          const why = code === "ENOENT" ? "was not found on PATH" : "failed";
          reject(
            new AuthenticationError(`[registry] credential helper ${program} ${why} for ${serverAddress}`, {
              hint:
                code === "ENOENT"
                  ? `install ${program} or remove it from docker's config.json`
                  : `run "echo ${serverAddress} | ${program} get" to see why`,
            }),
          );
          return;
        }
        try {
          const answer = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
          const username = typeof answer.Username === "string" ? answer.Username : "";
          const secret = typeof answer.Secret === "string" ? answer.Secret : "";
          if (!secret) resolve(null);
          // docker's convention: a helper answering with the user "<token>" holds an identity token.
          else if (username === "<token>") resolve({ identitytoken: secret });
          else resolve({ username, password: secret });
        } catch {
          reject(
            new AuthenticationError(
              `[registry] credential helper ${program} did not answer with JSON for ${serverAddress}`,
            ),
          );
        }
      },
    );
    child.stdin?.on("error", () => {});
    child.stdin?.end(serverAddress);
  });
}
