// DOCKER_HOST pointing at something that is not a Docker Engine (defect 9c of issue 10): a registry's
// port, a web server, a server that does not speak HTTP. Each says so and what to do.
import { createServer as createHttpServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { EngineError, type StagesError, StorageError } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RegistryServer, startRegistryServer } from "../../registry/test/registry-server.js";
import { createDockerConnection, createDockerStagesStorage, dockerOptionsFromEnv, inspectImage } from "../src/index.js";

const registryPort = 5804;
const webPort = 5805;
const bannerPort = 5806;

let registry: RegistryServer;
let web: Server;
let banner: TcpServer;
const sockets = new Set<Socket>();

beforeAll(async () => {
  registry = await startRegistryServer({ port: registryPort });
  web = createHttpServer((_request, response) => {
    response.setHeader("content-type", "text/html");
    response.end("<html><body>welcome</body></html>");
  });
  banner = createTcpServer((socket) => socket.end("SSH-2.0-OpenSSH_9.2\r\n"));
  for (const server of [web, banner]) {
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
  }
  await Promise.all([
    new Promise<void>((resolve) => web.listen(webPort, "127.0.0.1", resolve)),
    new Promise<void>((resolve) => banner.listen(bannerPort, "127.0.0.1", resolve)),
  ]);
});

afterAll(async () => {
  await registry?.stop();
  for (const socket of sockets) socket.destroy();
  await Promise.all([
    new Promise((resolve) => (web ? web.close(resolve) : resolve(undefined))),
    new Promise((resolve) => (banner ? banner.close(resolve) : resolve(undefined))),
  ]);
});

/** The StagesError `promise` fails with; the storage reports engine failures as StorageErrors. */
async function failureOf(promise: Promise<unknown>, kind: { isInstance(error: unknown): boolean } = EngineError) {
  const failure = await promise.then(
    () => new Error("expected a failure"),
    (error: unknown) => error,
  );
  expect(kind.isInstance(failure)).toBe(true);
  return failure as StagesError;
}

describe("an address that answers but is not a Docker Engine", () => {
  it("a registry's port in DOCKER_HOST: ping says it is not an engine and what to do", async () => {
    const connection = createDockerConnection(dockerOptionsFromEnv({ DOCKER_HOST: `tcp://127.0.0.1:${registryPort}` }));
    const failure = await failureOf(connection.ping());
    expect(failure.message).toBe(
      `[docker] tcp://127.0.0.1:${registryPort} answers but is not a Docker Engine (HTTP 404: 404 page not found): point DOCKER_HOST at a Docker Engine`,
    );
    expect(failure.hint).toMatch(/DOCKER_HOST/);
    expect(failure.hint).toMatch(/docker context/);
  });

  it("a registry's port: reading images and stages says the same, not 404 page not found", async () => {
    const connection = createDockerConnection({ host: `tcp://127.0.0.1:${registryPort}` });
    const inspected = await failureOf(inspectImage(connection, "alpine:3.20"));
    expect(inspected.message).toContain("answers but is not a Docker Engine");
    const storage = createDockerStagesStorage({ connection, project: "p" });
    const listed = await failureOf(storage.list(), StorageError);
    expect(listed.message).toContain(`tcp://127.0.0.1:${registryPort} answers but is not a Docker Engine`);
    expect(listed.message).not.toMatch(/^404 page not found/);
  });

  it("a web server that answers every path", async () => {
    const connection = createDockerConnection({ host: `tcp://127.0.0.1:${webPort}` });
    const failure = await failureOf(connection.ping());
    expect(failure.message).toMatch(
      new RegExp(
        `^\\[docker\\] tcp://127\\.0\\.0\\.1:${webPort} answers but is not a Docker Engine \\(GET /_ping answered`,
      ),
    );
    await expect(connection.version()).rejects.toThrow("answers but is not a Docker Engine");
  });

  it("a server that does not speak HTTP", async () => {
    const connection = createDockerConnection({ host: `tcp://127.0.0.1:${bannerPort}` });
    const failure = await failureOf(connection.ping());
    expect(failure.message).toMatch(/answers but is not a Docker Engine \(it does not speak HTTP \(HPE_/);
  });
});
