import { mkdirSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { isAlive, startDetached, waitFor } from "./process.js";
import type { ComponentState } from "./state.js";

/** Sends one RESP command to a Redis server on loopback and resolves with its first reply line. */
export function redisCommand(port: number, ...words: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = "";
    const finish = (answer: string | null) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2000, () => finish(null));
    socket.on("error", () => finish(null));
    socket.on("connect", () => {
      socket.write(`*${words.length}\r\n${words.map((word) => `$${Buffer.byteLength(word)}\r\n${word}\r\n`).join("")}`);
    });
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      const end = received.indexOf("\r\n");
      if (end >= 0) finish(received.slice(0, end));
    });
    socket.on("end", () => finish(null));
  });
}

/** Whether Redis answers PING on the loopback port. */
export async function redisAnswers(port: number): Promise<boolean> {
  return (await redisCommand(port, "PING")) === "+PONG";
}

/**
 * Starts a private redis-server on 127.0.0.1 for the optional build lock: its own directory, no
 * persistence (no RDB snapshots, no AOF), logging to its log file.
 */
export async function startRedis(options: { stateDir: string; port: number }): Promise<ComponentState> {
  const directory = join(options.stateDir, "redis");
  const logFile = join(options.stateDir, "redis.log");
  mkdirSync(directory, { recursive: true });
  const pid = startDetached(
    "redis-server",
    [
      "--bind",
      "127.0.0.1",
      "--port",
      String(options.port),
      "--dir",
      directory,
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      "--protected-mode",
      "yes",
      "--logfile",
      "",
    ],
    logFile,
  );
  await waitFor(
    "redis",
    async () => {
      if (!isAlive(pid)) {
        throw new Error(`redis-server exited while starting (port ${options.port} in use?); see ${logFile}`);
      }
      return redisAnswers(options.port);
    },
    30_000,
    logFile,
  );
  return { pid, address: `redis://127.0.0.1:${options.port}`, logFile };
}
