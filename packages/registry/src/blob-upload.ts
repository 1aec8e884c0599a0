import type { Digest } from "@stages/core";
import { DigestMismatchError, RegistryError } from "@stages/core";
import { sleep } from "@stages/core/internal";
import { headBlob } from "./blob.js";
import { type BlobSource, bytesSource, digestOfSource } from "./blob-source.js";
import { isTransientFailure, RegistryResponseError } from "./errors.js";
import type { RepositoryName } from "./parse-reference.js";
import type { BufferedResponse, RegistryHttp, RegistryRequest } from "./request.js";
import { retryDelay } from "./retry.js";
import { repositoryScope } from "./www-authenticate.js";

export interface UploadOptions {
  signal?: AbortSignal;
  /** The digest of the content, when known (otherwise it is computed first). */
  digest?: Digest;
  /** Another repository of the same registry that may hold the blob: mounted from there when it does. */
  mountFrom?: string;
  /** Blobs larger than this go in chunks of this size (PATCH), smaller ones in one PUT. */
  chunkSize?: number;
  /** Skip the HEAD that avoids uploading what the repository already has. */
  skipExistenceCheck?: boolean;
  onProgress?: (uploaded: number, total: number) => void;
}

export interface UploadResult {
  digest: Digest;
  size: number;
  /** `exists`: the repository had it; `mounted`: cross-repository mount; `uploaded`: the bytes were sent. */
  outcome: "exists" | "mounted" | "uploaded";
}

export type MountResult = { mounted: true } | { mounted: false; location: string | null };

export const defaultChunkSize = 16 * 1024 * 1024;

function uploadsPath(repository: RepositoryName): string {
  return `/v2/${repository.repository}/blobs/uploads/`;
}

function pushScopes(repository: RepositoryName): string[] {
  return [repositoryScope(repository.repository, ["pull", "push"])];
}

function locationOf(response: BufferedResponse): string {
  const location = response.headers.get("location");
  if (!location)
    throw new RegistryError(`[registry] the registry started an upload without saying where (no Location)`);
  return new URL(location, response.url).toString();
}

/** The offset after the bytes a `Range: 0-<last>` header confirms. */
function offsetFromRange(range: string | null, fallback: number): number {
  const match = range === null ? null : /^(?:bytes=)?0-(\d+)$/.exec(range.trim());
  if (!match) return fallback;
  const last = Number(match[1]);
  // Distribution says `0-0` both for nothing and for one byte received.
  return last === 0 && fallback <= 0 ? 0 : last + 1;
}

/**
 * Asks the registry to mount `digest` from the repository `from` into `repository`. A registry that
 * refuses (202) starts an ordinary upload instead; its location is returned for the caller to use.
 */
export async function mountBlob(
  http: RegistryHttp,
  repository: RepositoryName,
  digest: Digest,
  from: string,
  options: { signal?: AbortSignal } = {},
): Promise<MountResult> {
  const request: RegistryRequest = {
    registry: repository.registry,
    method: "POST",
    path: uploadsPath(repository),
    query: { mount: digest, from },
    scopes: [...pushScopes(repository), repositoryScope(from, ["pull"])],
    signal: options.signal,
  };
  const response = await http.send(request);
  const mounted = response.status === 201;
  http.context.emit({ type: "blob-mount", repository: repository.repository, digest, from, mounted });
  if (mounted) return { mounted: true };
  if (response.status === 202) return { mounted: false, location: locationOf(response) };
  throw http.failure(request, response);
}

/** Cancels an upload session (best effort: an abandoned session expires on its own). */
export async function cancelUpload(http: RegistryHttp, repository: RepositoryName, location: string): Promise<void> {
  try {
    await http.send({
      registry: repository.registry,
      method: "DELETE",
      path: location,
      scopes: pushScopes(repository),
      retry: false,
    });
  } catch {
    // The registry forgets it anyway.
  }
}

/**
 * Uploads a blob: nothing when the repository has it, a mount when `mountFrom` has it, else one PUT
 * (small blobs) or PATCH chunks and a closing PUT. A broken chunk is resumed from the offset the
 * registry confirms (GET on the upload location); when the registry lost the session, the upload
 * starts over. Transient failures are recovered up to the client's retry limit.
 */
export async function uploadBlob(
  http: RegistryHttp,
  repository: RepositoryName,
  content: BlobSource | Uint8Array,
  options: UploadOptions = {},
): Promise<UploadResult> {
  const source = content instanceof Uint8Array ? bytesSource(content) : content;
  const { signal } = options;
  const digest = options.digest ?? (await digestOfSource(source, signal));
  const size = source.size;
  if (!options.skipExistenceCheck && (await headBlob(http, repository, digest, { signal })) !== null) {
    return { digest, size, outcome: "exists" };
  }
  let mountSession: string | null = null;
  if (options.mountFrom !== undefined && options.mountFrom !== repository.repository) {
    const mount = await mountBlob(http, repository, digest, options.mountFrom, { signal });
    if (mount.mounted) return { digest, size, outcome: "mounted" };
    mountSession = mount.location;
  }
  const chunkSize = options.chunkSize ?? defaultChunkSize;
  const chunked = size > chunkSize;
  const retry = http.context.retry;
  const emit = http.context.emit;
  http.context.emit({ type: "blob-upload", repository: repository.repository, digest, size, chunked });

  const start = async (): Promise<string> => {
    const request: RegistryRequest = {
      registry: repository.registry,
      method: "POST",
      path: uploadsPath(repository),
      scopes: pushScopes(repository),
      signal,
    };
    const response = await http.send(request);
    if (response.status !== 202) throw http.failure(request, response);
    return locationOf(response);
  };
  const status = async (at: string, known: number): Promise<{ location: string; offset: number } | null> => {
    const request: RegistryRequest = {
      registry: repository.registry,
      method: "GET",
      path: at,
      scopes: pushScopes(repository),
      signal,
    };
    const response = await http.send(request);
    if (response.status !== 204 && response.status !== 200) return null;
    return {
      location: response.headers.get("location") ? locationOf(response) : at,
      offset: offsetFromRange(response.headers.get("range"), known),
    };
  };
  const finish = async (at: string, body: Uint8Array): Promise<void> => {
    const request: RegistryRequest = {
      registry: repository.registry,
      method: "PUT",
      path: at,
      query: { digest },
      headers: { "content-type": "application/octet-stream" },
      body,
      scopes: pushScopes(repository),
      signal,
      retry: false,
    };
    const response = await http.send(request);
    if (response.status === 201 || response.status === 204) {
      const stored = response.headers.get("docker-content-digest");
      if (stored !== null && stored !== digest) {
        throw new DigestMismatchError(`[registry] blob was stored as ${stored}, expected ${digest}`);
      }
      return;
    }
    const failure = http.failure(request, response);
    if (failure.details.some((detail) => detail.code === "DIGEST_INVALID")) {
      throw new DigestMismatchError(`[registry] the registry received content that does not match ${digest}`, {
        cause: failure,
        hint: "the content changed while it was uploaded; upload it again",
      });
    }
    throw failure;
  };

  let location = mountSession ?? (await start());
  let offset = 0;
  let recoveries = 0;
  for (;;) {
    try {
      if (!chunked) {
        await finish(location, await source.read(0, size));
        options.onProgress?.(size, size);
        return { digest, size, outcome: "uploaded" };
      }
      while (offset < size) {
        const end = Math.min(offset + chunkSize, size);
        const request: RegistryRequest = {
          registry: repository.registry,
          method: "PATCH",
          path: location,
          headers: { "content-type": "application/octet-stream", "content-range": `${offset}-${end - 1}` },
          body: await source.read(offset, end),
          scopes: pushScopes(repository),
          signal,
          retry: false,
        };
        const response = await http.send(request);
        if (response.status !== 202) throw http.failure(request, response);
        location = locationOf(response);
        offset = offsetFromRange(response.headers.get("range"), end);
        options.onProgress?.(offset, size);
      }
      await finish(location, new Uint8Array());
      return { digest, size, outcome: "uploaded" };
    } catch (error) {
      const outOfRange = RegistryResponseError.isInstance(error) && error.status === 416;
      if ((!isTransientFailure(error) && !outOfRange) || recoveries >= retry.retries) throw error;
      recoveries++;
      await sleep(retryDelay(recoveries, retry), signal);
      const known: { location: string; offset: number } | null =
        chunked && !outOfRange ? await status(location, offset) : null;
      if (known !== null) {
        location = known.location;
        offset = known.offset;
        emit({ type: "upload-resume", repository: repository.repository, digest, offset });
      } else {
        await cancelUpload(http, repository, location);
        location = await start();
        offset = 0;
        emit({
          type: "upload-restart",
          repository: repository.repository,
          digest,
          reason: error instanceof Error ? http.context.redactor.redact(error.message) : "upload failed",
        });
      }
    }
  }
}
