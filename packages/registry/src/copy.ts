import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Digest } from "@stages/core";
import { RegistryError, UsageError } from "@stages/core";
import { forEachLimited } from "@stages/core/internal";
import { downloadBlob } from "./blob.js";
import { fileSource } from "./blob-source.js";
import { cancelUpload, mountBlob, uploadBlob } from "./blob-upload.js";
import { type FetchedManifest, getManifest, putManifest } from "./manifest.js";
import { type Descriptor, isImageIndex } from "./media-types.js";
import { formatManifestName, type ManifestName } from "./parse-reference.js";
import type { RegistryHttp } from "./request.js";

export interface CopyOptions {
  signal?: AbortSignal;
  /**
   * When the registry refuses to mount a blob, move it through this host instead (download, verify,
   * upload). Default true; false makes such a copy fail.
   */
  allowTransfer?: boolean;
  /** Blobs mounted at once. Default 4. */
  concurrency?: number;
}

export interface CopyResult {
  digest: Digest;
  mediaType: string;
  /** Blobs mounted registry-side. */
  mountedBlobs: number;
  /** Blobs that had to pass through this host (mount refused). */
  transferredBlobs: number;
  /** Child manifests of an index put into the target repository. */
  copiedManifests: number;
}

interface CopyState {
  http: RegistryHttp;
  from: ManifestName;
  to: ManifestName;
  options: CopyOptions;
  result: Omit<CopyResult, "digest" | "mediaType">;
}

/**
 * The same manifest in other bytes: the JSON re-serialized (compact, else with a 2-, 3-, ... space
 * indentation: the first form that differs from `bytes`). Deterministic, so copies of one source
 * share one digest, which is never the source's. Field order and values are kept, and an engine
 * pulls it as the same image (same config, same layers).
 */
export function distinctManifestBytes(bytes: Uint8Array): Uint8Array {
  const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
  for (let indentation = 0; indentation <= 8; indentation++) {
    const candidate = new TextEncoder().encode(JSON.stringify(value, null, indentation));
    if (Buffer.compare(candidate, bytes) !== 0) return candidate;
  }
  throw new RegistryError("[registry] cannot give a manifest copy bytes of its own");
}

/**
 * Copies a manifest registry-side: its blobs are mounted from the source repository (child
 * manifests of an index are copied first), then the manifest bytes are put unchanged under the
 * target name, so the digest stays the same. Within one repository only the manifest is put, in
 * bytes of its own (`distinctManifestBytes`), so that the copy has a digest of its own.
 */
export async function copyManifest(
  http: RegistryHttp,
  from: ManifestName,
  to: ManifestName,
  options: CopyOptions = {},
): Promise<CopyResult> {
  if (from.registry !== to.registry) {
    throw new UsageError(
      `[registry] cannot copy ${formatManifestName(from)} to another registry (${to.registry}) registry-side`,
      {
        hint: "pull and push to move an image between registries",
      },
    );
  }
  const source = await getManifest(http, from, { signal: options.signal });
  if (source === null) {
    throw new RegistryError(`[registry] cannot copy ${formatManifestName(from)}: it does not exist`);
  }
  const state: CopyState = {
    http,
    from,
    to,
    options,
    result: { mountedBlobs: 0, transferredBlobs: 0, copiedManifests: 0 },
  };
  const sameRepository = from.repository === to.repository;
  if (!sameRepository) await copyContent(state, source);
  // Within one repository the copy gets bytes of its own, hence a digest of its own: Distribution's
  // DELETE by digest removes every tag of that digest, so deleting the stage (cleanup) would take a
  // published tag sharing it along.
  const bytes = sameRepository && to.digest === null ? distinctManifestBytes(source.bytes) : source.bytes;
  const stored = await putManifest(http, to, bytes, {
    mediaType: source.descriptor.mediaType,
    signal: options.signal,
  });
  return { digest: stored.digest, mediaType: stored.mediaType, ...state.result };
}

async function copyContent(state: CopyState, fetched: FetchedManifest): Promise<void> {
  const { http, from, to, options } = state;
  if (isImageIndex(fetched.manifest)) {
    for (const child of fetched.manifest.manifests) {
      const childManifest = await getManifest(
        http,
        { ...from, tag: null, digest: child.digest },
        { signal: options.signal },
      );
      if (childManifest === null) {
        throw new RegistryError(
          `[registry] ${formatManifestName(from)} lists ${child.digest}, which the registry does not have`,
        );
      }
      await copyContent(state, childManifest);
      await putManifest(http, { ...to, tag: null, digest: child.digest }, childManifest.bytes, {
        mediaType: childManifest.descriptor.mediaType,
        signal: options.signal,
      });
      state.result.copiedManifests++;
    }
    return;
  }
  const blobs = [fetched.manifest.config, ...fetched.manifest.layers].filter((blob) => !isForeign(blob));
  const unique = [...new Map(blobs.map((blob) => [blob.digest, blob])).values()];
  await forEachLimited(unique, options.concurrency ?? 4, (blob) => copyBlob(state, blob));
}

function isForeign(blob: Descriptor): boolean {
  return /foreign|nondistributable/.test(blob.mediaType);
}

async function copyBlob(state: CopyState, blob: Descriptor): Promise<void> {
  const { http, from, to, options } = state;
  const target = { registry: to.registry, repository: to.repository };
  const mount = await mountBlob(http, target, blob.digest, from.repository, { signal: options.signal });
  if (mount.mounted) {
    state.result.mountedBlobs++;
    return;
  }
  if (mount.location !== null) await cancelUpload(http, target, mount.location);
  if (options.allowTransfer === false) {
    throw new RegistryError(
      `[registry] ${to.registry} refused to mount ${blob.digest} from ${from.repository} into ${to.repository}`,
      {
        hint: "allow the transfer through this host, or check the rights on both repositories",
      },
    );
  }
  const directory = await mkdtemp(join(tmpdir(), "stages-blob-"));
  try {
    const path = join(directory, "blob");
    await downloadBlob(http, { registry: from.registry, repository: from.repository }, blob.digest, path, {
      size: blob.size,
      signal: options.signal,
    });
    await uploadBlob(http, target, await fileSource(path), {
      digest: blob.digest,
      signal: options.signal,
      skipExistenceCheck: true,
    });
    http.context.emit({
      type: "blob-transfer",
      from: from.repository,
      to: to.repository,
      digest: blob.digest,
      size: blob.size,
    });
    state.result.transferredBlobs++;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
