import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AbortedError, DigestMismatchError } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createLayer,
  createRegistryClient,
  type ImageIndex,
  mediaTypes,
  pushImage,
  type RegistryClient,
  type RegistryEvent,
  sha256Digest,
} from "../src/index.js";
import { startPagingProxy } from "./paging-proxy.js";
import { type RegistryServer, startRegistryServer } from "./registry-server.js";

let server: RegistryServer;
let client: RegistryClient;
let events: RegistryEvent[] = [];
let workDirectory: string;

beforeAll(async () => {
  server = await startRegistryServer();
  client = createRegistryClient({ env: {}, useDockerConfig: false, onEvent: (event) => events.push(event) });
  workDirectory = mkdtempSync(join(tmpdir(), "stages-registry-work-"));
});

afterAll(async () => {
  await server?.stop();
  if (workDirectory) rmSync(workDirectory, { recursive: true, force: true });
});

function layers(count: number, seed: string) {
  return Array.from({ length: count }, (_, index) =>
    createLayer([
      { path: `layer${index}/`, type: "directory" },
      { path: `layer${index}/file.txt`, content: `${seed} layer ${index}\n` },
    ]),
  );
}

function requestsOf(kind: string) {
  return events.filter(
    (event): event is Extract<RegistryEvent, { type: "request" }> =>
      event.type === "request" && `${event.method} ${event.path}`.startsWith(kind),
  );
}

describe("registry client against a real Distribution registry", () => {
  it("pushes a multi-layer image from raw blobs and reads it back by tag and by digest", async () => {
    const repository = `${server.host}/multi/layer`;
    const imageLayers = layers(3, "multi");
    const pushed = await pushImage(client, `${repository}:v1`, { layers: imageLayers, config: { Labels: { a: "b" } } });
    expect(pushed.mediaType).toBe(mediaTypes.dockerManifest);

    const head = await client.headManifest(`${repository}:v1`);
    expect(head).toEqual({
      digest: pushed.digest,
      mediaType: mediaTypes.dockerManifest,
      size: pushed.manifestBytes.byteLength,
    });

    const byTag = await client.getManifest(`${repository}:v1`);
    const byDigest = await client.getManifest(`${repository}@${pushed.digest}`);
    expect(byTag?.descriptor.digest).toBe(pushed.digest);
    expect(Buffer.from(byDigest?.bytes ?? [])).toEqual(Buffer.from(pushed.manifestBytes));
    expect(byTag?.manifest).toEqual(pushed.manifest);

    const image = await client.getImageManifest(`${repository}:v1`);
    expect(image?.index).toBeNull();
    for (const [index, layer] of imageLayers.entries()) {
      expect(image?.manifest.layers[index]?.digest).toBe(layer.digest);
      expect(Buffer.from(await client.readBlob(repository, layer.digest))).toEqual(Buffer.from(layer.bytes));
      expect(await client.headBlob(repository, layer.digest)).toEqual({ digest: layer.digest, size: layer.size });
    }
    const config = JSON.parse(Buffer.from(await client.readBlob(repository, pushed.config.digest)).toString());
    expect(config.config.Labels).toEqual({ a: "b" });
    expect(config.rootfs.diff_ids).toEqual(imageLayers.map((layer) => layer.diffId));

    expect(await client.headManifest(`${repository}:absent`)).toBeNull();
    expect(await client.getManifest(`${repository}:absent`)).toBeNull();
    expect(await client.headBlob(repository, sha256Digest(Buffer.from("absent")))).toBeNull();
  });

  it("pushes an OCI image and skips blobs the repository already has", async () => {
    const repository = `${server.host}/oci/image`;
    const imageLayers = layers(2, "oci");
    const first = await pushImage(client, `${repository}:one`, { layers: imageLayers, format: "oci" });
    expect(first.mediaType).toBe(mediaTypes.ociManifest);
    const again = await client.uploadBlob(repository, imageLayers[0]?.bytes ?? new Uint8Array());
    expect(again.outcome).toBe("exists");
    expect((await client.getManifest(`${repository}:one`))?.descriptor.mediaType).toBe(mediaTypes.ociManifest);
  });

  it("uploads a blob larger than one chunk in chunks and reads it back verified", async () => {
    const repository = `${server.host}/chunked/blob`;
    const bytes = Buffer.alloc(300 * 1024);
    for (let index = 0; index < bytes.byteLength; index++) bytes[index] = (index * 7 + 3) % 251;
    events = [];
    const progress: number[] = [];
    const result = await client.uploadBlob(repository, bytes, {
      chunkSize: 64 * 1024,
      onProgress: (done) => progress.push(done),
    });
    expect(result).toEqual({ digest: sha256Digest(bytes), size: bytes.byteLength, outcome: "uploaded" });
    expect(requestsOf("PATCH")).toHaveLength(5);
    expect(progress.at(-1)).toBe(bytes.byteLength);
    expect(events.some((event) => event.type === "blob-upload" && event.chunked)).toBe(true);
    const read = await client.readBlob(repository, result.digest);
    expect(sha256Digest(read)).toBe(result.digest);

    const path = join(workDirectory, "chunked.bin");
    expect(await client.downloadBlob(repository, result.digest, path)).toEqual({
      digest: result.digest,
      size: bytes.byteLength,
    });
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it("mounts blobs between repositories, and falls back to an upload when the mount is refused", async () => {
    const source = `${server.host}/mount/source`;
    const target = `${server.host}/mount/target`;
    const blob = Buffer.from("a blob to mount");
    const uploaded = await client.uploadBlob(source, blob);
    expect(await client.headBlob(target, uploaded.digest)).toBeNull();
    expect(await client.mountBlob(target, uploaded.digest, "mount/source")).toBe(true);
    expect(await client.headBlob(target, uploaded.digest)).not.toBeNull();

    const other = Buffer.from("another blob to mount");
    const otherUpload = await client.uploadBlob(source, other);
    const mounted = await client.uploadBlob(`${server.host}/mount/third`, other, { mountFrom: source });
    expect(mounted).toEqual({ digest: otherUpload.digest, size: other.byteLength, outcome: "mounted" });

    const unknown = Buffer.from("only here, never in the source");
    expect(await client.mountBlob(target, sha256Digest(unknown), "mount/source")).toBe(false);
    const fallback = await client.uploadBlob(target, unknown, { mountFrom: "mount/source" });
    expect(fallback.outcome).toBe("uploaded");
    expect(Buffer.from(await client.readBlob(target, fallback.digest)).toString()).toBe(
      "only here, never in the source",
    );
  });

  it("copies an image registry-side to another repository and within one, without moving a blob", async () => {
    const source = `${server.host}/copy/stages`;
    const pushed = await pushImage(client, `${source}:image-stage-one`, { layers: layers(2, "copy") });
    events = [];
    const result = await client.copy(`${source}:image-stage-one`, `${server.host}/copy/final:1.0`);
    expect(result).toEqual({
      digest: pushed.digest,
      mediaType: mediaTypes.dockerManifest,
      mountedBlobs: 3,
      transferredBlobs: 0,
      copiedManifests: 0,
    });
    expect(requestsOf("GET /v2/copy/stages/blobs")).toHaveLength(0);
    expect(requestsOf("PATCH")).toHaveLength(0);
    expect((await client.headManifest(`${server.host}/copy/final:1.0`))?.digest).toBe(pushed.digest);
    expect((await client.getImageManifest(`${server.host}/copy/final:1.0`))?.manifest.layers).toHaveLength(2);

    const sameRepository = await client.copy(`${source}:image-stage-one`, `${source}:latest`);
    expect(sameRepository.mountedBlobs).toBe(0);
    // Bytes of its own, hence a digest of its own: deleting the stage by digest cannot take `latest` along.
    expect(sameRepository.digest).not.toBe(pushed.digest);
    expect((await client.headManifest(`${source}:latest`))?.digest).toBe(sameRepository.digest);
    expect((await client.getManifest(`${source}:latest`))?.manifest).toEqual(
      (await client.getManifest(`${source}:image-stage-one`))?.manifest,
    );
    // Deterministic: a second tag copied from the same stage shares the copy's digest.
    expect((await client.copy(`${source}:image-stage-one`, `${source}:stable`)).digest).toBe(sameRepository.digest);
  });

  it("copies an index with its child manifests and selects a platform from it", async () => {
    const repository = `${server.host}/index/source`;
    const amd = await pushImage(client, `${repository}:amd64`, { layers: layers(1, "amd"), format: "oci" });
    const arm = await pushImage(client, `${repository}:arm64`, {
      layers: layers(1, "arm"),
      format: "oci",
      platform: { os: "linux", architecture: "arm64", variant: "v8" },
    });
    const index: ImageIndex = {
      schemaVersion: 2,
      mediaType: mediaTypes.ociIndex,
      manifests: [
        {
          mediaType: mediaTypes.ociManifest,
          digest: amd.digest,
          size: amd.manifestBytes.byteLength,
          platform: { os: "linux", architecture: "amd64" },
        },
        {
          mediaType: mediaTypes.ociManifest,
          digest: arm.digest,
          size: arm.manifestBytes.byteLength,
          platform: { os: "linux", architecture: "arm64", variant: "v8" },
        },
      ],
    };
    const stored = await client.putManifest(`${repository}:multi`, index);
    expect(stored.mediaType).toBe(mediaTypes.ociIndex);

    const result = await client.copy(`${repository}:multi`, `${server.host}/index/target:multi`);
    expect(result.digest).toBe(stored.digest);
    expect(result.copiedManifests).toBe(2);
    expect(result.transferredBlobs).toBe(0);
    const armImage = await client.getImageManifest(`${server.host}/index/target:multi`, { platform: "linux/arm64" });
    expect(armImage?.descriptor.digest).toBe(arm.digest);
    expect(armImage?.index?.digest).toBe(stored.digest);
    const amdImage = await client.getImageManifest(`${server.host}/index/target:multi`, {
      platform: { os: "linux", architecture: "amd64" },
    });
    expect(amdImage?.descriptor.digest).toBe(amd.digest);
    await expect(
      client.getImageManifest(`${server.host}/index/target:multi`, { platform: "linux/s390x" }),
    ).rejects.toThrow(/no image for linux\/s390x/);
  });

  it("lists tags over more than one page following Link", async () => {
    const repository = `${server.host}/paged/tags`;
    const pushed = await pushImage(client, `${repository}:t0`, { layers: layers(1, "paged") });
    const tags = ["t0"];
    for (let index = 1; index < 8; index++) {
      await client.putManifest(`${repository}:t${index}`, pushed.manifestBytes);
      tags.push(`t${index}`);
    }
    // Distribution 2.8 sends every tag at once (it ignores n)...
    expect((await client.listTags(repository, { pageSize: 3 })).sort()).toEqual(tags);
    // ...so pages come from a proxy giving it the OCI spec's pagination.
    const paging = await startPagingProxy({ host: "127.0.0.1", port: server.port });
    try {
      const listed = await client.listTags(`${paging.host}/paged/tags`, { pageSize: 3 });
      expect(listed).toEqual(tags);
      expect(paging.pages).toBe(3);
    } finally {
      await paging.stop();
    }
    expect(await client.listTags(`${server.host}/paged/never-pushed`)).toEqual([]);
  });

  it("deletes a manifest by digest and by tag", async () => {
    const repository = `${server.host}/delete/me`;
    const pushed = await pushImage(client, `${repository}:gone`, { layers: layers(1, "delete") });
    expect(await client.deleteManifest(`${repository}@${pushed.digest}`)).toBe(true);
    expect(await client.headManifest(`${repository}:gone`)).toBeNull();
    expect(await client.deleteManifest(`${repository}@${pushed.digest}`)).toBe(false);

    const again = await pushImage(client, `${repository}:by-tag`, { layers: layers(1, "delete-by-tag") });
    expect(await client.deleteManifest(`${repository}:by-tag`)).toBe(true);
    expect(await client.headManifest(`${repository}@${again.digest}`)).toBeNull();
  });

  it("detects a corrupted blob and keeps nothing of it", async () => {
    const repository = `${server.host}/corrupt/blob`;
    const bytes = Buffer.from("the original content of a blob that will be damaged on disk".repeat(100));
    const { digest } = await client.uploadBlob(repository, bytes);
    const file = server.blobPath(digest);
    const damaged = Buffer.from(readFileSync(file));
    damaged[100] = (damaged[100] ?? 0) ^ 0xff;
    writeFileSync(file, damaged);

    await expect(client.readBlob(repository, digest)).rejects.toSatisfy((error) =>
      DigestMismatchError.isInstance(error),
    );
    const directory = mkdtempSync(join(workDirectory, "corrupt-"));
    const path = join(directory, "blob");
    await expect(client.downloadBlob(repository, digest, path)).rejects.toThrow(
      /has digest sha256:[0-9a-f]{64}, expected/,
    );
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(directory)).toEqual([]);

    const stream = await client.openBlob(repository, digest);
    const reader = stream.getReader();
    const failure = await (async () => {
      for (;;) {
        const { done } = await reader.read();
        if (done) return null;
      }
    })().catch((error: unknown) => error);
    expect(DigestMismatchError.isInstance(failure)).toBe(true);
  });

  it("detects a corrupted manifest read by digest", async () => {
    const repository = `${server.host}/corrupt/manifest`;
    const pushed = await pushImage(client, `${repository}:x`, { layers: layers(1, "manifest") });
    const file = server.blobPath(pushed.digest);
    const text = readFileSync(file, "utf8").replace('"schemaVersion":2', '"schemaVersion": 2');
    writeFileSync(file, text);
    await expect(client.getManifest(`${repository}@${pushed.digest}`)).rejects.toSatisfy((error) =>
      DigestMismatchError.isInstance(error),
    );
  });

  it("stops at once when the signal aborts", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(client.headManifest(`${server.host}/abort/me:x`, { signal: controller.signal })).rejects.toSatisfy(
      (error) => AbortedError.isInstance(error),
    );
    const bytes = Buffer.alloc(256 * 1024, 1);
    const late = new AbortController();
    const upload = client.uploadBlob(`${server.host}/abort/me`, bytes, {
      chunkSize: 16 * 1024,
      signal: late.signal,
      onProgress: (done) => {
        if (done >= 32 * 1024) late.abort();
      },
    });
    await expect(upload).rejects.toSatisfy((error) => AbortedError.isInstance(error));
  });
});
