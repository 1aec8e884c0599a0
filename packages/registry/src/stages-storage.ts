import {
  type CallOptions,
  descriptorFromLabels,
  parseStageTag,
  remoteStageReference,
  type Signature,
  type StageDescriptor,
  type StagesStorage,
  stagesStorageSpecificationVersion,
} from "@stages/core";
import { forEachLimited } from "@stages/core/internal";
import type { RegistryClient } from "./client.js";
import type { ConfigCache } from "./config-cache.js";
import { deleteFailure } from "./errors.js";
import { createRegistryHousekeeping } from "./housekeeping.js";
import { isImageIndex } from "./media-types.js";
import { parseRepositoryName } from "./parse-reference.js";
import { createStorageGuard } from "./storage-guard.js";

export interface RegistryStagesStorageOptions {
  client: RegistryClient;
  /** REPO: `host[:port]/path`, e.g. `registry.example.com/taxi/backend`. */
  repository: string;
  project: string;
  /** Stages read at once by `list`. Default 8. */
  concurrency?: number;
  /** Where configs read before are kept: `get` reads a known stage's config from here, not REPO. */
  configCache?: ConfigCache;
}

interface ImageConfig {
  created?: unknown;
  config?: { Labels?: Record<string, string> | null } | null;
}

/**
 * The remote stages storage: stage `<sig>` of the project is the image `REPO:image-stage-<sig>`
 * (DESIGN §6). `has` is one HEAD request; `get` one manifest GET plus the config blob for the labels
 * (no request when `configCache` has it).
 */
export function createRegistryStagesStorage(options: RegistryStagesStorageOptions): StagesStorage {
  const { client, project } = options;
  const name = parseRepositoryName(options.repository);
  const repository = `${name.registry}/${name.repository}`;
  const description = `registry ${repository}`;

  const guard = createStorageGuard(description);

  const get = async (signature: Signature, callOptions: CallOptions = {}): Promise<StageDescriptor | null> => {
    const reference = remoteStageReference(repository, signature);
    const fetched = await client.getManifest(reference, { signal: callOptions.signal });
    if (fetched === null) return null;
    let image = fetched;
    if (isImageIndex(fetched.manifest)) {
      // Stages are single-platform images; an index under a stage tag is followed to its image.
      const resolved = await client.getImageManifest(reference, { signal: callOptions.signal });
      if (resolved === null) return null;
      image = resolved;
    }
    if (isImageIndex(image.manifest)) return null;
    const manifest = image.manifest;
    const { digest, size } = manifest.config;
    let configBytes = (await options.configCache?.read(digest, size)) ?? null;
    if (configBytes === null) {
      configBytes = await client.readBlob(repository, digest, { size, signal: callOptions.signal });
      await options.configCache?.write(digest, configBytes);
    }
    let config: ImageConfig;
    try {
      config = JSON.parse(new TextDecoder().decode(configBytes)) as ImageConfig;
    } catch {
      return null;
    }
    const descriptor = descriptorFromLabels({
      id: fetched.descriptor.digest,
      labels: config.config?.Labels ?? null,
      createdAt: typeof config.created === "string" ? config.created : null,
      size: manifest.config.size + manifest.layers.reduce((total, layer) => total + layer.size, 0),
    });
    // A foreign image under a stage tag is not trusted as a stage.
    if (descriptor === null || descriptor.signature !== signature || descriptor.project !== project) return null;
    return descriptor;
  };

  return {
    specificationVersion: stagesStorageSpecificationVersion,
    kind: "remote",
    description,
    housekeeping: createRegistryHousekeeping({
      client,
      repository,
      project,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    }),
    get: (signature, callOptions) => guard(`reading stage ${signature}`, () => get(signature, callOptions)),
    has: (signature, callOptions = {}) =>
      guard(`looking up stage ${signature}`, async () => {
        const found = await client.headManifest(remoteStageReference(repository, signature), {
          signal: callOptions.signal,
        });
        return found !== null;
      }),
    list: (callOptions = {}) =>
      guard("listing stages", async () => {
        const signatures: Signature[] = [];
        for await (const tag of client.iterateTags(repository, { signal: callOptions.signal })) {
          const signature = parseStageTag(tag);
          if (signature !== null) signatures.push(signature);
        }
        const found: StageDescriptor[] = [];
        await forEachLimited(signatures, options.concurrency ?? 8, async (signature) => {
          const descriptor = await get(signature, callOptions);
          if (descriptor !== null) found.push(descriptor);
        });
        return found.sort((a, b) => (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0));
      }),
    delete: (signature, callOptions = {}) =>
      guard(`deleting stage ${signature}`, async () => {
        const found = await client.headManifest(remoteStageReference(repository, signature), {
          signal: callOptions.signal,
        });
        if (found === null) return;
        try {
          await client.deleteManifest(`${repository}@${found.digest}`, { signal: callOptions.signal });
        } catch (error) {
          throw deleteFailure(error, name.registry, name.repository);
        }
      }),
  };
}
