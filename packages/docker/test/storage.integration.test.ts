import { randomBytes } from "node:crypto";
import type { Signature, StageBuilder, StagesStorage } from "@stages/core";
import { localStageName, stageLabels } from "@stages/core";
import { testStagesStorage } from "@stages/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerStageBuilder, createDockerStagesStorage, removeImage, tagImage } from "../src/index.js";
import type { TestEngine } from "./engine.js";
import { startTestEngine } from "./engine.js";
import { MemoryGitSource } from "./memory-git-source.js";
import { randomSignature, stageRequest } from "./stage-requests.js";

let engine: TestEngine;
let builder: StageBuilder;
let storage: StagesStorage;
let otherStorage: StagesStorage;
const project = `storage-${randomBytes(3).toString("hex")}`;
const otherProject = `${project}-other`;

beforeAll(async () => {
  engine = await startTestEngine();
  builder = createDockerStageBuilder({ connection: engine.connection, git: new MemoryGitSource() });
  storage = createDockerStagesStorage({ connection: engine.connection, project });
  otherStorage = createDockerStagesStorage({ connection: engine.connection, project: otherProject });
});

afterAll(async () => {
  if (!engine) return;
  for (const each of [storage, otherStorage]) for (const stage of await each.list()) await each.delete(stage.signature);
  await engine.stop();
});

async function buildFrom(inProject: string, signature: Signature = randomSignature()) {
  return builder.build(
    stageRequest(inProject, {
      stage: "from",
      signature,
      instructions: { kind: "from", base: { type: "image", reference: engine.baseImage, digest: null } },
    }),
  );
}

describe("docker stages storage", () => {
  it("describes itself as local storage of the engine", () => {
    expect(storage.kind).toBe("local");
    expect(storage.specificationVersion).toBe("v1");
    expect(storage.description).toContain(engine.connection.endpoint);
    expect(storage.description).toContain(`stages-storage/${project}`);
  });

  it("gets nothing for an absent stage", async () => {
    const signature = randomSignature();
    expect(await storage.get(signature)).toBeNull();
    expect(await storage.has(signature)).toBe(false);
  });

  it("gets a stored stage with id, labels, time and size", async () => {
    const built = await buildFrom(project);
    const stage = await storage.get(built.signature);
    expect(stage).not.toBeNull();
    expect(stage?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(stage?.id).toBe(built.id);
    expect(stage?.project).toBe(project);
    expect(stage?.image).toBe("app");
    expect(stage?.stage).toBe("from");
    expect(stage?.labels[stageLabels.signature]).toBe(built.signature);
    expect(Date.parse(stage?.createdAt ?? "")).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(stage?.size).toBeGreaterThan(0);
    expect(await storage.has(built.signature)).toBe(true);
  });

  it("ignores an image under a stage name whose labels do not describe that stage", async () => {
    const signature = randomSignature();
    await tagImage(engine.connection, engine.baseImage, localStageName(project, signature));
    try {
      expect(await storage.get(signature)).toBeNull();
      expect(await storage.has(signature)).toBe(false);
      expect((await storage.list()).map((stage) => stage.signature)).not.toContain(signature);
    } finally {
      await removeImage(engine.connection, localStageName(project, signature));
    }
  });

  it("lists the project's stages only, each once, by label and stage name", async () => {
    const first = await buildFrom(project);
    const second = await buildFrom(project);
    const foreign = await buildFrom(otherProject);
    // Another name for a stage (a final image, a push alias) does not make it a second stage.
    await tagImage(engine.connection, localStageName(project, first.signature), `${project}/final:1`);
    try {
      const listed = await storage.list();
      const signatures = listed.map((stage) => stage.signature);
      expect(signatures).toContain(first.signature);
      expect(signatures).toContain(second.signature);
      expect(signatures).not.toContain(foreign.signature);
      expect(new Set(signatures).size).toBe(signatures.length);
      for (const stage of listed) expect(stage.project).toBe(project);
      const listedFirst = listed.find((stage) => stage.signature === first.signature);
      expect(listedFirst?.id).toBe(first.id);
      expect(listedFirst?.size).toBeGreaterThan(0);
      expect((await otherStorage.list()).map((stage) => stage.signature)).toEqual([foreign.signature]);
    } finally {
      await removeImage(engine.connection, `${project}/final:1`);
    }
  });

  it("deletes a stage; deleting an absent one is fine; a child stage survives its parent's deletion", async () => {
    const parent = await buildFrom(project);
    const child = await builder.build(
      stageRequest(project, {
        stage: "install",
        base: parent.signature,
        instructions: { kind: "shell", gitUpdates: [], commands: ["echo child > /child"] },
      }),
    );
    await storage.delete(parent.signature);
    expect(await storage.has(parent.signature)).toBe(false);
    await storage.delete(parent.signature);
    await storage.delete(randomSignature());
    expect(await storage.has(child.signature)).toBe(true);
    expect(
      engine.docker(["run", "--rm", "--network", "none", localStageName(project, child.signature), "cat", "/child"]),
    ).toBe("child\n");
    await storage.delete(child.signature);
    expect(await storage.get(child.signature)).toBeNull();
  });
});

/** Stores a stage carrying exactly `labels`, as a build would: a from stage committed with them. */
async function seed(inProject: string, signature: Signature, labels: Record<string, string>): Promise<void> {
  const request = stageRequest(inProject, {
    stage: "from",
    signature,
    instructions: { kind: "from", base: { type: "image", reference: engine.baseImage, digest: null } },
  });
  await builder.build({ ...request, labels });
}

testStagesStorage("docker (local)", async () => {
  const conformance = `${project}-conformance`;
  const other = `${conformance}-other`;
  const fixtureStorage = createDockerStagesStorage({ connection: engine.connection, project: conformance });
  const otherFixtureStorage = createDockerStagesStorage({ connection: engine.connection, project: other });
  return {
    storage: fixtureStorage,
    project: conformance,
    seed: (signature, labels) => seed(conformance, signature, labels),
    otherProject: {
      storage: otherFixtureStorage,
      project: other,
      seed: (signature, labels) => seed(other, signature, labels),
    },
    async cleanup() {
      for (const each of [fixtureStorage, otherFixtureStorage]) {
        for (const stage of await each.list()) await each.delete(stage.signature);
      }
    },
  };
});
