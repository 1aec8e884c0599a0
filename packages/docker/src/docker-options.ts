import { type PluginSettingValue, UsageError } from "@stages/core";
import type { KnownHostsFile } from "./known-hosts.js";

/**
 * Where and how to reach a Docker Engine; the CLI fills it from DOCKER_HOST and friends or the
 * current docker context. Plain data (no paths read here), so a host can serialise it.
 */
export interface DockerConnectionOptions {
  /**
   * `unix:///path`, `tcp://host:port`, `http(s)://host:port`, `host:port` or `ssh://[user@]host[:port]`.
   * Default: the local socket.
   */
  host?: string;
  /** Directory holding `ca.pem`, `cert.pem` and `key.pem` for TLS (DOCKER_CERT_PATH). */
  certPath?: string;
  /** TLS material itself (PEM), e.g. a docker context's `contexts/tls/.../docker/*.pem`; turns TLS on. */
  certificates?: DockerCertificates;
  /** Use TLS and verify the engine's certificate (DOCKER_TLS_VERIFY). */
  tlsVerify?: boolean;
  /** For `ssh://` hosts: how to log in and which host keys to trust. */
  ssh?: DockerSshOptions;
}

/** PEM texts for TLS to the engine; each optional, as in a docker context. */
export interface DockerCertificates {
  ca?: string;
  cert?: string;
  key?: string;
}

/**
 * How to reach an engine over SSH, as the docker CLI's `ssh` would: the agent first, then the
 * default identities; the host's key must be in known_hosts.
 */
export interface DockerSshOptions {
  /** The ssh-agent socket (SSH_AUTH_SOCK), tried first. */
  agent?: string;
  /** Private keys (OpenSSH or PEM text) tried in order after the agent; `source` names the file. */
  identities?: readonly { source: string; privateKey: string }[];
  /** known_hosts files; the engine host's key must be listed in one of them. */
  knownHosts?: readonly KnownHostsFile[];
  /** The user when the host names none (ssh's default: the local user). */
  defaultUser?: string;
}

/** The socket Docker clients use when DOCKER_HOST is not set. */
export const defaultDockerHost = "unix:///var/run/docker.sock";

/** Where a connection goes, resolved from options; pure so it can be tested and printed. */
export type DockerEndpoint =
  | { kind: "unix"; socketPath: string }
  | { kind: "tcp"; host: string; port: number; tls: { verify: boolean; certPath: string | null } | null }
  | { kind: "ssh"; host: string; port: number; user: string };

/**
 * Reads DOCKER_HOST, DOCKER_CERT_PATH and DOCKER_TLS_VERIFY as the docker CLI does: any non-empty
 * DOCKER_TLS_VERIFY turns verification on, and then certificates default to the docker config
 * directory (DOCKER_CONFIG or ~/.docker). Pure: the caller passes the environment.
 */
export function dockerOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): DockerConnectionOptions {
  const options: DockerConnectionOptions = {};
  if (env.DOCKER_HOST) options.host = env.DOCKER_HOST;
  if (env.DOCKER_TLS_VERIFY) options.tlsVerify = true;
  if (env.DOCKER_CERT_PATH) options.certPath = env.DOCKER_CERT_PATH;
  else if (options.tlsVerify) {
    const configDirectory = env.DOCKER_CONFIG || (env.HOME ? `${env.HOME.replace(/\/+$/, "")}/.docker` : undefined);
    if (configDirectory) options.certPath = configDirectory;
  }
  return options;
}

/**
 * The options a host handed to the plugin in its settings: `docker.connection`, the JSON of
 * DockerConnectionOptions (what the stages CLI sets: DOCKER_HOST or the docker context, SSH keys
 * and known_hosts already read), else the settings other hosts may give one by one: `docker.host`,
 * `docker.tlsVerify` (true, or any non-empty text as DOCKER_TLS_VERIFY), `docker.certPath`, and
 * `docker.config` (the certificates' directory when verifying without a cert path).
 */
export function dockerOptionsFromSettings(
  settings: Readonly<Record<string, PluginSettingValue | undefined>>,
): DockerConnectionOptions {
  const text = (name: string) => {
    const value = settings[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const connection = text("docker.connection");
  if (connection) {
    try {
      return JSON.parse(connection) as DockerConnectionOptions;
    } catch (error) {
      throw new UsageError("the docker.connection setting is not JSON of DockerConnectionOptions", { cause: error });
    }
  }
  const options: DockerConnectionOptions = {};
  const host = text("docker.host");
  if (host) options.host = host;
  const verify = settings["docker.tlsVerify"];
  if (verify === true || (typeof verify === "string" && verify !== "")) options.tlsVerify = true;
  const certPath = text("docker.certPath") ?? (options.tlsVerify ? text("docker.config") : undefined);
  if (certPath) options.certPath = certPath;
  return options;
}

/**
 * Resolves options to an endpoint. TLS is used when `tlsVerify` is set, a cert path is given, the
 * scheme is `https`, or the port is 2376 (Docker's TLS port); without `tlsVerify` the engine's
 * certificate is not verified, as with the docker CLI.
 */
export function resolveDockerEndpoint(options: DockerConnectionOptions = {}): DockerEndpoint {
  const host = options.host?.trim() || defaultDockerHost;
  if (host.startsWith("unix://")) {
    const socketPath = host.slice("unix://".length);
    if (!socketPath.startsWith("/")) {
      throw new UsageError(`invalid Docker host "${host}": a unix socket needs an absolute path`, {
        hint: "write it as unix:///var/run/docker.sock",
      });
    }
    return { kind: "unix", socketPath };
  }
  if (/^ssh:\/\//i.test(host)) return resolveSshEndpoint(host, options.ssh?.defaultUser);
  const match = /^(?:(tcp|http|https):\/\/)?(\[[0-9a-fA-F:.]+\]|[^:/\s]+)(?::(\d+))?\/?$/.exec(host);
  if (!match) {
    const scheme = /^([a-z0-9+.-]+):\/\//i.exec(host)?.[1];
    throw new UsageError(
      scheme
        ? `Docker host "${host}" uses "${scheme}://", which stages does not support`
        : `invalid Docker host "${host}"`,
      { hint: "use unix:///path/to/docker.sock, tcp://host:port, https://host:port or ssh://user@host" },
    );
  }
  const scheme = match[1] ?? "tcp";
  const hostname = (match[2] ?? "").replace(/^\[(.*)\]$/, "$1");
  const tlsWanted =
    options.tlsVerify === true ||
    options.certPath !== undefined ||
    options.certificates !== undefined ||
    scheme === "https" ||
    match[3] === "2376";
  const port = match[3] === undefined ? (tlsWanted ? 2376 : 2375) : Number(match[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`invalid Docker host "${host}": port ${match[3]} is out of range`);
  }
  return {
    kind: "tcp",
    host: hostname,
    port,
    tls: tlsWanted ? { verify: options.tlsVerify === true, certPath: options.certPath ?? null } : null,
  };
}

/**
 * `ssh://[user@]host[:port]` as the docker CLI takes it: no path, no password; the user defaults
 * to `defaultUser` (the local user, as for ssh).
 */
function resolveSshEndpoint(host: string, defaultUser: string | undefined): DockerEndpoint {
  const match = /^ssh:\/\/(?:([^@/:\s]+)@)?(\[[0-9a-fA-F:.]+\]|[^@:/\s[\]]+)(?::(\d+))?\/?$/i.exec(host);
  if (!match) {
    throw new UsageError(`invalid Docker host "${host}"`, {
      hint: "write an SSH host as ssh://user@host or ssh://user@host:port (no path, no password)",
    });
  }
  const user = match[1] ?? defaultUser;
  if (!user) {
    throw new UsageError(`Docker host "${host}" names no user`, { hint: "write it as ssh://user@host" });
  }
  const port = match[3] === undefined ? 22 : Number(match[3]);
  if (port < 1 || port > 65535) throw new UsageError(`invalid Docker host "${host}": port ${match[3]} is out of range`);
  return { kind: "ssh", host: (match[2] ?? "").replace(/^\[(.*)\]$/, "$1"), port, user };
}

/**
 * The endpoint as a Docker host string, e.g. `unix:///var/run/docker.sock`, `tcp://10.0.0.2:2376`
 * or `ssh://deploy@build-host` (never a secret: keys are not part of it).
 */
export function formatDockerEndpoint(endpoint: DockerEndpoint): string {
  if (endpoint.kind === "unix") return `unix://${endpoint.socketPath}`;
  if (endpoint.kind === "ssh") {
    const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
    return `ssh://${endpoint.user}@${host}${endpoint.port === 22 ? "" : `:${endpoint.port}`}`;
  }
  const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
  return `tcp://${host}:${endpoint.port}`;
}
