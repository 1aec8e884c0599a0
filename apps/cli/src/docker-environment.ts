import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import { UsageError } from "@stages/core";
import { type DockerConnectionOptions, type DockerSshOptions, dockerOptionsFromEnv } from "@stages/docker";

/** Where the Docker Engine of this run is, and which docker context (if any) said so. */
export interface DockerEnvironment {
  options: DockerConnectionOptions;
  /** The docker context the host came from; undefined when DOCKER_HOST or the default socket. */
  context?: string;
}

/** The identities OpenSSH tries without a config file, in its order (ssh2 has no -sk or xmss keys). */
const defaultIdentities = ["id_ed25519", "id_ecdsa", "id_rsa"];

/**
 * Finds the engine as the docker CLI does: DOCKER_HOST beats DOCKER_CONTEXT beats the
 * `currentContext` of `$DOCKER_CONFIG/config.json`; the context `default` is DOCKER_HOST's default.
 * For an `ssh://` host it reads what `ssh` would use without a config file: the agent
 * (SSH_AUTH_SOCK), ~/.ssh/id_ed25519, id_ecdsa and id_rsa, ~/.ssh/known_hosts and
 * /etc/ssh/ssh_known_hosts. The only place that reads these files: the adapter gets their content.
 */
export function readDockerEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  dockerConfigDirectory: string,
): DockerEnvironment {
  const environment = env.DOCKER_HOST
    ? { options: dockerOptionsFromEnv(env) }
    : fromContext(env, dockerConfigDirectory);
  if (/^ssh:\/\//i.test(environment.options.host ?? "")) environment.options.ssh = readSshOptions(env);
  return environment;
}

function fromContext(env: Readonly<Record<string, string | undefined>>, directory: string): DockerEnvironment {
  const configFile = join(directory, "config.json");
  let name = env.DOCKER_CONTEXT;
  let chosenBy = "DOCKER_CONTEXT";
  if (!name) {
    name = currentContextOf(configFile);
    chosenBy = `currentContext of ${configFile}`;
  }
  if (!name || name === "default") return { options: dockerOptionsFromEnv(env) };
  // The docker CLI stores a context under the sha256 of its name (names may hold any character).
  const id = createHash("sha256").update(name).digest("hex");
  const metaFile = join(directory, "contexts", "meta", id, "meta.json");
  const meta = readText(metaFile);
  if (meta === undefined) {
    throw new UsageError(`docker context "${name}" (from ${chosenBy}) does not exist: no ${metaFile}`, {
      hint: "see `docker context ls`; choose an existing context, or unset it to use the default engine",
    });
  }
  const endpoint = parseJson(meta, metaFile) as {
    Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } };
  };
  const host = endpoint?.Endpoints?.docker?.Host;
  if (typeof host !== "string" || host === "") {
    throw new UsageError(`docker context "${name}" has no docker endpoint host (${metaFile})`, {
      hint: `recreate it, e.g. docker context create ${name} --docker host=unix:///var/run/docker.sock`,
    });
  }
  const options: DockerConnectionOptions = { host };
  const tlsDirectory = join(directory, "contexts", "tls", id, "docker");
  const ca = readText(join(tlsDirectory, "ca.pem"));
  const cert = readText(join(tlsDirectory, "cert.pem"));
  const key = readText(join(tlsDirectory, "key.pem"));
  if (ca !== undefined || cert !== undefined || key !== undefined) {
    options.certificates = {
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
    };
    options.tlsVerify = endpoint?.Endpoints?.docker?.SkipTLSVerify !== true;
  }
  return { options, context: name };
}

function currentContextOf(configFile: string): string | undefined {
  const text = readText(configFile);
  if (text === undefined) return undefined;
  const config = parseJson(text, configFile) as { currentContext?: unknown } | null;
  return typeof config?.currentContext === "string" && config.currentContext !== "" ? config.currentContext : undefined;
}

function readSshOptions(env: Readonly<Record<string, string | undefined>>): DockerSshOptions {
  const home = env.HOME || homedir();
  const ssh: DockerSshOptions = {};
  if (env.SSH_AUTH_SOCK) ssh.agent = env.SSH_AUTH_SOCK;
  const identities = defaultIdentities.flatMap((name) => {
    const source = join(home, ".ssh", name);
    const privateKey = readOptional(source);
    return privateKey === undefined ? [] : [{ source, privateKey }];
  });
  if (identities.length > 0) ssh.identities = identities;
  ssh.knownHosts = [join(home, ".ssh", "known_hosts"), "/etc/ssh/ssh_known_hosts"].flatMap((source) => {
    const text = readOptional(source);
    return text === undefined ? [] : [{ source, text }];
  });
  const user = safeUserName() ?? env.USER;
  if (user) ssh.defaultUser = user;
  return ssh;
}

function safeUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    // A uid without a passwd entry (some containers): ssh:// then needs a user in the URL.
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") {
      return undefined;
    }
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** As ssh: a key or known_hosts file it cannot read is passed over, not fatal. */
function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
