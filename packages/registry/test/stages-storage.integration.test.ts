import { parseSignature, type Signature, StorageError, stageLabelsFor, stageTag } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createLayer,
  createRegistryClient,
  createRegistryCopier,
  createRegistryStagesStorage,
  pushImage,
  type RegistryClient,
  type RegistryEvent,
} from "../src/index.js";
import { type RegistryServer, startRegistryServer } from "./registry-server.js";

let server: RegistryServer;
let client: RegistryClient;
let events: RegistryEvent[] = [];

const signature = (character: string): Signature => parseSignature(character.repeat(64));

beforeAll(async () => {
  server = await startRegistryServer();
  client = createRegistryClient({ env: {}, useDockerConfig: false, onEvent: (event) => events.push(event) });
});

afterAll(async () => {
  await server?.stop();
});

async function pushStage(repository: string, project: string, sig: Signature, parent: Signature | null) {
  const labels = stageLabelsFor({
    project,
    image: "backend",
    stage: parent === null ? "from" : "install",
    signature: sig,
    parent,
    carried: parent === null ? null : { app: "c".repeat(64) as never },
  });
  const layer = createLayer([{ path: `stage-${sig.slice(0, 8)}.txt`, content: sig }]);
  return pushImage(client, `${repository}:${stageTag(sig)}`, {
    layers: [layer],
    config: { Labels: labels },
    created: "2026-01-02T03:04:05Z",
  });
}

function apiRequests(): Array<Extract<RegistryEvent, { type: "request" }>> {
  return events.filter(
    (event): event is Extract<RegistryEvent, { type: "request" }> => event.type === "request" && event.path !== "/v2/",
  );
}

describe("remote stages storage on a real registry", () => {
  it("finds a stage with one HEAD request and reads its descriptor from the config labels", async () => {
    const repository = `${server.host}/taxi/stages`;
    const storage = createRegistryStagesStorage({ client, repository, project: "taxi" });
    expect(storage.kind).toBe("remote");
    expect(storage.description).toBe(`registry ${repository}`);
    const first = await pushStage(repository, "taxi", signature("a"), null);
    await pushStage(repository, "taxi", signature("b"), signature("a"));

    events = [];
    expect(await storage.has(signature("a"))).toBe(true);
    expect(apiRequests().map((event) => `${event.method} ${event.path}`)).toEqual([
      `HEAD /v2/taxi/stages/manifests/${stageTag(signature("a"))}`,
    ]);
    events = [];
    expect(await storage.has(signature("f"))).toBe(false);
    expect(apiRequests()).toHaveLength(1);

    const descriptor = await storage.get(signature("a"));
    expect(descriptor).toMatchObject({
      signature: signature("a"),
      id: first.digest,
      project: "taxi",
      image: "backend",
      stage: "from",
      parent: null,
      carried: null,
      createdAt: "2026-01-02T03:04:05Z",
    });
    expect(descriptor?.size).toBeGreaterThan(0);
    const child = await storage.get(signature("b"));
    expect(child).toMatchObject({ stage: "install", parent: signature("a"), carried: { app: "c".repeat(64) } });
    expect(await storage.get(signature("f"))).toBeNull();
  });

  it("lists only the project's stages and ignores foreign images under stage tags", async () => {
    const repository = `${server.host}/shared/stages`;
    const storage = createRegistryStagesStorage({ client, repository, project: "mine" });
    expect(await storage.list()).toEqual([]);
    await pushStage(repository, "mine", signature("1"), null);
    await pushStage(repository, "mine", signature("2"), signature("1"));
    await pushStage(repository, "theirs", signature("3"), null);
    // Not a stage tag, and a stage tag holding an image without stage labels.
    await pushImage(client, `${repository}:latest`, { layers: [createLayer([{ path: "x", content: "x" }])] });
    await pushImage(client, `${repository}:${stageTag(signature("4"))}`, {
      layers: [createLayer([{ path: "y", content: "y" }])],
    });
    const listed = await storage.list();
    expect(listed.map((stage) => stage.signature)).toEqual([signature("1"), signature("2")]);
    expect(await storage.get(signature("3"))).toBeNull();
    expect(await storage.get(signature("4"))).toBeNull();
  });

  it("deletes a stage by its manifest digest; deleting an absent stage is no error", async () => {
    const repository = `${server.host}/delete/stages`;
    const storage = createRegistryStagesStorage({ client, repository, project: "p" });
    await pushStage(repository, "p", signature("d"), null);
    await storage.delete(signature("d"));
    expect(await storage.has(signature("d"))).toBe(false);
    await storage.delete(signature("d"));
  });

  it("reports registry trouble as StorageError naming the storage", async () => {
    const storage = createRegistryStagesStorage({ client, repository: `${server.host}/broken/stages`, project: "p" });
    const file = await pushStage(`${server.host}/broken/stages`, "p", signature("e"), null);
    // A manifest whose config blob is gone: the registry answers 404 for the blob.
    const { rmSync } = await import("node:fs");
    rmSync(server.blobPath(file.config.digest));
    await expect(storage.get(signature("e"))).rejects.toSatisfy(
      (error) => StorageError.isInstance(error) && /registry .*broken\/stages/.test((error as Error).message),
    );
  });

  it("copies a stage to its final name registry-side through the copier", async () => {
    const repository = `${server.host}/publish/stages`;
    const pushed = await pushStage(repository, "p", signature("9"), null);
    const copier = createRegistryCopier({ client, allowTransfer: false });
    events = [];
    const result = await copier.copy({
      from: `${repository}:${stageTag(signature("9"))}`,
      to: `${server.host}/publish/stages/backend:v1.2.3`,
    });
    expect(result.digest).toBe(pushed.digest);
    expect(events.filter((event) => event.type === "blob-mount" && event.mounted)).toHaveLength(2);
    expect(
      apiRequests().filter(
        (event) => event.method === "PATCH" || (event.method === "GET" && event.path.includes("/blobs/")),
      ),
    ).toEqual([]);
    expect((await client.headManifest(`${server.host}/publish/stages/backend:v1.2.3`))?.digest).toBe(pushed.digest);
  });
});
