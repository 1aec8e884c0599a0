import { randomBytes } from "node:crypto";
import type { StageBuilder, StageDescriptor, StagesStorage } from "@stages/core";
import { remoteStageReference, StagesError } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EchoRegistry, startEchoRegistry } from "../../../tooling/testenv/src/echo-registry.js";
import { createDockerImageTransfer, createDockerStageBuilder, createDockerStagesStorage } from "../src/index.js";
import type { TestEngine } from "./engine.js";
import { startTestEngine } from "./engine.js";
import { MemoryGitSource } from "./memory-git-source.js";
import { randomSignature, stageRequest } from "./stage-requests.js";

// Defect 3 of issue 10: a registry that echoes the request headers in its error body made the
// engine path print `Basic c3RhZ2Vz...` (the credentials) in error messages.

let engine: TestEngine;
let builder: StageBuilder;
let storage: StagesStorage;
let stage: StageDescriptor;
const project = `redact-${randomBytes(3).toString("hex")}`;
const registries: EchoRegistry[] = [];

beforeAll(async () => {
  engine = await startTestEngine();
  builder = createDockerStageBuilder({ connection: engine.connection, git: new MemoryGitSource() });
  storage = createDockerStagesStorage({ connection: engine.connection, project });
  stage = await builder.build(
    stageRequest(project, {
      stage: "from",
      instructions: { kind: "from", base: { type: "image", reference: engine.baseImage, digest: null } },
    }),
  );
});

afterAll(async () => {
  for (const registry of registries) await registry.close();
  if (engine) {
    for (const each of await storage.list()) await storage.delete(each.signature);
    await engine.stop();
  }
});

/** Every form a secret of these credentials could be printed in. */
function secretForms(username: string, password: string): string[] {
  const basic = Buffer.from(`${username}:${password}`).toString("base64");
  return [password, basic, basic.replace(/=+$/, ""), encodeURIComponent(password)];
}

function expectNoSecret(error: unknown, forms: string[]): void {
  expect(StagesError.isInstance(error), String(error)).toBe(true);
  const { message, hint } = error as StagesError;
  const printed = `${message}\n${hint ?? ""}`;
  for (const form of forms) expect(printed).not.toContain(form);
  expect(printed).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
}

// Passwords of several lengths: the auth JSON and `user:password` then fall on every base64 padding.
const cases = [
  { status: 401, username: "stages", password: "stages-test-password" },
  { status: 403, username: "ci-bot", password: "p@ss:w0rd/with+odd=chars" },
  { status: 401, username: "u", password: "hunter2x" },
];

describe("engine transfers never print the credentials a registry echoes", () => {
  for (const { status, username, password } of cases) {
    it(`push and pull, answered ${status} with the request headers (password of ${password.length})`, async () => {
      const registry = await startEchoRegistry({ status });
      registries.push(registry);
      const transfer = createDockerImageTransfer({
        connection: engine.connection,
        registryAuth: async () => ({ username, password }),
        policy: { attempts: 1 },
      });
      const forms = secretForms(username, password);
      const reference = remoteStageReference(`${registry.host}/${project}`, stage.signature);

      const pushed = await transfer
        .push({ project, signature: stage.signature, reference })
        .catch((error: unknown) => error);
      // The registry did get (and echo) the credentials: the test shows something.
      expect(registry.requests.some((request) => request.headers.authorization?.startsWith("Basic "))).toBe(true);
      expect(String((pushed as Error).message)).toMatch(/Basic \*\*\*|authorization/i);
      expectNoSecret(pushed, forms);

      const pulled = await transfer
        .pull({ project, signature: randomSignature(), reference })
        .catch((error: unknown) => error);
      expectNoSecret(pulled, forms);
    });
  }
});
