import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { AuthenticationError } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLayer, createRegistryClient, pushImage, type RegistryEvent } from "../src/index.js";
import { writeCredentialHelper } from "./credential-helper.js";
import { type RegistryServer, startRegistryServer } from "./registry-server.js";

const username = "stages";
const sentinel = "SENTINEL-pw-7f3a9c21e5";
const wrongSentinel = "SENTINEL-wrong-b81d44";

let server: RegistryServer;
let directory: string;

beforeAll(async () => {
  server = await startRegistryServer({ basicAuth: { username, password: sentinel } });
  directory = mkdtempSync(join(tmpdir(), "stages-auth-test-"));
});

afterAll(async () => {
  await server?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

function dockerConfig(name: string, content: unknown): string {
  const configDirectory = join(directory, name);
  mkdirSync(configDirectory, { recursive: true });
  writeFileSync(join(configDirectory, "config.json"), JSON.stringify(content));
  return configDirectory;
}

const layer = createLayer([{ path: "hello.txt", content: "hello\n" }]);

describe("basic auth (htpasswd) and docker's credentials", () => {
  it("refuses anonymous access with an AuthenticationError telling to log in", async () => {
    const client = createRegistryClient({ env: {}, useDockerConfig: false });
    const failure = await client.headManifest(`${server.host}/auth/anonymous:x`).catch((error: unknown) => error);
    expect(AuthenticationError.isInstance(failure)).toBe(true);
    expect((failure as { hint?: string }).hint).toContain(`docker login ${server.host}`);
  });

  it("uses base64 `auth` of config.json (keys with scheme and path match too)", async () => {
    const auth = Buffer.from(`${username}:${sentinel}`).toString("base64");
    const configDirectory = dockerConfig("auths", { auths: { [`http://${server.host}/v1/`]: { auth } } });
    const client = createRegistryClient({ env: {}, dockerConfigDir: configDirectory });
    const pushed = await pushImage(client, `${server.host}/auth/auths:v1`, { layers: [layer] });
    expect((await client.headManifest(`${server.host}/auth/auths:v1`))?.digest).toBe(pushed.digest);
  });

  it("finds $DOCKER_CONFIG through the injected environment", async () => {
    const auth = Buffer.from(`${username}:${sentinel}`).toString("base64");
    const configDirectory = dockerConfig("env", { auths: { [server.host]: { auth } } });
    const client = createRegistryClient({ env: { DOCKER_CONFIG: configDirectory } });
    await pushImage(client, `${server.host}/auth/env:v1`, { layers: [layer] });
  });

  it("runs the credHelpers helper of the registry (a real executable on the injected PATH)", async () => {
    const bin = mkdtempSync(join(directory, "bin-"));
    const log = writeCredentialHelper(bin, "stagestest", server.host, username, sentinel);
    const configDirectory = dockerConfig("helpers", { credHelpers: { [server.host]: "stagestest" } });
    const client = createRegistryClient({
      env: { PATH: `${bin}:${process.env.PATH}` },
      dockerConfigDir: configDirectory,
    });
    await pushImage(client, `${server.host}/auth/helper:v1`, { layers: [layer] });
    expect(await client.listTags(`${server.host}/auth/helper`)).toEqual(["v1"]);
    // Asked once per client: the answer is kept.
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([server.host]);
  });

  it("runs the credsStore helper, and falls back to auths when the store has nothing", async () => {
    const bin = mkdtempSync(join(directory, "bin-"));
    const log = writeCredentialHelper(bin, "stagesstore", server.host, username, sentinel);
    const configDirectory = dockerConfig("store", { credsStore: "stagesstore" });
    const client = createRegistryClient({
      env: { PATH: `${bin}:${process.env.PATH}` },
      dockerConfigDir: configDirectory,
    });
    await pushImage(client, `${server.host}/auth/store:v1`, { layers: [layer] });
    expect(readFileSync(log, "utf8")).toContain(server.host);

    const otherLog = writeCredentialHelper(bin, "emptystore", "nothing.example.com", "x", "y");
    const auth = Buffer.from(`${username}:${sentinel}`).toString("base64");
    const fallbackDirectory = dockerConfig("store-fallback", {
      credsStore: "emptystore",
      auths: { [server.host]: { auth } },
    });
    const fallback = createRegistryClient({
      env: { PATH: `${bin}:${process.env.PATH}` },
      dockerConfigDir: fallbackDirectory,
    });
    await pushImage(fallback, `${server.host}/auth/store:v2`, { layers: [layer] });
    expect(readFileSync(otherLog, "utf8").trim()).toBe(server.host);
  });

  it("says clearly when a credential helper is missing", async () => {
    const configDirectory = dockerConfig("missing-helper", { credHelpers: { [server.host]: "does-not-exist" } });
    const client = createRegistryClient({ env: { PATH: "/nonexistent" }, dockerConfigDir: configDirectory });
    await expect(client.headManifest(`${server.host}/auth/x:y`)).rejects.toThrow(
      /docker-credential-does-not-exist was not found on PATH/,
    );
  });

  it("never lets a password or the header made from it appear in errors or events (sentinel)", async () => {
    const events: RegistryEvent[] = [];
    const failures: unknown[] = [];
    const wrong = createRegistryClient({
      env: {},
      useDockerConfig: false,
      credentials: { [server.host]: { username, password: wrongSentinel } },
      onEvent: (event) => events.push(event),
      retry: { retries: 1, baseDelayMs: 1 },
    });
    failures.push(await wrong.headManifest(`${server.host}/auth/sentinel:x`).catch((error: unknown) => error));
    failures.push(
      await pushImage(wrong, `${server.host}/auth/sentinel:x`, { layers: [layer] }).catch((error: unknown) => error),
    );

    const right = createRegistryClient({
      env: {},
      useDockerConfig: false,
      credentials: { [server.host]: { username, password: sentinel } },
      onEvent: (event) => events.push(event),
    });
    await pushImage(right, `${server.host}/auth/sentinel:ok`, { layers: [layer] });
    failures.push(
      await right.readBlob(`${server.host}/auth/sentinel`, `sha256:${"0".repeat(64)}`).catch((error: unknown) => error),
    );
    failures.push(
      await right
        .putManifest(`${server.host}/auth/sentinel:bad`, {
          schemaVersion: 2,
          config: { mediaType: "x", digest: `sha256:${"1".repeat(64)}` as never, size: 1 },
          layers: [],
        })
        .catch((error: unknown) => error),
    );
    failures.push(
      await right
        .copy(`${server.host}/auth/sentinel:absent`, `${server.host}/auth/other:absent`)
        .catch((error: unknown) => error),
    );

    expect(failures.every((failure) => failure instanceof Error)).toBe(true);
    const everything = [
      JSON.stringify(events),
      ...failures.map(
        (failure) =>
          `${inspect(failure, { depth: 10, showHidden: true })}\n${JSON.stringify(failure)}\n${String((failure as Error).stack)}`,
      ),
    ].join("\n");
    for (const secret of [sentinel, wrongSentinel]) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(Buffer.from(`${username}:${secret}`).toString("base64"));
    }
    expect(everything).toContain("401");
  });
});
