export type { BlobReadOptions } from "./blob.js";
export { type BlobSource, bytesSource, digestOfSource, fileSource } from "./blob-source.js";
export { defaultChunkSize, type UploadOptions, type UploadResult } from "./blob-upload.js";
export { createRegistryClient, type RegistryClient, type RegistryClientOptions } from "./client.js";
export { createRegistryCopier, type RegistryCopier, type RegistryCopierOptions } from "./copier.js";
export type { CopyOptions, CopyResult } from "./copy.js";
export {
  createDockerConfigCredentials,
  type DockerConfigCredentialsOptions,
  type Environment,
} from "./credentials.js";
export { sha256Digest } from "./digest.js";
export {
  DeleteUnsupportedError,
  deleteUnsupportedHint,
  isTransientFailure,
  RegistryConnectionError,
  type RegistryErrorDetail,
  RegistryResponseError,
} from "./errors.js";
export type { RegistryEvent, RegistryEventListener } from "./events.js";
export { createRegistryHousekeeping, type RegistryHousekeepingOptions } from "./housekeeping.js";
export { createLayer, createTar, type Layer, type LayerEntry } from "./layer.js";
export {
  type FetchedImageManifest,
  type FetchedManifest,
  type ManifestDescriptor,
  type ManifestReadOptions,
  type ManifestWriteOptions,
  manifestMediaType,
  parseManifest,
} from "./manifest.js";
export {
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  isImageIndex,
  type Manifest,
  manifestMediaTypes,
  mediaTypes,
  type Platform,
} from "./media-types.js";
export { formatPlatform, parsePlatform, selectPlatform } from "./platform.js";
export { createCredentialsProvider, registryPlugin } from "./plugin.js";
export {
  createImageConfig,
  createImageManifest,
  type ImageRuntimeConfig,
  type ImageSpec,
  type PushedImage,
  pushImage,
} from "./push-image.js";
export {
  isBookkeepingTag,
  leaseMediaType,
  leaseTagPrefix,
  mergeRecords,
  recordsMediaType,
  recordsTagPrefix,
} from "./record-objects.js";
export type { RetryOptions } from "./retry.js";
export { createRegistryStagesStorage, type RegistryStagesStorageOptions } from "./stages-storage.js";
export type { TagListOptions } from "./tags.js";

import { registryPlugin } from "./plugin.js";

/** The plugin entry: stages loads built-in adapters the same way as third-party ones. */
export default registryPlugin;
