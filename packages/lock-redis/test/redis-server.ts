import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";

/** A redis-server of the test's own (ports 5840–5849), for tests that stop Redis or need a password. */
export interface OwnRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts redis-server on 127.0.0.1:`port`, without persistence; resolves once it answers PING. */
export async function startOwnRedis(options: { port: number; password?: string }): Promise<OwnRedis> {
  const args = ["--bind", "127.0.0.1", "--port", String(options.port), "--save", "", "--appendonly", "no"];
  if (options.password) args.push("--requirepass", options.password);
  const child = spawn("redis-server", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const deadline = Date.now() + 10_000;
  while (!(await answers(options.port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server on port ${options.port} did not start (port in use?): ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `redis://127.0.0.1:${options.port}`,
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
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on("error", () => resolve(false));
    socket.on("connect", () => socket.write("PING\r\n"));
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
