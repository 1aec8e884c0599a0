import { createHash } from "node:crypto";
import type { ImageSpecConfig, StageBuildRequest } from "@stages/core";
import { StageBuildError, throwIfAborted } from "@stages/core";
import type { EngineClient } from "./engine-client.js";
import { engineFailure } from "./engine-errors.js";
import { applyImageSpec, type ImageConfigFile } from "./image-spec-config.js";
import { followProgress } from "./images.js";
import { createTarStream, readTar } from "./tar.js";

interface SavedManifest {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/**
 * Builds werf's imageSpec stage: the base's image config rewritten (`applyImageSpec`) over the very
 * same layers, with no container. A commit cannot do it: the engine merges the container's env,
 * volumes and labels back into a commit's config, and keeps the history. So the base's config is
 * read from `docker save` (layer bodies are skipped as they stream by) and an archive holding only
 * the new config and a manifest naming the same layers is loaded: the engine finds each layer in
 * its store by chain id and reads no layer file. Returns the new image's id, not yet tagged.
 */
export async function buildImageSpecStage(
  client: EngineClient,
  request: StageBuildRequest,
  spec: ImageSpecConfig,
  baseImage: string,
  subject: string,
): Promise<string> {
  const { signal } = request;
  const { manifest, config } = await readSavedConfig(client, baseImage, signal);
  throwIfAborted(signal);
  const updated = applyImageSpec(config, spec, {
    project: request.project,
    image: request.image,
    stageLabels: request.labels,
    created: new Date().toISOString(),
  });
  const body = Buffer.from(JSON.stringify(updated), "utf8");
  const hex = createHash("sha256").update(body).digest("hex");
  const newManifest: SavedManifest[] = [{ Config: `${hex}.json`, RepoTags: null, Layers: manifest.Layers }];
  const manifestBody = Buffer.from(JSON.stringify(newManifest), "utf8");
  const entries = (async function* () {
    yield { header: { name: `${hex}.json`, type: "file" as const, mode: 0o644, size: body.length }, body };
    yield {
      header: { name: "manifest.json", type: "file" as const, mode: 0o644, size: manifestBody.length },
      body: manifestBody,
    };
  })();
  const { stream, done } = createTarStream(entries);
  try {
    const [response] = await Promise.all([
      client.stream(signal, (docker) => docker.loadImage(stream, { quiet: true, abortSignal: signal })),
      done,
    ]);
    await followProgress(client, response, `load of the imageSpec config of ${subject}`, () => {}, signal);
  } catch (error) {
    if (StageBuildError.isInstance(error)) throw error;
    throw engineFailure(`cannot write the image config of ${subject}`, error);
  }
  return `sha256:${hex}`;
}

/** The manifest entry and image config of an image, from `docker save`. */
async function readSavedConfig(
  client: EngineClient,
  image: string,
  signal: AbortSignal | undefined,
): Promise<{ manifest: SavedManifest; config: ImageConfigFile }> {
  const files = new Map<string, Buffer>();
  let stream: Awaited<ReturnType<EngineClient["stream"]>>;
  try {
    stream = await client.stream(signal, (docker) => docker.getImage(image).get());
  } catch (error) {
    throw engineFailure(`cannot read the image config of ${image}`, error);
  }
  for await (const entry of readTar(stream)) {
    const name = entry.header.name.replace(/^(\.\/)+/, "");
    // Only the top-level JSON files: manifest.json and <id>.json (the config). Layer bodies drain.
    if (entry.header.type !== "file" || name.includes("/") || !name.endsWith(".json")) continue;
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body) chunks.push(chunk);
    files.set(name, Buffer.concat(chunks));
  }
  const manifestText = files.get("manifest.json");
  const manifests = manifestText === undefined ? [] : (JSON.parse(manifestText.toString("utf8")) as SavedManifest[]);
  const manifest = manifests[0];
  const configText = manifest === undefined ? undefined : files.get(manifest.Config);
  if (manifest === undefined || configText === undefined) {
    throw new StageBuildError(`[docker] the saved image ${image} has no manifest.json or image config`, {
      hint: "check that the engine's docker save works for this image",
    });
  }
  return { manifest, config: JSON.parse(configText.toString("utf8")) as ImageConfigFile };
}
