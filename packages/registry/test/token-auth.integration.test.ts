import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { AuthenticationError } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLayer, createRegistryClient, pushImage, type RegistryEvent } from "../src/index.js";
import { type RegistryServer, startRegistryServer } from "./registry-server.js";
import { startTokenServer, type TokenServer } from "./token-server.js";

const username = "robot";
const password = "SENTINEL-token-pw-41c9e2";
const refreshToken = "SENTINEL-refresh-9d0b77";

let tokens: TokenServer;
let server: RegistryServer;
let directory: string;

beforeAll(async () => {
  tokens = await startTokenServer({ username, password, refreshToken });
  server = await startRegistryServer({
    tokenAuth: {
      realm: tokens.realm,
      service: tokens.service,
      issuer: tokens.issuer,
      certificatePath: tokens.certificatePath,
    },
  });
  directory = mkdtempSync(join(tmpdir(), "stages-token-auth-"));
});

afterAll(async () => {
  await server?.stop();
  await tokens?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

const layers = [
  createLayer([{ path: "one.txt", content: "one\n" }]),
  createLayer([{ path: "two.txt", content: "two\n" }]),
];

describe("bearer token auth against a real token server", () => {
  it("gets tokens for the scopes of each request and caches them per scope", async () => {
    const events: RegistryEvent[] = [];
    const client = createRegistryClient({
      env: {},
      useDockerConfig: false,
      credentials: { [server.host]: { username, password } },
      onEvent: (event) => events.push(event),
    });
    const before = tokens.requests.length;
    const pushed = await pushImage(client, `${server.host}/tok/a:v1`, { layers });
    const pushTokens = tokens.requests.slice(before);
    expect(
      pushTokens.every((request) => request.granted && request.via === "basic" && request.service === tokens.service),
    ).toBe(true);
    // Blob HEADs need pull, uploads and the manifest pull+push: one token each, however many requests.
    expect(pushTokens.map((request) => request.scopes.join(" ")).sort()).toEqual([
      "repository:tok/a:pull",
      "repository:tok/a:pull,push",
    ]);

    const afterPush = tokens.requests.length;
    for (let index = 0; index < 3; index++)
      expect((await client.headManifest(`${server.host}/tok/a:v1`))?.digest).toBe(pushed.digest);
    expect(await client.readBlob(`${server.host}/tok/a`, layers[0]?.digest ?? "")).toHaveLength(layers[0]?.size ?? 0);
    // The cached pull token serves all of those reads.
    expect(tokens.requests.slice(afterPush)).toEqual([]);
    expect(events.some((event) => event.type === "token")).toBe(true);
  });

  it("asks for push on the target and pull on the source when mounting across repositories", async () => {
    const client = createRegistryClient({
      env: {},
      useDockerConfig: false,
      credentials: { [server.host]: { username, password } },
    });
    await pushImage(client, `${server.host}/tok/source:v1`, { layers });
    const before = tokens.requests.length;
    expect(await client.mountBlob(`${server.host}/tok/target`, layers[1]?.digest ?? "", "tok/source")).toBe(true);
    expect(tokens.requests.slice(before).map((request) => request.scopes)).toEqual([
      ["repository:tok/source:pull", "repository:tok/target:pull,push"],
    ]);

    const copied = await client.copy(`${server.host}/tok/source:v1`, `${server.host}/tok/copy:v1`);
    expect(copied.transferredBlobs).toBe(0);
    expect(copied.mountedBlobs).toBe(3);
    expect(await client.deleteManifest(`${server.host}/tok/copy@${copied.digest}`)).toBe(true);
  });

  it("exchanges an identity token from config.json (OAuth2 refresh_token grant)", async () => {
    const configDirectory = join(directory, "identity");
    mkdirSync(configDirectory, { recursive: true });
    writeFileSync(
      join(configDirectory, "config.json"),
      JSON.stringify({ auths: { [server.host]: { auth: "", identitytoken: refreshToken } } }),
    );
    const client = createRegistryClient({ env: {}, dockerConfigDir: configDirectory });
    const before = tokens.requests.length;
    await pushImage(client, `${server.host}/tok/identity:v1`, { layers });
    const used = tokens.requests.slice(before);
    expect(used.length).toBeGreaterThan(0);
    expect(
      used.every((request) => request.method === "POST" && request.via === "refresh_token" && request.granted),
    ).toBe(true);
  });

  it("reports refused credentials clearly and never shows a password or token", async () => {
    const events: RegistryEvent[] = [];
    const wrong = createRegistryClient({
      env: {},
      useDockerConfig: false,
      credentials: { [server.host]: { username, password: `${password}-wrong` } },
      onEvent: (event) => events.push(event),
    });
    const refused = await wrong.headManifest(`${server.host}/tok/a:v1`).catch((error: unknown) => error);
    expect(AuthenticationError.isInstance(refused)).toBe(true);
    expect((refused as Error).message).toMatch(/token server of 127\.0\.0\.1:\d+ refused the credentials \(401\)/);

    const anonymous = createRegistryClient({ env: {}, useDockerConfig: false, onEvent: (event) => events.push(event) });
    const denied = await anonymous.headManifest(`${server.host}/tok/a:v1`).catch((error: unknown) => error);
    expect(AuthenticationError.isInstance(denied)).toBe(true);

    const right = createRegistryClient({
      env: {},
      useDockerConfig: false,
      credentials: { [server.host]: { username, password } },
      onEvent: (event) => events.push(event),
    });
    const missing = await right
      .readBlob(`${server.host}/tok/a`, `sha256:${"2".repeat(64)}`)
      .catch((error: unknown) => error);
    expect((missing as Error).message).toMatch(/404/);

    const everything = [
      JSON.stringify(events),
      ...[refused, denied, missing].map(
        (error) => `${inspect(error, { depth: 10, showHidden: true })}\n${String((error as Error).stack)}`,
      ),
    ].join("\n");
    for (const secret of [password, refreshToken, ...tokens.issued]) expect(everything).not.toContain(secret);
  });
});
