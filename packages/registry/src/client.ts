import {
  createSecretRedactor,
  type Digest,
  parseDigest,
  type RegistryCredentials,
  type RegistryCredentialsProvider,
  UsageError,
} from "@stages/core";
import { type BlobReadOptions, downloadBlob, headBlob, openBlob, readBlob } from "./blob.js";
import type { BlobSource } from "./blob-source.js";
import {
  cancelUpload,
  defaultChunkSize,
  mountBlob,
  type UploadOptions,
  type UploadResult,
  uploadBlob,
} from "./blob-upload.js";
import { type CopyOptions, type CopyResult, copyManifest } from "./copy.js";
import { createDockerConfigCredentials, type Environment } from "./credentials.js";
import type { RegistryEventListener } from "./events.js";
import {
  deleteManifest,
  type FetchedImageManifest,
  type FetchedManifest,
  getImageManifest,
  getManifest,
  headManifest,
  type ManifestDescriptor,
  type ManifestReadOptions,
  type ManifestWriteOptions,
  putManifest,
} from "./manifest.js";
import type { Manifest, Platform } from "./media-types.js";
import { type ManifestName, parseManifestName, parseRepositoryName, type RepositoryName } from "./parse-reference.js";
import { parsePlatform, platformForArchitecture } from "./platform.js";
import { type FetchFunction, RegistryHttp } from "./request.js";
import { type RetryOptions, resolveRetryOptions } from "./retry.js";
import { iterateTags, listTags, type TagListOptions } from "./tags.js";
import { registryVersion } from "./version.js";

export interface RegistryClientOptions {
  /** The fetch to use (e.g. undici's fetch with a custom dispatcher). Default: the global fetch. */
  fetch?: FetchFunction;
  /** Environment for docker's config (`DOCKER_CONFIG`, `HOME`) and credential helpers (`PATH`). Default: process.env. */
  env?: Environment;
  /** Directory of docker's `config.json`. Default `$DOCKER_CONFIG`, else `$HOME/.docker`. */
  dockerConfigDir?: string;
  /** Read credentials from docker's config (auths, credHelpers, credsStore). Default true. */
  useDockerConfig?: boolean;
  /** Credentials by registry (`host[:port]`) or a provider; asked before docker's config. */
  credentials?: Readonly<Record<string, RegistryCredentials>> | RegistryCredentialsProvider;
  /** Registries (`host` or `host:port`) that may be spoken to in plain HTTP besides loopback ones. */
  insecureRegistries?: readonly string[];
  /** Requests in flight per registry at most. Default 8. */
  maxConcurrentRequests?: number;
  retry?: RetryOptions;
  /** Time allowed for an answer, and for each piece of a streamed body. Default 30 s; a second attempt without any answer fails the request. */
  timeoutMs?: number;
  /** Blobs larger than this are uploaded in chunks of this size. Default 16 MiB. */
  chunkSize?: number;
  /** Platform picked from an index. Default: linux and this host's architecture. */
  platform?: Platform | string;
  /** Requests, retries, tokens, mounts and uploads as they happen (never with secrets). */
  onEvent?: RegistryEventListener;
  userAgent?: string;
}

/** A daemonless client of the OCI distribution API. References are `host[:port]/path[:tag|@digest]`. */
export interface RegistryClient {
  /** Checks that the registry speaks the v2 API and learns how it authenticates. */
  ping(registry: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** One HEAD request: the manifest's digest, media type and size, or null when absent. */
  headManifest(reference: string, options?: ManifestReadOptions): Promise<ManifestDescriptor | null>;
  /** The manifest (or index) verified against its digest, or null when absent. */
  getManifest(reference: string, options?: ManifestReadOptions): Promise<FetchedManifest | null>;
  /** The image manifest for a platform, through an index when the reference names one. */
  getImageManifest(
    reference: string,
    options?: ManifestReadOptions & { platform?: Platform | string },
  ): Promise<FetchedImageManifest | null>;
  /** Puts a manifest under the reference's tag or digest; returns what was stored. */
  putManifest(
    reference: string,
    manifest: Manifest | Uint8Array,
    options?: ManifestWriteOptions,
  ): Promise<ManifestDescriptor>;
  /**
   * Deletes a manifest. A tag is resolved to its digest first; the registry then removes the
   * manifest and every tag pointing at it. False when it was absent.
   */
  deleteManifest(reference: string, options?: { signal?: AbortSignal }): Promise<boolean>;
  headBlob(
    repository: string,
    digest: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ digest: Digest; size: number } | null>;
  /** A blob as a stream that errors (DigestMismatchError) instead of ending when the content is wrong. */
  openBlob(repository: string, digest: string, options?: BlobReadOptions): Promise<ReadableStream<Uint8Array>>;
  /** A whole blob in memory, verified. */
  readBlob(repository: string, digest: string, options?: BlobReadOptions): Promise<Uint8Array>;
  /** A verified blob written to `path`; nothing is left behind when it does not verify. */
  downloadBlob(
    repository: string,
    digest: string,
    path: string,
    options?: BlobReadOptions,
  ): Promise<{ digest: Digest; size: number }>;
  /** Uploads a blob unless present: mount, one PUT, or resumable chunks. */
  uploadBlob(repository: string, content: Uint8Array | BlobSource, options?: UploadOptions): Promise<UploadResult>;
  /** Mounts a blob from another repository of the same registry; false when the registry refused. */
  mountBlob(repository: string, digest: string, from: string, options?: { signal?: AbortSignal }): Promise<boolean>;
  /** Every tag (all pages). */
  listTags(repository: string, options?: TagListOptions): Promise<string[]>;
  iterateTags(repository: string, options?: TagListOptions): AsyncIterable<string>;
  /**
   * Registry-side copy within one registry: blobs mounted, manifest put unchanged (same digest); within
   * one repository the manifest gets bytes (and a digest) of its own.
   */
  copy(from: string, to: string, options?: CopyOptions): Promise<CopyResult>;
}

function explicitCredentials(option: RegistryClientOptions["credentials"]): RegistryCredentialsProvider | null {
  if (option === undefined) return null;
  if (typeof option === "function") return option;
  return async (registry) => option[registry] ?? null;
}

/** Creates a registry client. Nothing is contacted until the first call. */
export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const env = options.env ?? process.env;
  const explicit = explicitCredentials(options.credentials);
  const dockerConfig =
    options.useDockerConfig === false
      ? null
      : createDockerConfigCredentials({ dockerConfigDir: options.dockerConfigDir, env });
  const credentials: RegistryCredentialsProvider = async (registry, callOptions) =>
    (await explicit?.(registry, callOptions)) ?? (await dockerConfig?.(registry, callOptions)) ?? null;
  const listener = options.onEvent;
  const http = new RegistryHttp({
    fetch: options.fetch ?? globalThis.fetch,
    retry: resolveRetryOptions(options.retry),
    timeoutMs: options.timeoutMs ?? 30_000,
    insecureRegistries: options.insecureRegistries ?? [],
    maxConcurrentRequests: options.maxConcurrentRequests ?? 8,
    credentials,
    redactor: createSecretRedactor(),
    emit: (event) => {
      try {
        listener?.(event);
      } catch {
        // A failing listener must not break a transfer.
      }
    },
    userAgent: options.userAgent ?? `stages-registry/${registryVersion}`,
  });
  const chunkSize = options.chunkSize ?? defaultChunkSize;
  const toPlatform = (value: Platform | string | undefined): Platform =>
    value === undefined
      ? platformForArchitecture(process.arch)
      : typeof value === "string"
        ? parsePlatform(value)
        : value;
  const defaultPlatform = toPlatform(options.platform);
  const repositoryOf = (text: string): RepositoryName => parseRepositoryName(text);
  const manifestOf = (text: string): ManifestName => parseManifestName(text);
  // `from` of a mount may be a bare path or a full name on the same registry.
  const mountSource = (repository: RepositoryName, from: string): string => {
    const prefix = `${repository.registry}/`;
    if (from.startsWith(prefix)) return from.slice(prefix.length);
    const first = from.split("/")[0] ?? "";
    if (from.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost")) {
      throw new UsageError(`[registry] cannot mount from another registry (${first}) into ${repository.registry}`);
    }
    return from;
  };

  return {
    ping: (registry, callOptions = {}) => http.ping(registry, callOptions.signal),
    headManifest: (reference, callOptions) => headManifest(http, manifestOf(reference), callOptions),
    getManifest: (reference, callOptions) => getManifest(http, manifestOf(reference), callOptions),
    getImageManifest: (reference, callOptions = {}) =>
      getImageManifest(
        http,
        manifestOf(reference),
        callOptions.platform === undefined ? defaultPlatform : toPlatform(callOptions.platform),
        callOptions,
      ),
    putManifest: (reference, manifest, callOptions) => putManifest(http, manifestOf(reference), manifest, callOptions),
    async deleteManifest(reference, callOptions = {}) {
      const name = manifestOf(reference);
      if (name.digest !== null) return deleteManifest(http, name, callOptions);
      const found = await headManifest(http, name, callOptions);
      if (found === null) return false;
      return deleteManifest(http, { ...name, digest: found.digest }, callOptions);
    },
    headBlob: (repository, digest, callOptions) =>
      headBlob(http, repositoryOf(repository), parseDigest(digest), callOptions),
    openBlob: (repository, digest, callOptions) =>
      openBlob(http, repositoryOf(repository), parseDigest(digest), callOptions),
    readBlob: (repository, digest, callOptions) =>
      readBlob(http, repositoryOf(repository), parseDigest(digest), callOptions),
    downloadBlob: (repository, digest, path, callOptions) =>
      downloadBlob(http, repositoryOf(repository), parseDigest(digest), path, callOptions),
    uploadBlob(repository, content, callOptions = {}) {
      const name = repositoryOf(repository);
      return uploadBlob(http, name, content, {
        chunkSize,
        ...callOptions,
        mountFrom: callOptions.mountFrom === undefined ? undefined : mountSource(name, callOptions.mountFrom),
      });
    },
    async mountBlob(repository, digest, from, callOptions = {}) {
      const name = repositoryOf(repository);
      const result = await mountBlob(http, name, parseDigest(digest), mountSource(name, from), callOptions);
      if (!result.mounted && result.location !== null) await cancelUpload(http, name, result.location);
      return result.mounted;
    },
    listTags: (repository, callOptions) => listTags(http, repositoryOf(repository), callOptions),
    iterateTags: (repository, callOptions) => iterateTags(http, repositoryOf(repository), callOptions),
    copy: (from, to, callOptions) => copyManifest(http, manifestOf(from), manifestOf(to), callOptions),
  };
}
