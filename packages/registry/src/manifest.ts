import { type Digest, DigestMismatchError, isDigest, RegistryError, UsageError } from "@stages/core";
import { sha256Digest, verifyDigest } from "./digest.js";
import {
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  isImageIndex,
  isIndexMediaType,
  type Manifest,
  manifestMediaTypes,
  mediaTypes,
  type Platform,
} from "./media-types.js";
import { formatManifestName, type ManifestName, manifestReference } from "./parse-reference.js";
import { formatPlatform, selectPlatform } from "./platform.js";
import type { RegistryHttp } from "./request.js";
import { repositoryScope } from "./www-authenticate.js";

/** What identifies a stored manifest. */
export interface ManifestDescriptor {
  mediaType: string;
  digest: Digest;
  size: number;
}

/** A manifest as read from a registry: the exact bytes (they define the digest) and their parsed form. */
export interface FetchedManifest {
  descriptor: ManifestDescriptor;
  bytes: Uint8Array;
  manifest: Manifest;
}

/** An image manifest, resolved through an index when the name pointed at one. */
export interface FetchedImageManifest extends FetchedManifest {
  manifest: ImageManifest;
  /** The index the image was selected from, if any. */
  index: ManifestDescriptor | null;
}

export interface ManifestReadOptions {
  signal?: AbortSignal;
  /** Media types to accept; default all four manifest types. */
  accept?: readonly string[];
}

const maxManifestBytes = 4 * 1024 * 1024;

function manifestPath(name: ManifestName): string {
  return `/v2/${name.repository}/manifests/${manifestReference(name)}`;
}

function contentType(headers: Headers): string | null {
  const value = headers.get("content-type");
  return value ? (value.split(";")[0]?.trim() ?? null) : null;
}

/** The media type a manifest declares, or the one its shape implies. */
export function manifestMediaType(manifest: Manifest): string {
  if (manifest.mediaType) return manifest.mediaType;
  if (isImageIndex(manifest)) return mediaTypes.ociIndex;
  return manifest.config.mediaType === mediaTypes.dockerConfig ? mediaTypes.dockerManifest : mediaTypes.ociManifest;
}

/** Parses manifest bytes; throws RegistryError for anything that is not a schema 2 manifest or index. */
export function parseManifest(bytes: Uint8Array, what: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new RegistryError(`[registry] manifest of ${what} is not JSON`);
  }
  const manifest = value as Partial<ImageManifest & ImageIndex>;
  if (typeof value !== "object" || value === null || manifest.schemaVersion !== 2) {
    throw new RegistryError(`[registry] manifest of ${what} is not a schema 2 manifest`, {
      hint: "schema 1 manifests are not supported; push the image again with a current client",
    });
  }
  const validDescriptor = (descriptor: unknown): descriptor is Descriptor =>
    typeof descriptor === "object" &&
    descriptor !== null &&
    isDigest((descriptor as Descriptor).digest) &&
    typeof (descriptor as Descriptor).size === "number";
  if (Array.isArray(manifest.manifests)) {
    if (!manifest.manifests.every(validDescriptor))
      throw new RegistryError(`[registry] index of ${what} has an invalid entry`);
  } else if (
    !validDescriptor(manifest.config) ||
    !Array.isArray(manifest.layers) ||
    !manifest.layers.every(validDescriptor)
  ) {
    throw new RegistryError(`[registry] manifest of ${what} has no valid config and layers`);
  }
  return value as Manifest;
}

/** HEAD of a manifest: its descriptor, or null when absent. One request. */
export async function headManifest(
  http: RegistryHttp,
  name: ManifestName,
  options: ManifestReadOptions = {},
): Promise<ManifestDescriptor | null> {
  const request = {
    registry: name.registry,
    method: "HEAD" as const,
    path: manifestPath(name),
    headers: { accept: (options.accept ?? manifestMediaTypes).join(", ") },
    scopes: [repositoryScope(name.repository, ["pull"])],
    signal: options.signal,
  };
  const response = await http.send(request);
  if (response.status === 404) return null;
  if (response.status !== 200) throw http.failure(request, response);
  const header = response.headers.get("docker-content-digest");
  if (header === null || !isDigest(header)) {
    // Registries need not send the digest on HEAD; then the body tells.
    const fetched = await getManifest(http, name, options);
    return fetched?.descriptor ?? null;
  }
  if (name.digest !== null && header !== name.digest) {
    throw new DigestMismatchError(`[registry] ${formatManifestName(name)} answered with digest ${header}`);
  }
  return {
    digest: header,
    mediaType: contentType(response.headers) ?? mediaTypes.ociManifest,
    size: Number(response.headers.get("content-length") ?? 0),
  };
}

/** GET of a manifest, verified against its digest; null when absent. */
export async function getManifest(
  http: RegistryHttp,
  name: ManifestName,
  options: ManifestReadOptions = {},
): Promise<FetchedManifest | null> {
  const request = {
    registry: name.registry,
    method: "GET" as const,
    path: manifestPath(name),
    headers: { accept: (options.accept ?? manifestMediaTypes).join(", ") },
    scopes: [repositoryScope(name.repository, ["pull"])],
    signal: options.signal,
    maxBodyBytes: maxManifestBytes,
  };
  const response = await http.send(request);
  if (response.status === 404) return null;
  if (response.status !== 200) throw http.failure(request, response);
  const what = formatManifestName(name);
  const header = response.headers.get("docker-content-digest");
  // Verify against what was asked for (a digest), else against what the registry claims.
  const expected = name.digest ?? (header?.startsWith("sha256:") && isDigest(header) ? header : null);
  if (expected !== null) verifyDigest(response.bytes, expected, `manifest of ${what}`);
  const manifest = parseManifest(response.bytes, what);
  const declared = contentType(response.headers);
  const mediaType = declared !== null && manifestMediaTypes.includes(declared) ? declared : manifestMediaType(manifest);
  if (isIndexMediaType(mediaType) !== isImageIndex(manifest)) {
    throw new RegistryError(`[registry] manifest of ${what} does not have the shape its media type ${mediaType} says`);
  }
  return {
    descriptor: { mediaType, digest: expected ?? sha256Digest(response.bytes), size: response.bytes.byteLength },
    bytes: response.bytes,
    manifest,
  };
}

/** The image manifest for `platform`, following an index when the name points at one; null when absent. */
export async function getImageManifest(
  http: RegistryHttp,
  name: ManifestName,
  platform: Platform,
  options: ManifestReadOptions = {},
): Promise<FetchedImageManifest | null> {
  const fetched = await getManifest(http, name, options);
  if (fetched === null) return null;
  if (!isImageIndex(fetched.manifest)) return { ...fetched, manifest: fetched.manifest, index: null };
  const chosen = selectPlatform(fetched.manifest, platform);
  if (chosen === null) {
    const available = fetched.manifest.manifests
      .map((entry) => (entry.platform ? formatPlatform(entry.platform) : "?"))
      .join(", ");
    throw new RegistryError(
      `[registry] ${formatManifestName(name)} has no image for ${formatPlatform(platform)} (it has ${available || "none"})`,
    );
  }
  const child = await getManifest(http, { ...name, digest: chosen.digest }, options);
  if (child === null)
    throw new RegistryError(
      `[registry] ${formatManifestName(name)} lists ${chosen.digest}, which the registry does not have`,
    );
  if (isImageIndex(child.manifest))
    throw new RegistryError(`[registry] ${formatManifestName(name)} nests an index in an index`);
  return { ...child, manifest: child.manifest, index: fetched.descriptor };
}

export interface ManifestWriteOptions {
  signal?: AbortSignal;
  /** Default: the manifest's own `mediaType`, else inferred from its shape. */
  mediaType?: string;
}

/** PUT of a manifest under a tag or its digest. The bytes are sent exactly as given (they define the digest). */
export async function putManifest(
  http: RegistryHttp,
  name: ManifestName,
  content: Manifest | Uint8Array,
  options: ManifestWriteOptions = {},
): Promise<ManifestDescriptor> {
  const bytes = content instanceof Uint8Array ? content : new TextEncoder().encode(JSON.stringify(content));
  const what = formatManifestName(name);
  const manifest = content instanceof Uint8Array ? parseManifest(bytes, what) : content;
  const mediaType = options.mediaType ?? manifestMediaType(manifest);
  const digest = sha256Digest(bytes);
  if (name.digest !== null && name.digest !== digest) {
    throw new UsageError(`[registry] cannot put a manifest with digest ${digest} under ${name.digest}`);
  }
  const request = {
    registry: name.registry,
    method: "PUT" as const,
    path: manifestPath(name),
    headers: { "content-type": mediaType },
    body: bytes,
    scopes: [repositoryScope(name.repository, ["pull", "push"])],
    signal: options.signal,
  };
  const response = await http.send(request);
  if (response.status !== 201 && response.status !== 200) {
    throw http.failure(
      request,
      response,
      "check that every blob and child manifest it names was pushed to the repository first",
    );
  }
  const header = response.headers.get("docker-content-digest");
  if (header?.startsWith("sha256:") && header !== digest) {
    throw new DigestMismatchError(`[registry] ${what} was stored with digest ${header}, expected ${digest}`);
  }
  return { mediaType, digest, size: bytes.byteLength };
}

/** DELETE of a manifest by digest (every tag pointing at it goes too). False when it was absent. */
export async function deleteManifest(
  http: RegistryHttp,
  name: ManifestName,
  options: { signal?: AbortSignal } = {},
): Promise<boolean> {
  if (name.digest === null) {
    throw new UsageError(`[registry] delete ${formatManifestName(name)} by digest, not by tag`, {
      hint: "look the digest up with headManifest first",
    });
  }
  const request = {
    registry: name.registry,
    method: "DELETE" as const,
    path: manifestPath(name),
    scopes: [repositoryScope(name.repository, ["delete"])],
    signal: options.signal,
  };
  const response = await http.send(request);
  if (response.status === 202 || response.status === 200 || response.status === 204) return true;
  if (response.status === 404) return false;
  throw http.failure(
    request,
    response,
    response.status === 405
      ? `the registry does not allow deletion; enable it (Distribution: storage.delete.enabled: true)`
      : undefined,
  );
}
