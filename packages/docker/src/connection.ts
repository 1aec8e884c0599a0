import { readFileSync } from "node:fs";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { join } from "node:path";
import type { CallOptions } from "@stages/core";
import { EngineError, UsageError } from "@stages/core";
import Dockerode from "dockerode";
import type { DockerConnectionOptions, DockerEndpoint } from "./docker-options.js";
import { formatDockerEndpoint, resolveDockerEndpoint } from "./docker-options.js";
import { EngineClient } from "./engine-client.js";
import { engineFailure, notAnEngineError } from "./engine-errors.js";

/** What the engine says about itself. */
export interface EngineVersion {
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
}

/** A connection to one Docker Engine; pass it to the storage, builder and transfer factories. */
export interface DockerConnection {
  /** Where it goes, e.g. `unix:///var/run/docker.sock`; never contains secrets. */
  readonly endpoint: string;
  /** Resolves when the engine answers; an EngineError telling what to do when none does. */
  ping(options?: CallOptions): Promise<void>;
  version(options?: CallOptions): Promise<EngineVersion>;
}

const clients = new WeakMap<DockerConnection, EngineClient>();

/** How long `ping` waits for an engine that accepts the connection but does not answer. */
const pingTimeoutMs = 10_000;

/**
 * Connects to a Docker Engine from explicit options (the CLI reads DOCKER_HOST and friends with
 * `dockerOptionsFromEnv`): unix socket, plain TCP or TLS. Nothing is sent until the first call.
 */
export function createDockerConnection(options: DockerConnectionOptions = {}): DockerConnection {
  const endpoint = resolveDockerEndpoint(options);
  const address = formatDockerEndpoint(endpoint);
  const client = new EngineClient(createDockerode(endpoint), address);
  const connection: DockerConnection = {
    endpoint: address,

    async ping(callOptions) {
      const timeout = AbortSignal.timeout(pingTimeoutMs);
      const signal = callOptions?.signal ? AbortSignal.any([callOptions.signal, timeout]) : timeout;
      let answer: unknown;
      try {
        answer = await client.call(signal, (docker) => (docker as WithCallOptions).ping({ abortSignal: signal }));
      } catch (error) {
        if (timeout.aborted && !callOptions?.signal?.aborted) {
          throw new EngineError(
            `[docker] no Docker Engine answers at ${address} within ${pingTimeoutMs / 1000} s: start dockerd or set DOCKER_HOST`,
            { cause: error },
          );
        }
        throw engineFailure(`ping of ${address} failed`, error);
      }
      // An engine answers "OK"; a web server that answers every path with 200 is not one.
      if (String(answer).trim() !== "OK") {
        throw notAnEngineError(address, `GET /_ping answered ${JSON.stringify(String(answer).slice(0, 60))}`);
      }
    },

    async version(callOptions) {
      try {
        const signal = callOptions?.signal;
        const answer = await client.call(signal, (docker) =>
          (docker as WithCallOptions).version({ abortSignal: signal }),
        );
        if (typeof answer !== "object" || answer === null || typeof answer.ApiVersion !== "string") {
          throw notAnEngineError(address, "GET /version gave no engine version");
        }
        return { version: answer.Version, apiVersion: answer.ApiVersion, os: answer.Os, arch: answer.Arch };
      } catch (error) {
        throw engineFailure(`version of ${address}`, error);
      }
    },
  };
  clients.set(connection, client);
  return connection;
}

/** The client behind a connection made by createDockerConnection. */
export function engineOf(connection: DockerConnection): EngineClient {
  const client = clients.get(connection);
  if (!client) {
    throw new UsageError("[docker] the connection was not made by createDockerConnection of @stages/docker");
  }
  return client;
}

/** ping and version take `{ abortSignal }` in dockerode 4; @types/dockerode lags behind. */
interface WithCallOptions {
  ping(options: { abortSignal?: AbortSignal | undefined }): Promise<unknown>;
  version(options: { abortSignal?: AbortSignal | undefined }): Promise<Dockerode.DockerVersion>;
}

/**
 * The dockerode instance for an endpoint. docker-modem also reads DOCKER_HOST, DOCKER_CERT_PATH and
 * friends from process.env when it is constructed (and throws on a bad one); our options were
 * resolved from explicit values already, so the environment is kept out of its way while it is made.
 */
function createDockerode(endpoint: DockerEndpoint): Dockerode {
  const options: Dockerode.DockerOptions & { agent?: HttpAgent } =
    endpoint.kind === "unix"
      ? { socketPath: endpoint.socketPath }
      : {
          // node:http wants an IPv6 address without the brackets of a URL.
          host: endpoint.host.replace(/^\[(.*)\]$/, "$1"),
          port: endpoint.port,
          protocol: endpoint.tls === null ? "http" : "https",
          ...(endpoint.tls === null ? {} : readCertificates(endpoint.tls.certPath)),
        };
  if (endpoint.kind === "tcp" && endpoint.tls !== null) {
    // As the docker CLI: without tlsVerify the engine's certificate is not checked.
    options.agent = new HttpsAgent({ keepAlive: true, rejectUnauthorized: endpoint.tls.verify });
  } else options.agent = new HttpAgent({ keepAlive: true });
  const saved = process.env.DOCKER_HOST;
  delete process.env.DOCKER_HOST;
  try {
    return new Dockerode(options);
  } finally {
    if (saved !== undefined) process.env.DOCKER_HOST = saved;
  }
}

function readCertificates(certPath: string | null): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  if (certPath === null) return {};
  const read = (name: string): Buffer => {
    const file = join(certPath, name);
    try {
      return readFileSync(file);
    } catch (error) {
      throw new EngineError(`[docker] cannot read ${file} for TLS to the Docker Engine`, {
        cause: error,
        hint: "DOCKER_CERT_PATH must name a directory with ca.pem, cert.pem and key.pem",
      });
    }
  };
  return { ca: read("ca.pem"), cert: read("cert.pem"), key: read("key.pem") };
}
