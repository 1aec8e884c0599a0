import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ContentId, parseSignature, stageLabelsFor } from "@stages/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRegistryClient } from "./client.js";
import { createConfigCache } from "./config-cache.js";
import { sha256Digest } from "./digest.js";
import { createRegistryStagesStorage } from "./stages-storage.js";

const signature = parseSignature("a".repeat(64));
const carried = { "git-0": "d".repeat(64) as ContentId };
const config = new TextEncoder().encode(
  JSON.stringify({
    created: "2026-12-02T00:00:00Z",
    config: {
      Labels: stageLabelsFor({ project: "taxi", image: "app", stage: "gitArchive", signature, parent: null, carried }),
    },
  }),
);
const configDigest = sha256Digest(config);
const manifest = new TextEncoder().encode(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.byteLength },
    layers: [],
  }),
);

/** A registry on localhost that has one stage, and the requests it was sent (its /v2/ ping aside). */
function registryWithOneStage() {
  const requests: string[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    if (url.pathname === "/v2/") return new Response("{}", { status: 200 });
    requests.push(`${init?.method ?? "GET"} ${url.pathname}`);
    if (url.pathname.endsWith(`/manifests/image-stage-${signature}`))
      return new Response(manifest, {
        status: 200,
        headers: {
          "content-type": "application/vnd.oci.image.manifest.v1+json",
          "docker-content-digest": sha256Digest(manifest),
        },
      });
    if (url.pathname.endsWith(`/blobs/${configDigest}`)) return new Response(config, { status: 200 });
    return new Response("{}", { status: 404 });
  };
  return { fetch, requests };
}

describe("the registry storage's config cache", () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "stages-config-cache-"));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("makes get of a stage read before one manifest request, and reads a damaged entry from REPO again", async () => {
    const registry = registryWithOneStage();
    const client = createRegistryClient({ fetch: registry.fetch, env: {}, useDockerConfig: false });
    const storage = () =>
      createRegistryStagesStorage({
        client,
        repository: "localhost:5000/taxi",
        project: "taxi",
        configCache: createConfigCache(join(directory, "configs")),
      });
    const first = await storage().get(signature);
    expect(first?.carried).toEqual(carried);
    expect(registry.requests).toEqual([
      `GET /v2/taxi/manifests/image-stage-${signature}`,
      `GET /v2/taxi/blobs/${configDigest}`,
    ]);
    expect(await readdir(join(directory, "configs"))).toEqual([configDigest.slice("sha256:".length)]);

    registry.requests.length = 0;
    expect(await storage().get(signature)).toEqual(first);
    expect(registry.requests).toEqual([`GET /v2/taxi/manifests/image-stage-${signature}`]);

    // Changed on disk: it no longer matches its digest, so REPO is asked and the entry rewritten.
    await writeFile(join(directory, "configs", configDigest.slice("sha256:".length)), "{}");
    registry.requests.length = 0;
    expect(await storage().get(signature)).toEqual(first);
    expect(registry.requests).toEqual([
      `GET /v2/taxi/manifests/image-stage-${signature}`,
      `GET /v2/taxi/blobs/${configDigest}`,
    ]);
    const kept = await createConfigCache(join(directory, "configs")).read(configDigest, config.byteLength);
    expect(kept && sha256Digest(kept)).toBe(configDigest);
  });

  it("keeps nothing it cannot name by a sha256 digest, and a cache it cannot write is no cache", async () => {
    const cache = createConfigCache(join(directory, "file", "configs"));
    await writeFile(join(directory, "file"), "not a directory");
    await cache.write(configDigest, config);
    expect(await cache.read(configDigest, config.byteLength)).toBeNull();
    const elsewhere = createConfigCache(join(directory, "other"));
    await elsewhere.write("sha512:00" as typeof configDigest, config);
    await expect(readdir(join(directory, "other"))).rejects.toThrow();
  });
});
