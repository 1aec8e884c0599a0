import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type ScratchRegistry, startScratchRegistry } from "./index.js";

// Ports 5863-5865 are this file's own (5860-5862: the registry cleanup tests, 5866: the CLI cleanup test).
const directories: string[] = [];
const registries: ScratchRegistry[] = [];

afterAll(async () => {
  for (const registry of registries) await registry.stop();
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

async function scratch(port: number, deleteEnabled?: boolean): Promise<ScratchRegistry> {
  const directory = mkdtempSync(join(tmpdir(), "stages-scratch-registry-"));
  directories.push(directory);
  const registry = await startScratchRegistry({
    port,
    directory,
    ...(deleteEnabled === undefined ? {} : { deleteEnabled }),
  });
  registries.push(registry);
  return registry;
}

const digestOf = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** Pushes a one-blob OCI artifact with plain HTTP; returns its manifest digest and its blob's digest. */
async function pushArtifact(address: string, repository: string, tag: string, content: string) {
  const blob = Buffer.from(content);
  const blobDigest = digestOf(blob);
  const started = await fetch(`http://${address}/v2/${repository}/blobs/uploads/`, { method: "POST" });
  expect(started.status).toBe(202);
  const location = new URL(started.headers.get("location") ?? "", `http://${address}`);
  location.searchParams.set("digest", blobDigest);
  const put = await fetch(location, {
    method: "PUT",
    body: blob,
    headers: { "content-type": "application/octet-stream" },
  });
  expect(put.status).toBe(201);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.stages.test+json", digest: blobDigest, size: blob.byteLength },
      layers: [],
    }),
  );
  const stored = await fetch(`http://${address}/v2/${repository}/manifests/${tag}`, {
    method: "PUT",
    body: manifest,
    headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" },
  });
  expect(stored.status).toBe(201);
  return { digest: digestOf(manifest), blobDigest };
}

describe("scratch registry", () => {
  it("deletes by digest, and garbage-collect frees the blobs only the deleted manifest used", async () => {
    const registry = await scratch(5863);
    expect(registry.address).toBe("localhost:5863");
    const kept = await pushArtifact(registry.address, "scratch/one", "kept", "kept content");
    const dropped = await pushArtifact(registry.address, "scratch/one", "dropped", "dropped content");
    const deleted = await fetch(`http://${registry.address}/v2/scratch/one/manifests/${dropped.digest}`, {
      method: "DELETE",
    });
    expect(deleted.status).toBe(202);

    const collection = await registry.garbageCollect();
    expect(collection.deletedBlobs).toContain(dropped.blobDigest);
    expect(collection.deletedBlobs).not.toContain(kept.blobDigest);
    // Restarted on the same port: the kept tag and its blob are served.
    const head = await fetch(`http://${registry.address}/v2/scratch/one/manifests/kept`, {
      method: "HEAD",
      headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    expect(head.headers.get("docker-content-digest")).toBe(kept.digest);
    expect((await fetch(`http://${registry.address}/v2/scratch/one/blobs/${kept.blobDigest}`)).status).toBe(200);
    expect((await fetch(`http://${registry.address}/v2/scratch/one/blobs/${dropped.blobDigest}`)).status).toBe(404);
  });

  it("with --delete-untagged, removes a manifest whose tag was moved away", async () => {
    const registry = await scratch(5864);
    const first = await pushArtifact(registry.address, "scratch/two", "moving", "first");
    await pushArtifact(registry.address, "scratch/two", "moving", "second");
    expect((await registry.garbageCollect()).deletedBlobs).not.toContain(first.blobDigest);
    expect((await registry.garbageCollect({ deleteUntagged: true })).deletedBlobs).toContain(first.blobDigest);
    await registry.stop();
    expect(await fetch(`http://${registry.address}/v2/`).catch(() => "refused")).toBe("refused");
  });

  it("answers DELETE with 405 UNSUPPORTED when delete is disabled", async () => {
    const registry = await scratch(5865, false);
    const pushed = await pushArtifact(registry.address, "scratch/three", "v1", "content");
    const answer = await fetch(`http://${registry.address}/v2/scratch/three/manifests/${pushed.digest}`, {
      method: "DELETE",
    });
    expect(answer.status).toBe(405);
    expect(JSON.stringify(await answer.json())).toContain("UNSUPPORTED");
  });
});
