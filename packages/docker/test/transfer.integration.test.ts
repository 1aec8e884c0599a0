import { randomBytes } from "node:crypto";
import type {
  BuilderEvent,
  ImageTransfer,
  StageBuilder,
  StageDescriptor,
  StagesStorage,
  TransferProgress,
} from "@stages/core";
import {
  AbortedError,
  EngineError,
  localStageName,
  remoteStageReference,
  StageMissingError,
  StorageError,
} from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDockerImageTransfer,
  createDockerStageBuilder,
  createDockerStagesStorage,
  inspectImage,
  removeImage,
} from "../src/index.js";
import type { TestEngine, TestRegistry } from "./engine.js";
import { startTestEngine, startTestRegistry } from "./engine.js";
import { MemoryGitSource } from "./memory-git-source.js";
import { randomSignature, stageRequest } from "./stage-requests.js";

let engine: TestEngine;
let registry: TestRegistry;
let builder: StageBuilder;
let storage: StagesStorage;
let transfer: ImageTransfer;
const askedHosts: string[] = [];
const project = `transfer-${randomBytes(3).toString("hex")}`;
let repository: string;
let from: StageDescriptor;
let stage: StageDescriptor;

beforeAll(async () => {
  [engine, registry] = await Promise.all([startTestEngine(), startTestRegistry()]);
  repository = `${registry.address}/${project}`;
  const registryAuth = async (host: string) => {
    askedHosts.push(host);
    return null;
  };
  builder = createDockerStageBuilder({ connection: engine.connection, git: new MemoryGitSource(), registryAuth });
  storage = createDockerStagesStorage({ connection: engine.connection, project });
  transfer = createDockerImageTransfer({ connection: engine.connection, registryAuth });
  from = await builder.build(
    stageRequest(project, {
      stage: "from",
      instructions: { kind: "from", base: { type: "image", reference: engine.baseImage, digest: null } },
    }),
  );
  stage = await builder.build(
    stageRequest(project, {
      stage: "install",
      base: from.signature,
      instructions: {
        kind: "shell",
        gitUpdates: [],
        commands: ["mkdir /data && head -c 3000000 /dev/urandom > /data/blob && echo pushed > /data/note"],
      },
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

async function registryDigest(reference: string): Promise<string | null> {
  const [, path, tag] = /^[^/]+\/(.+):([^:]+)$/.exec(reference) ?? [];
  const response = await fetch(`http://${registry.address}/v2/${path}/manifests/${tag}`, {
    method: "HEAD",
    headers: { accept: "application/vnd.docker.distribution.manifest.v2+json" },
  });
  return response.ok ? response.headers.get("docker-content-digest") : null;
}

describe("docker image transfer", () => {
  let pushedDigest: string;

  it("pushes a stage with per-layer progress, returns the manifest digest and removes the alias", async () => {
    const reference = remoteStageReference(repository, stage.signature);
    const progress: TransferProgress[] = [];
    const { digest } = await transfer.push({
      project,
      signature: stage.signature,
      reference,
      onProgress: (event) => progress.push(event),
    });
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await registryDigest(reference)).toBe(digest);
    expect(progress.some((event) => event.status === "Pushing" && event.total !== null && event.current !== null)).toBe(
      true,
    );
    expect(progress.every((event) => event.id.length > 0)).toBe(true);
    expect(await inspectImage(engine.connection, reference)).toBeNull();
    expect(askedHosts).toContain(registry.address);
    pushedDigest = digest;
  });

  it("pulls a stage back by tag: same image, stored under its stage name, no alias left", async () => {
    const reference = remoteStageReference(repository, stage.signature);
    await storage.delete(stage.signature);
    expect(await storage.has(stage.signature)).toBe(false);
    const progress: TransferProgress[] = [];
    const pulled = await transfer.pull({
      project,
      signature: stage.signature,
      reference,
      onProgress: (event) => progress.push(event),
    });
    expect(pulled.signature).toBe(stage.signature);
    expect(pulled.id).toBe(stage.id);
    expect(pulled.parent).toBe(from.signature);
    expect(await storage.has(stage.signature)).toBe(true);
    expect(await inspectImage(engine.connection, reference)).toBeNull();
    const image = await inspectImage(engine.connection, localStageName(project, stage.signature));
    expect(image?.repoTags).toEqual([localStageName(project, stage.signature)]);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((event) => event.id.length > 0)).toBe(true);
  });

  it("pulls a stage by digest, downloading the layers it lacks", async () => {
    await storage.delete(stage.signature);
    await storage.delete(from.signature);
    const reference = `${repository}@${pushedDigest}`;
    const progress: TransferProgress[] = [];
    const pulled = await transfer.pull({
      project,
      signature: stage.signature,
      reference,
      onProgress: (event) => progress.push(event),
    });
    expect(pulled.id).toBe(stage.id);
    expect(progress.some((event) => event.status === "Downloading" && (event.total ?? 0) > 0)).toBe(true);
    expect(progress.some((event) => event.status === "Pull complete")).toBe(true);
    expect(await inspectImage(engine.connection, reference)).toBeNull();
    expect(
      engine.docker([
        "run",
        "--rm",
        "--network",
        "none",
        localStageName(project, stage.signature),
        "cat",
        "/data/note",
      ]),
    ).toBe("pushed\n");
  });

  it("refuses to store a pulled image as a stage its labels do not describe", async () => {
    const reference = remoteStageReference(repository, stage.signature);
    const other = randomSignature();
    const failure = await transfer.pull({ project, signature: other, reference }).catch((error: unknown) => error);
    expect(StorageError.isInstance(failure)).toBe(true);
    expect(await storage.has(other)).toBe(false);
    expect(await inspectImage(engine.connection, reference)).toBeNull();
  });

  it("aborts a push in flight: AbortedError and no alias left", async () => {
    const big = await builder.build(
      stageRequest(project, {
        stage: "setup",
        base: stage.signature,
        instructions: { kind: "shell", gitUpdates: [], commands: ["head -c 40000000 /dev/urandom > /big"] },
      }),
    );
    const reference = remoteStageReference(repository, big.signature);
    const controller = new AbortController();
    const failure = await transfer
      .push({
        project,
        signature: big.signature,
        reference,
        signal: controller.signal,
        onProgress: (event) => {
          if (event.status === "Pushing") controller.abort();
        },
      })
      .catch((error: unknown) => error);
    expect(AbortedError.isInstance(failure)).toBe(true);
    expect(await inspectImage(engine.connection, reference)).toBeNull();
    expect(await storage.has(big.signature)).toBe(true);
  });

  it("fails to push a stage that is not local", async () => {
    const signature = randomSignature();
    await expect(
      transfer.push({ project, signature, reference: remoteStageReference(repository, signature) }),
    ).rejects.toSatisfy((error: unknown) => StageMissingError.isInstance(error));
  });

  it("reports a registry that cannot be reached as an EngineError and leaves no alias", async () => {
    const reference = `localhost:1/${project}:unreachable`;
    const failure = await transfer
      .push({ project, signature: stage.signature, reference })
      .catch((error: unknown) => error);
    expect(EngineError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toContain(`push of ${reference} failed`);
    expect(await inspectImage(engine.connection, reference)).toBeNull();
  });

  it("pulls a tag the registry lacks, or a repository never pushed to, as a StageMissingError", async () => {
    const signature = randomSignature();
    for (const reference of [
      remoteStageReference(repository, signature),
      remoteStageReference(`${registry.address}/${project}-never-pushed`, signature),
    ]) {
      const failure = await transfer.pull({ project, signature, reference }).catch((error: unknown) => error);
      expect(StageMissingError.isInstance(failure)).toBe(true);
      expect((failure as Error).message).toContain(`${reference} is not in the registry`);
      expect((failure as Error).message).toMatch(/manifest unknown/);
      expect(await inspectImage(engine.connection, reference)).toBeNull();
    }
  });

  it("pulls a stage deleted from the registry (cleanup) as a StageMissingError", async () => {
    const reference = remoteStageReference(repository, stage.signature);
    await transfer.push({ project, signature: stage.signature, reference });
    const digest = await registryDigest(reference);
    const [, path, tag] = /^[^/]+\/(.+):([^:]+)$/.exec(reference) ?? [];
    const response = await fetch(`http://${registry.address}/v2/${path}/manifests/${digest}`, { method: "DELETE" });
    expect(response.status).toBe(202);
    expect(tag).toBe(`image-stage-${stage.signature}`);
    const failure = await transfer
      .pull({ project, signature: stage.signature, reference })
      .catch((error: unknown) => error);
    expect(StageMissingError.isInstance(failure)).toBe(true);
  });
});

describe("base images from a registry", () => {
  it("pulls an absent base image through the engine and resolves its registry digest", async () => {
    // A base image whose top layer this engine will not have: built here, pushed, then removed.
    const made = await builder.build(
      stageRequest(project, {
        stage: "setup",
        base: stage.signature,
        instructions: { kind: "shell", gitUpdates: [], commands: ["echo base > /base-marker"] },
      }),
    );
    const base = `${registry.address}/${project}-base/busybox:1`;
    engine.docker(["tag", localStageName(project, made.signature), base]);
    engine.docker(["push", base]);
    await removeImage(engine.connection, base);
    await storage.delete(made.signature);
    askedHosts.length = 0;

    const digest = await builder.resolveBaseDigest?.(base);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(digest).toBe(await registryDigest(base));

    const events: BuilderEvent[] = [];
    const first = await builder.build(
      stageRequest(project, {
        stage: "from",
        events,
        instructions: { kind: "from", base: { type: "image", reference: base, digest: null } },
      }),
    );
    expect(first.stage).toBe("from");
    expect(events.some((event) => event.type === "progress" && event.progress.status === "Pull complete")).toBe(true);
    expect(events.some((event) => event.type === "output" && event.text.includes(`pulling base image ${base}`))).toBe(
      true,
    );
    expect(askedHosts).toEqual([registry.address, registry.address]);
    expect(await inspectImage(engine.connection, base)).not.toBeNull();

    // With a digest (fromLatest), the image is used by digest.
    const pinned = await builder.build(
      stageRequest(project, {
        stage: "from",
        instructions: { kind: "from", base: { type: "image", reference: base, digest: digest ?? null } },
      }),
    );
    expect(pinned.stage).toBe("from");
    await removeImage(engine.connection, base);
  });
});
