// Push and pull through the engine with credentials (defect 1 of issue 10): the engine decodes
// X-Registry-Auth as padded base64url, so every length of the auth JSON must get through, for
// htpasswd users, a token server (password and identity token) and the test environment's registry.
import { randomBytes } from "node:crypto";
import type { RegistryCredentials, StageDescriptor, StagesStorage } from "@stages/core";
import { EngineError } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RegistryServer, startRegistryServer } from "../../registry/test/registry-server.js";
import { startTokenServer, type TokenServer } from "../../registry/test/token-server.js";
import { createDockerImageTransfer, createDockerStageBuilder, createDockerStagesStorage } from "../src/index.js";
import { registryAuthConfig } from "../src/registry-auth.js";
import type { TestEngine } from "./engine.js";
import { startTestEngine } from "./engine.js";
import { MemoryGitSource } from "./memory-git-source.js";
import { stageRequest } from "./stage-requests.js";

const htpasswdPort = 5801;
const tokenPort = 5802;
const htpasswdHost = `127.0.0.1:${htpasswdPort}`;

/** One user per remainder of the auth JSON's length divided by 3 (the padding the encoding needs). */
const users = [0, 1, 2].map((remainder) => {
  const username = `user${remainder}`;
  for (let extra = 0; ; extra++) {
    const password = `pw-${"x".repeat(extra)}`;
    const length = JSON.stringify(registryAuthConfig(htpasswdHost, { username, password })).length;
    if (length % 3 === remainder) return { username, password, remainder };
  }
});

const tokenUser = { username: "token-user", password: "token-password-1" };
const identityToken = `identity-${randomBytes(6).toString("hex")}`;

let engine: TestEngine;
let htpasswdRegistry: RegistryServer;
let tokenServer: TokenServer;
let tokenRegistry: RegistryServer;
let storage: StagesStorage;
let stage: StageDescriptor;
const project = `auth-${randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  engine = await startTestEngine();
  htpasswdRegistry = await startRegistryServer({ port: htpasswdPort, users });
  tokenServer = await startTokenServer({ ...tokenUser, refreshToken: identityToken });
  tokenRegistry = await startRegistryServer({
    port: tokenPort,
    tokenAuth: {
      realm: tokenServer.realm,
      service: tokenServer.service,
      issuer: tokenServer.issuer,
      certificatePath: tokenServer.certificatePath,
    },
  });
  storage = createDockerStagesStorage({ connection: engine.connection, project });
  const builder = createDockerStageBuilder({ connection: engine.connection, git: new MemoryGitSource() });
  stage = await builder.build(
    stageRequest(project, {
      stage: "from",
      instructions: { kind: "from", base: { type: "image", reference: engine.baseImage, digest: null } },
    }),
  );
}, 120_000);

afterAll(async () => {
  if (storage) for (const each of await storage.list()) await storage.delete(each.signature);
  await engine?.stop();
  await htpasswdRegistry?.stop();
  await tokenRegistry?.stop();
  await tokenServer?.stop();
});

/** Pushes the stage with `credentials`, drops it locally, pulls it back; returns the pushed digest. */
async function pushAndPull(reference: string, credentials: RegistryCredentials | null): Promise<string> {
  const transfer = createDockerImageTransfer({
    connection: engine.connection,
    registryAuth: async () => credentials,
  });
  const request = { project, signature: stage.signature, reference };
  const { digest } = await transfer.push(request);
  expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  await storage.delete(stage.signature);
  expect(await storage.has(stage.signature)).toBe(false);
  const pulled = await transfer.pull(request);
  expect(pulled.signature).toBe(stage.signature);
  expect(await storage.has(stage.signature)).toBe(true);
  return digest;
}

describe("push and pull through the engine with credentials", () => {
  it("covers every length of the auth JSON modulo 3", () => {
    expect(users.map((user) => user.remainder)).toEqual([0, 1, 2]);
  });

  for (const user of users) {
    it(`htpasswd user whose auth JSON length is ${user.remainder} modulo 3`, async () => {
      const credentials = { username: user.username, password: user.password };
      await pushAndPull(`${htpasswdHost}/auth/${user.username}:${stage.signature.slice(0, 12)}`, credentials);
    });
  }

  it("a wrong password fails with the registry's refusal and without the password", async () => {
    const transfer = createDockerImageTransfer({
      connection: engine.connection,
      registryAuth: async () => ({ username: "user0", password: "not-the-password" }),
    });
    const failure = await transfer
      .push({ project, signature: stage.signature, reference: `${htpasswdHost}/auth/wrong:1` })
      .catch((error: unknown) => error);
    expect(EngineError.isInstance(failure)).toBe(true);
    const message = (failure as Error).message;
    expect(message).toMatch(/^\[docker\] push of 127\.0\.0\.1:5801\/auth\/wrong:1 failed: /);
    expect(message).toMatch(/unauthorized|authentication required|no basic auth credentials/i);
    expect(message).not.toContain("not-the-password");
  });

  it("anonymous access to the htpasswd registry is refused", async () => {
    const transfer = createDockerImageTransfer({ connection: engine.connection });
    await expect(
      transfer.push({ project, signature: stage.signature, reference: `${htpasswdHost}/auth/anonymous:1` }),
    ).rejects.toThrow(/no basic auth credentials|unauthorized|authentication required/i);
  });

  it("a token server: user and password", async () => {
    await pushAndPull(`${tokenRegistry.host}/auth/token-basic:1`, tokenUser);
    expect(tokenServer.requests.some((each) => each.via === "basic" && each.granted)).toBe(true);
  });

  it("a token server: identity token", async () => {
    await pushAndPull(`${tokenRegistry.host}/auth/token-identity:1`, { identitytoken: identityToken });
    expect(tokenServer.requests.some((each) => each.via === "refresh_token" && each.granted)).toBe(true);
  });

  it("the test environment's htpasswd registry with its own user", async () => {
    const host = process.env.STAGES_TEST_REGISTRY_AUTH;
    const username = process.env.STAGES_TEST_REGISTRY_USER;
    const password = process.env.STAGES_TEST_REGISTRY_PASSWORD;
    if (!host || !username || !password) {
      throw new Error(
        "STAGES_TEST_REGISTRY_AUTH, STAGES_TEST_REGISTRY_USER and STAGES_TEST_REGISTRY_PASSWORD must be set (node tooling/testenv/dist/cli.js env)",
      );
    }
    await pushAndPull(`${host}/${project}/env-user:1`, { username, password });
  });
});
