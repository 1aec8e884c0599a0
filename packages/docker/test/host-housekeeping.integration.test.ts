import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import type { HostHousekeeping, Signature, StageBuilder, StagesStorage } from "@stages/core";
import { localStageName, StorageError } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDockerConnection,
  createDockerStageBuilder,
  createDockerStagesStorage,
  engineKey,
} from "../src/index.js";
import { releaseHolds } from "../src/stage-holds.js";
import type { TestEngine } from "./engine.js";
import { startTestEngine } from "./engine.js";
import { MemoryGitSource } from "./memory-git-source.js";
import { randomSignature, stageRequest } from "./stage-requests.js";

// The engine side of host cleanup on a real engine: what `stages()` reports, and `remove` refusing
// a stage that came into use after the plan (a hold of this process, a container, even when the
// image has another name the engine would just untag).
let engine: TestEngine;
let builder: StageBuilder;
let storage: StagesStorage;
let host: HostHousekeeping;
const project = `hosthk-${randomBytes(3).toString("hex")}`;
const state = mkdtempSync(join(tmpdir(), "stages-state-"));
const container = `${project}-user`;
const alias = `${project}-alias:latest`;

async function buildFrom(): Promise<Signature> {
  const built = await builder.build(
    stageRequest(project, {
      stage: "from",
      instructions: { kind: "from", base: { type: "image", reference: engine.baseImage, digest: null } },
    }),
  );
  return built.signature;
}

const exists = (signature: Signature) => {
  try {
    engine.docker(["image", "inspect", localStageName(project, signature)]);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  engine = await startTestEngine();
  builder = createDockerStageBuilder({ connection: engine.connection, git: new MemoryGitSource() });
  storage = createDockerStagesStorage({ connection: engine.connection, project, stateDirectory: state });
  host = storage.host as HostHousekeeping;
});

afterAll(async () => {
  await releaseHolds(state);
  if (!engine) return;
  try {
    engine.docker(["rm", "-f", container]);
  } catch {
    // Not made, or removed by the test.
  }
  try {
    engine.docker(["rmi", alias]);
  } catch {
    // Not made.
  }
  for (const stage of await storage.list()) await storage.delete(stage.signature);
  rmSync(state, { recursive: true, force: true });
  await engine.stop();
});

describe("docker host housekeeping", () => {
  it("measures the engine's data root with statfs", async () => {
    const usage = await host.usage();
    expect(usage?.path).toBe(engine.docker(["info", "--format", "{{.DockerRootDir}}"]).trim());
    expect(usage?.totalBytes).toBeGreaterThan(0);
    expect(usage?.usedBytes).toBeGreaterThan(0);
    expect(usage?.usedBytes).toBeLessThanOrEqual(usage?.totalBytes ?? 0);
  });

  it("cannot measure an engine reached over tcp, and does not try", async () => {
    const remote = createDockerStagesStorage({
      connection: createDockerConnection({ host: "tcp://127.0.0.1:9" }),
      project,
      stateDirectory: state,
    });
    expect(await remote.host?.usage()).toBeNull();
  });

  it("a state directory it cannot use is a StorageError that says what to do", async () => {
    const file = join(state, "not-a-directory");
    writeFileSync(file, "");
    const broken = createDockerStagesStorage({ connection: engine.connection, project, stateDirectory: file }).host;
    const attempts: (() => Promise<unknown>)[] = [
      async () => broken?.touch([randomSignature()]),
      async () => broken?.stages(),
    ];
    for (const attempt of attempts) {
      const error = await attempt().catch((caught: unknown) => caught);
      expect(StorageError.isInstance(error), String(error)).toBe(true);
      expect((error as InstanceType<typeof StorageError>).hint).toContain(
        `${file}: make it writable, or set STAGES_STATE_DIR`,
      );
    }
  });

  it("a stage this process touched is journaled, held, and not removed until released", async () => {
    const signature = await buildFrom();
    const [before] = (await host.stages()).filter((stage) => stage.signature === signature);
    expect(before).toMatchObject({ signature, parent: null, containers: [], heldBy: [] });
    expect(before?.size).toBeGreaterThan(0);
    expect(Date.parse(before?.lastUsedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(before?.createdAt ?? ""));

    await new Promise((resolve) => setTimeout(resolve, 20));
    await host.touch([signature]);
    const journal = readFileSync(
      join(state, "journal", engineKey(engine.connection.endpoint), `${project}.log`),
      "utf8",
    ).trim();
    const touchedAt = journal.split(" ")[0] as string;
    expect(journal).toBe(`${touchedAt} ${signature}`);
    const [after] = (await host.stages()).filter((stage) => stage.signature === signature);
    expect(after?.lastUsedAt).toBe(touchedAt);
    expect(after?.heldBy).toEqual([`${hostname()} pid ${process.pid}`]);

    expect(await host.remove(signature)).toBe(false);
    expect(exists(signature)).toBe(true);
    await releaseHolds(state);
    expect(await host.remove(signature)).toBe(true);
    expect(exists(signature)).toBe(false);
    // Removing it again is done already.
    expect(await host.remove(signature)).toBe(true);
  });

  it("a container of the stage keeps it, even when another name would let the engine just untag it", async () => {
    const signature = await buildFrom();
    engine.docker(["tag", localStageName(project, signature), alias]);
    engine.docker(["create", "--name", container, localStageName(project, signature), "true"]);
    const [stage] = (await host.stages()).filter((candidate) => candidate.signature === signature);
    expect(stage?.containers).toEqual([container]);
    expect(await host.remove(signature)).toBe(false);
    expect(exists(signature)).toBe(true);
    engine.docker(["rm", container]);
    expect(await host.remove(signature)).toBe(true);
    expect(exists(signature)).toBe(false);
    // Only the stage name went: the image stays under the other name.
    expect(engine.docker(["image", "inspect", "--format", "{{.Id}}", alias]).trim()).toMatch(/^sha256:/);
  });
});
