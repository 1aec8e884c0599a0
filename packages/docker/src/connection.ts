import { readFileSync } from "node:fs";
import { Agent as HttpAgent } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { CallOptions } from "@stages/core";
import { EngineError, UsageError } from "@stages/core";
import Dockerode from "dockerode";
import type { ConnectConfig } from "ssh2";
import type { DockerConnectionOptions, DockerEndpoint, DockerSshOptions } from "./docker-options.js";
import { formatDockerEndpoint, resolveDockerEndpoint } from "./docker-options.js";
import { EngineClient } from "./engine-client.js";
import { engineFailure, notAnEngineError } from "./engine-errors.js";
import { findKnownHostKeys, hostKeyAlgorithms, knownHostsName } from "./known-hosts.js";
import { createSshAgent } from "./ssh-transport.js";

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
 * `dockerOptionsFromEnv`, or a docker context): unix socket, plain TCP, TLS or SSH. Nothing is
 * sent until the first call; an SSH host that known_hosts does not list is an error at once.
 */
export function createDockerConnection(options: DockerConnectionOptions = {}): DockerConnection {
  const endpoint = resolveDockerEndpoint(options);
  const address = formatDockerEndpoint(endpoint);
  // Made on the first call (dockerode is loaded then); an SSH host is checked against known_hosts
  // at once all the same.
  const client = new EngineClient(
    endpoint.kind === "ssh" ? createDockerode(endpoint, options) : () => createDockerode(endpoint, options),
    address,
  );
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
/**
 * node:https, loaded for a TLS engine only: it loads node:tls and its crypto, tens of milliseconds
 * of every command's start that a unix socket or plain TCP never needs.
 */
function httpsModule(): typeof import("node:https") {
  return createRequire(import.meta.url)("node:https") as typeof import("node:https");
}

function createDockerode(endpoint: DockerEndpoint, connectionOptions: DockerConnectionOptions): Dockerode {
  let options: Dockerode.DockerOptions & { agent?: HttpAgent };
  if (endpoint.kind === "unix") {
    options = { socketPath: endpoint.socketPath, agent: new HttpAgent({ keepAlive: true }) };
  } else if (endpoint.kind === "ssh") {
    // Plain HTTP over SSH channels (ssh-transport.ts); the host name only fills the Host header.
    options = {
      protocol: "http",
      host: "localhost",
      agent: createSshAgent(sshOptionsFor(endpoint, connectionOptions.ssh ?? {})),
    };
  } else {
    const tls = endpoint.tls;
    options = {
      // node:http wants an IPv6 address without the brackets of a URL.
      host: endpoint.host.replace(/^\[(.*)\]$/, "$1"),
      port: endpoint.port,
      protocol: tls === null ? "http" : "https",
      ...(tls === null ? {} : (connectionOptions.certificates ?? readCertificates(tls.certPath))),
      // As the docker CLI: without tlsVerify the engine's certificate is not checked.
      agent:
        tls === null
          ? new HttpAgent({ keepAlive: true })
          : new (httpsModule().Agent)({ keepAlive: true, rejectUnauthorized: tls.verify }),
    };
  }
  const saved = process.env.DOCKER_HOST;
  delete process.env.DOCKER_HOST;
  try {
    return new Dockerode(options);
  } finally {
    if (saved !== undefined) process.env.DOCKER_HOST = saved;
  }
}

/**
 * ssh2 settings for an engine host, as OpenSSH would log in without a config file: the agent,
 * then each identity; the host key must match a known_hosts entry (and not a revoked one), and
 * only the key types listed for the host are negotiated, so that a listed key is the one shown.
 */
function sshOptionsFor(endpoint: Extract<DockerEndpoint, { kind: "ssh" }>, ssh: DockerSshOptions): ConnectConfig {
  const address = formatDockerEndpoint(endpoint);
  const knownHostsFiles = ssh.knownHosts ?? [];
  const where = knownHostsFiles.map((file) => file.source).join(", ") || "~/.ssh/known_hosts";
  const known = findKnownHostKeys(knownHostsFiles, endpoint.host, endpoint.port);
  const algorithms = [...new Set(known.accepted.flatMap((entry) => hostKeyAlgorithms(entry.type)))];
  if (algorithms.length === 0) {
    const name = knownHostsName(endpoint.host, endpoint.port);
    throw new EngineError(
      `[docker] the SSH host key of ${name} is not in ${where}: stages will not trust ${address} blindly`,
      {
        hint: `check the host's key fingerprint, then add it: ssh-keyscan ${endpoint.port === 22 ? "" : `-p ${endpoint.port} `}${endpoint.host} >> ~/.ssh/known_hosts (or connect once with ssh)`,
      },
    );
  }
  const methods: Record<string, unknown>[] = [];
  if (ssh.agent) methods.push({ type: "agent", username: endpoint.user, agent: ssh.agent });
  for (const identity of ssh.identities ?? []) {
    methods.push({ type: "publickey", username: endpoint.user, key: identity.privateKey });
  }
  if (methods.length === 0) {
    throw new EngineError(`[docker] no SSH key to log in to ${address} with`, {
      hint: "start ssh-agent with your key (SSH_AUTH_SOCK), or put the key in ~/.ssh/id_ed25519, id_ecdsa or id_rsa",
    });
  }
  const accepted = new Set(known.accepted.map((entry) => entry.key));
  const revoked = new Set(known.revoked.map((entry) => entry.key));
  return {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    authHandler: methods as never,
    hostVerifier: (key: Buffer) => {
      const blob = key.toString("base64");
      return accepted.has(blob) && !revoked.has(blob);
    },
    algorithms: { serverHostKey: algorithms as never },
    readyTimeout: 20_000,
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
