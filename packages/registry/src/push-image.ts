import type { Digest } from "@stages/core";
import { forEachLimited } from "@stages/core/internal";
import type { RegistryClient } from "./client.js";
import { sha256Digest } from "./digest.js";
import type { Layer } from "./layer.js";
import type { Platform } from "./media-types.js";
import { type Descriptor, type ImageManifest, mediaTypes } from "./media-types.js";
import { formatRepositoryName, parseManifestName } from "./parse-reference.js";

/** The runtime settings of an image config (`config` of the image JSON). */
export interface ImageRuntimeConfig {
  Labels?: Record<string, string>;
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
}

export interface ImageSpec {
  layers: readonly Layer[];
  config?: ImageRuntimeConfig;
  /** Manifest and config media types: Docker v2 schema 2 (default) or OCI. */
  format?: "docker" | "oci";
  platform?: Platform;
  /** ISO 8601; default the epoch, so equal inputs give equal digests. */
  created?: string;
}

export interface PushedImage {
  digest: Digest;
  mediaType: string;
  manifest: ImageManifest;
  manifestBytes: Uint8Array;
  config: Descriptor;
}

/** The image config JSON of `spec`, as bytes. */
export function createImageConfig(spec: ImageSpec): Uint8Array {
  const platform = spec.platform ?? { os: "linux", architecture: "amd64" };
  const created = spec.created ?? "1970-01-01T00:00:00Z";
  const config = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    created,
    config: spec.config ?? {},
    rootfs: { type: "layers", diff_ids: spec.layers.map((layer) => layer.diffId) },
    history: spec.layers.map(() => ({ created, created_by: "stages" })),
  };
  return new TextEncoder().encode(JSON.stringify(config));
}

/** The manifest of an image made of `layers` and a config blob. */
export function createImageManifest(
  format: "docker" | "oci",
  config: Descriptor,
  layers: readonly Layer[],
): ImageManifest {
  return {
    schemaVersion: 2,
    mediaType: format === "docker" ? mediaTypes.dockerManifest : mediaTypes.ociManifest,
    config,
    layers: layers.map((layer) => ({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size })),
  };
}

/** Pushes an image from raw blobs (layers and a generated config) and tags it as `reference`. */
export async function pushImage(
  client: RegistryClient,
  reference: string,
  spec: ImageSpec,
  options: { signal?: AbortSignal } = {},
): Promise<PushedImage> {
  const format = spec.format ?? "docker";
  const repository = formatRepositoryName(parseManifestName(reference));
  const configBytes = createImageConfig(spec);
  const config: Descriptor = {
    mediaType: format === "docker" ? mediaTypes.dockerConfig : mediaTypes.ociConfig,
    digest: sha256Digest(configBytes),
    size: configBytes.byteLength,
  };
  await forEachLimited(spec.layers, 4, async (layer) => {
    await client.uploadBlob(repository, layer.bytes, { digest: layer.digest, signal: options.signal });
  });
  await client.uploadBlob(repository, configBytes, { digest: config.digest, signal: options.signal });
  const manifest = createImageManifest(format, config, spec.layers);
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
  const stored = await client.putManifest(reference, manifestBytes, { signal: options.signal });
  return { digest: stored.digest, mediaType: stored.mediaType, manifest, manifestBytes, config };
}
