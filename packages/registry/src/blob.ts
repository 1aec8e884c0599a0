import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { Digest } from "@stages/core";
import { AbortedError, StagesError } from "@stages/core";
import { sleep } from "@stages/core/internal";
import { createDigestVerifier } from "./digest.js";
import { RegistryConnectionError } from "./errors.js";
import type { RepositoryName } from "./parse-reference.js";
import type { RegistryHttp } from "./request.js";
import { retryDelay } from "./retry.js";
import { repositoryScope } from "./www-authenticate.js";

export interface BlobOptions {
  signal?: AbortSignal;
}

export interface BlobReadOptions extends BlobOptions {
  /** The size the blob must have (from its descriptor); checked with the digest. */
  size?: number;
}

function blobPath(repository: RepositoryName, digest: Digest): string {
  return `/v2/${repository.repository}/blobs/${digest}`;
}

/** HEAD of a blob: its size, or null when the repository does not have it. */
export async function headBlob(
  http: RegistryHttp,
  repository: RepositoryName,
  digest: Digest,
  options: BlobOptions = {},
): Promise<{ digest: Digest; size: number } | null> {
  const request = {
    registry: repository.registry,
    method: "HEAD" as const,
    path: blobPath(repository, digest),
    scopes: [repositoryScope(repository.repository, ["pull"])],
    signal: options.signal,
  };
  const response = await http.send(request);
  if (response.status === 404) return null;
  if (response.status !== 200) throw http.failure(request, response);
  return { digest, size: Number(response.headers.get("content-length") ?? 0) };
}

/**
 * A blob's content as a stream, hashed while it flows: when the content does not match the
 * digest (or size) the stream errors with DigestMismatchError instead of ending. A consumer must
 * therefore treat what it read as valid only once the stream ended normally.
 */
export async function openBlob(
  http: RegistryHttp,
  repository: RepositoryName,
  digest: Digest,
  options: BlobReadOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const request = {
    registry: repository.registry,
    method: "GET" as const,
    path: blobPath(repository, digest),
    scopes: [repositoryScope(repository.repository, ["pull"])],
    signal: options.signal,
  };
  const response = await http.open(request);
  if (response.status !== 200 || response.body === null) {
    throw http.failure(
      request,
      response,
      response.status === 404 ? `push the blob to ${repository.repository} again` : undefined,
    );
  }
  const declared = response.headers.get("content-length");
  const size = options.size ?? (declared !== null ? Number(declared) : undefined);
  const verifier = createDigestVerifier(
    digest,
    `blob ${digest} of ${repository.registry}/${repository.repository}`,
    size,
  );
  return response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        verifier.update(chunk);
        controller.enqueue(chunk);
      },
      flush() {
        verifier.verify();
      },
    }),
  );
}

/**
 * Runs a whole read again when the connection broke while the body streamed (the request itself
 * is retried by the HTTP layer; a stream cut halfway is retried here), up to the client's limit.
 */
async function withRetries<T>(http: RegistryHttp, signal: AbortSignal | undefined, read: () => Promise<T>): Promise<T> {
  const retry = http.context.retry;
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!RegistryConnectionError.isInstance(error) || attempt > retry.retries) throw error;
      await sleep(retryDelay(attempt, retry), signal);
    }
  }
}

/** A whole blob in memory, verified. For configs and small blobs. */
export function readBlob(
  http: RegistryHttp,
  repository: RepositoryName,
  digest: Digest,
  options: BlobReadOptions = {},
): Promise<Uint8Array> {
  return withRetries(http, options.signal, async () => {
    const stream = await openBlob(http, repository, digest, options);
    const chunks: Uint8Array[] = [];
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    return Buffer.concat(chunks);
  });
}

/**
 * Writes a verified blob to `path`. The content goes to a temporary file next to it first and is
 * renamed only after the digest matched: on any failure nothing is left at `path` or beside it.
 */
export function downloadBlob(
  http: RegistryHttp,
  repository: RepositoryName,
  digest: Digest,
  path: string,
  options: BlobReadOptions = {},
): Promise<{ digest: Digest; size: number }> {
  return withRetries(http, options.signal, async () => {
    const temporary = `${path}.partial-${randomBytes(6).toString("hex")}`;
    let size = 0;
    try {
      const stream = await openBlob(http, repository, digest, options);
      await pipeline(
        Readable.fromWeb(stream as WebReadableStream<Uint8Array>),
        async function* count(source: AsyncIterable<Uint8Array>) {
          for await (const chunk of source) {
            size += chunk.byteLength;
            yield chunk;
          }
        },
        createWriteStream(temporary),
        { signal: options.signal },
      );
      await rename(temporary, path);
      return { digest, size };
    } catch (error) {
      await rm(temporary, { force: true });
      if (options.signal?.aborted && !StagesError.isInstance(error)) {
        throw new AbortedError("the operation was cancelled", { cause: error });
      }
      throw error;
    }
  });
}
