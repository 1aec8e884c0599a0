import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CallOptions } from "@stages/core";
import { EngineError, UsageError } from "@stages/core";
import type { DockerConnectionOptions, DockerEndpoint } from "./docker-options.js";
import { formatDockerEndpoint, resolveDockerEndpoint } from "./docker-options.js";
import { EngineClient, engineFailure } from "./engine-client.js";
import { createEngineTransport, type TransportTarget } from "./engine-transport.js";

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
  const client = new EngineClient(createEngineTransport(transportTarget(endpoint)), address);
  const connection: DockerConnection = {
    endpoint: address,

    async ping(callOptions) {
      const timeout = AbortSignal.timeout(pingTimeoutMs);
      const signal = callOptions?.signal ? AbortSignal.any([callOptions.signal, timeout]) : timeout;
      try {
        await client.json({ method: "GET", path: "/_ping", signal });
      } catch (error) {
        if (timeout.aborted && !callOptions?.signal?.aborted) {
          throw new EngineError(
            `[docker] no Docker Engine answers at ${address} within ${pingTimeoutMs / 1000} s: start dockerd or set DOCKER_HOST`,
            { cause: error },
          );
        }
        throw engineFailure(`ping of ${address} failed`, error);
      }
    },

    async version(callOptions) {
      try {
        const answer = await client.json<{ Version: string; ApiVersion: string; Os: string; Arch: string }>({
          method: "GET",
          path: "/version",
          signal: callOptions?.signal,
        });
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

function transportTarget(endpoint: DockerEndpoint): TransportTarget {
  if (endpoint.kind === "unix") return endpoint;
  // node:http wants an IPv6 address without the brackets of a URL.
  const host = endpoint.host.replace(/^\[(.*)\]$/, "$1");
  if (endpoint.tls === null) return { kind: "tcp", host, port: endpoint.port, tls: null };
  return {
    kind: "tcp",
    host,
    port: endpoint.port,
    tls: { ...readCertificates(endpoint.tls.certPath), verify: endpoint.tls.verify },
  };
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
