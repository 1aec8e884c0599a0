import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { connect as connectTls } from "node:tls";

/** A self-signed certificate for localhost and 127.0.0.1, its own CA (give it as NODE_EXTRA_CA_CERTS). */
export const testCertificate = join(import.meta.dirname, "fixtures", "redis-test.crt");
const testCertificateKey = join(import.meta.dirname, "fixtures", "redis-test.key");

/** A redis-server of the test's own (ports 5840–5849), for tests that stop Redis or need a password. */
export interface OwnRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts redis-server on 127.0.0.1:`port`, without persistence; resolves once it answers PING. */
export async function startOwnRedis(options: { port: number; password?: string; tls?: boolean }): Promise<OwnRedis> {
  const args = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  if (options.tls) {
    // TLS only, with the test certificate (CN localhost, 127.0.0.1, valid until 2126); clients need no certificate.
    args.push("--port", "0", "--tls-port", String(options.port), "--tls-auth-clients", "no");
    args.push("--tls-cert-file", testCertificate, "--tls-key-file", testCertificateKey);
  } else {
    args.push("--port", String(options.port));
  }
  if (options.password) args.push("--requirepass", options.password);
  const child = spawn("redis-server", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const deadline = Date.now() + 10_000;
  while (!(await answers(options.port, options.tls ?? false))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server on port ${options.port} did not start (port in use?): ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `${options.tls ? "rediss://localhost" : "redis://127.0.0.1"}:${options.port}`,
    port: options.port,
    stop: () => stopProcess(child),
  };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** Whether something on the port speaks RESP (a PING gets +PONG or an auth error). */
function answers(port: number, tls: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls
      ? connectTls({ host: "127.0.0.1", port, rejectUnauthorized: false })
      : connect({ host: "127.0.0.1", port });
    const ready = tls ? "secureConnect" : "connect";
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on("error", () => resolve(false));
    socket.on(ready, () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      socket.destroy();
      resolve(/^(\+PONG|-NOAUTH)/.test(chunk.toString()));
    });
  });
}

/** The test environment's Redis; fails loudly when the environment did not provide one. */
export function sharedRedisUrl(): string {
  const url = process.env.STAGES_TEST_REDIS_URL;
  if (!url)
    throw new Error("STAGES_TEST_REDIS_URL is not set: run the tests through vitest (its global setup starts Redis)");
  return url;
}

/** A key no other test (or helper sharing the Redis) uses. */
export function uniqueKey(name: string): string {
  return `test:${name}:${process.pid}:${Math.random().toString(36).slice(2)}`;
}
