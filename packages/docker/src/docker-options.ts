import { UsageError } from "@stages/core";

/** Where and how to reach a Docker Engine; the CLI fills it from DOCKER_HOST and friends. */
export interface DockerConnectionOptions {
  /** `unix:///path`, `tcp://host:port`, `http(s)://host:port` or `host:port`. Default: the local socket. */
  host?: string;
  /** Directory holding `ca.pem`, `cert.pem` and `key.pem` for TLS (DOCKER_CERT_PATH). */
  certPath?: string;
  /** Use TLS and verify the engine's certificate (DOCKER_TLS_VERIFY). */
  tlsVerify?: boolean;
}

/** The socket Docker clients use when DOCKER_HOST is not set. */
export const defaultDockerHost = "unix:///var/run/docker.sock";

/** Where a connection goes, resolved from options; pure so it can be tested and printed. */
export type DockerEndpoint =
  | { kind: "unix"; socketPath: string }
  | { kind: "tcp"; host: string; port: number; tls: { verify: boolean; certPath: string | null } | null };

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
  const match = /^(?:(tcp|http|https):\/\/)?(\[[0-9a-fA-F:.]+\]|[^:/\s]+)(?::(\d+))?\/?$/.exec(host);
  if (!match) {
    const scheme = /^([a-z0-9+.-]+):\/\//i.exec(host)?.[1];
    throw new UsageError(
      scheme
        ? `Docker host "${host}" uses "${scheme}://", which stages does not support`
        : `invalid Docker host "${host}"`,
      { hint: "use unix:///path/to/docker.sock, tcp://host:port or https://host:port" },
    );
  }
  const scheme = match[1] ?? "tcp";
  const hostname = (match[2] ?? "").replace(/^\[(.*)\]$/, "$1");
  const tlsWanted =
    options.tlsVerify === true || options.certPath !== undefined || scheme === "https" || match[3] === "2376";
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

/** The endpoint as a Docker host string, e.g. `unix:///var/run/docker.sock` or `tcp://10.0.0.2:2376`. */
export function formatDockerEndpoint(endpoint: DockerEndpoint): string {
  if (endpoint.kind === "unix") return `unix://${endpoint.socketPath}`;
  const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
  return `tcp://${host}:${endpoint.port}`;
}
