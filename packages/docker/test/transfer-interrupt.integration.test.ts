import { randomBytes } from "node:crypto";
import type { ImageTransfer, StageBuilder, StageDescriptor, StagesStorage } from "@stages/core";
import { AbortedError, localStageName, remoteStageReference, stageLabels } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerImageTransfer, createDockerStageBuilder, createDockerStagesStorage } from "../src/index.js";
import type { TestEngine, TestRegistry } from "./engine.js";
import { startTestEngine, startTestRegistry } from "./engine.js";
import { MemoryGitSource } from "./memory-git-source.js";
import { stageRequest } from "./stage-requests.js";

// Defect 2 of issue 10: an interrupted push or pull left `REPO:image-stage-<sig>` tags and
// `REPO@<digest>` references in the engine, and the next run did not remove them.

let engine: TestEngine;
let registry: TestRegistry;
let builder: StageBuilder;
let storage: StagesStorage;
const project = `interrupt-${randomBytes(3).toString("hex")}`;
let repository: string;
let stage: StageDescriptor;

const newTransfer = (): ImageTransfer => createDockerImageTransfer({ connection: engine.connection });

beforeAll(async () => {
  [engine, registry] = await Promise.all([startTestEngine(), startTestRegistry()]);
  repository = `${registry.address}/${project}`;
  builder = createDockerStageBuilder({ connection: engine.connection, git: new MemoryGitSource() });
  storage = createDockerStagesStorage({ connection: engine.connection, project });
  const from = await builder.build(
    stageRequest(project, {
      stage: "from",
      instructions: { kind: "from", base: { type: "image", reference: engine.baseImage, digest: null } },
    }),
  );
  stage = await builder.build(
    stageRequest(project, {
      stage: "install",
      base: from.signature,
      instructions: { kind: "shell", gitUpdates: [], commands: ["head -c 12000000 /dev/urandom > /blob"] },
    }),
  );
});

afterAll(async () => {
  if (engine) {
    for (const each of await storage.list()) await storage.delete(each.signature);
    await engine.stop();
  }
  await registry?.stop();
});

/** Every name in the engine of an image of this project, stage names aside. */
function foreignNames(): string[] {
  const ids = engine
    .docker(["images", "-q", "--no-trunc", "--filter", `label=${stageLabels.project}=${project}`])
    .split("\n")
    .filter((line) => line !== "");
  const names: string[] = [];
  for (const id of new Set(ids)) {
    const [tags, digests] = JSON.parse(
      engine.docker(["image", "inspect", "--format", "[{{json .RepoTags}},{{json .RepoDigests}}]", id]),
    ) as [string[] | null, string[] | null];
    for (const name of [...(tags ?? []), ...(digests ?? [])]) {
      if (!name.startsWith(`stages-storage/${project}:`)) names.push(name);
    }
  }
  return names.sort();
}

/** When to abort a transfer: before it starts, at a delay, or at an event of its progress. */
type AbortPoint = { name: string; delayMs?: number; onStatus?: RegExp };

const points: AbortPoint[] = [
  { name: "before it starts", delayMs: -1 },
  { name: "at once (during the sweep or the tag)", delayMs: 0 },
  ...[3, 10, 25, 50, 100, 200, 400].map((delayMs) => ({ name: `after ${delayMs} ms`, delayMs })),
  { name: "at the first layer message", onStatus: /./ },
  { name: "during a layer upload or download", onStatus: /^(Pushing|Downloading)$/ },
  { name: "when a layer is done", onStatus: /^(Pushed|Layer already exists|Pull complete|Already exists)$/ },
];

async function interrupted(
  run: (signal: AbortSignal, onStatus: (status: string) => void) => Promise<unknown>,
  point: AbortPoint,
): Promise<unknown> {
  const controller = new AbortController();
  if (point.delayMs === -1) controller.abort();
  else if (point.delayMs !== undefined) setTimeout(() => controller.abort(), point.delayMs);
  const onStatus = (status: string) => {
    if (point.onStatus?.test(status)) controller.abort();
  };
  return run(controller.signal, onStatus).then(
    () => "completed",
    (error: unknown) => error,
  );
}

describe("an interrupted transfer leaves no alias in the engine", () => {
  it("push, aborted at many points", async () => {
    const outcomes: string[] = [];
    for (const [index, point] of points.entries()) {
      const reference = remoteStageReference(`${repository}/push-${index}`, stage.signature);
      const outcome = await interrupted(
        (signal, onStatus) =>
          newTransfer().push({
            project,
            signature: stage.signature,
            reference,
            signal,
            onProgress: (progress) => onStatus(progress.status),
          }),
        point,
      );
      outcomes.push(`${point.name}: ${outcome === "completed" ? "completed" : (outcome as Error).name}`);
      if (outcome !== "completed") expect(AbortedError.isInstance(outcome), String(outcome)).toBe(true);
      expect({ point: point.name, names: foreignNames() }).toEqual({ point: point.name, names: [] });
      expect(await storage.has(stage.signature)).toBe(true);
    }
    // Most points must have caught the push in flight, or the test proves nothing.
    expect(outcomes.filter((line) => line.endsWith("AbortedError")).length, outcomes.join("\n")).toBeGreaterThan(6);
  });

  it("pull, aborted at many points", async () => {
    const reference = remoteStageReference(repository, stage.signature);
    await newTransfer().push({ project, signature: stage.signature, reference });
    const kept = await storage.get(stage.signature);
    const outcomes: string[] = [];
    for (const point of points) {
      // Untag the stage only (its parent stays): the pull then downloads the top layer.
      await storage.delete(stage.signature);
      const outcome = await interrupted(
        (signal, onStatus) =>
          newTransfer().pull({
            project,
            signature: stage.signature,
            reference,
            signal,
            onProgress: (progress) => onStatus(progress.status),
          }),
        point,
      );
      outcomes.push(`${point.name}: ${outcome === "completed" ? "completed" : (outcome as Error).name}`);
      if (outcome !== "completed") expect(AbortedError.isInstance(outcome), String(outcome)).toBe(true);
      expect({ point: point.name, names: foreignNames() }).toEqual({ point: point.name, names: [] });
      // Either the stage is there, whole, or it is not.
      const stored = await storage.get(stage.signature);
      if (stored !== null) expect(stored.id).toBe(kept?.id);
      if (outcome === "completed") expect(stored).not.toBeNull();
    }
    expect(outcomes.filter((line) => line.endsWith("AbortedError")).length, outcomes.join("\n")).toBeGreaterThan(4);
    if (!(await storage.has(stage.signature)))
      await newTransfer().pull({ project, signature: stage.signature, reference });
  });

  it("the next transfer removes the aliases a killed run left, and no name a user gave", async () => {
    const local = localStageName(project, stage.signature);
    // What a run killed in the middle of a push leaves: the alias and the engine's digest reference.
    const stale = remoteStageReference(`${repository}/stale`, stage.signature);
    engine.docker(["tag", local, stale]);
    engine.docker(["push", stale]);
    const staleDigest = foreignNames().find((name) => name.startsWith(`${repository}/stale@`));
    expect(staleDigest).toBeDefined();
    // Names a user gave the same image.
    const userTag = `${repository}/mine:v1`;
    const userRepository = `stages-user-${project}/app:latest`;
    engine.docker(["tag", local, userTag]);
    engine.docker(["tag", local, userRepository]);
    engine.docker(["push", userTag]);
    const userDigest = foreignNames().find((name) => name.startsWith(`${repository}/mine@`));
    expect(userDigest).toBeDefined();

    // Any transfer of the project (here a pull of another stage's tag) sweeps first.
    await newTransfer().pull({
      project,
      signature: stage.signature,
      reference: remoteStageReference(repository, stage.signature),
    });
    expect(foreignNames()).toEqual([userDigest, userTag, userRepository].sort());
    engine.docker(["rmi", userTag, userRepository]);
    expect(foreignNames()).toEqual([]);
  });
});
