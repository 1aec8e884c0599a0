import {
  AuthenticationError,
  RegistryError,
  StagesError,
  type StagesErrorCode,
  type StagesErrorOptions,
  StorageError,
} from "@stages/core";
import { errorMarker, hasErrorMarker, markError } from "@stages/core/internal";

/** One entry of the `errors` array of a registry's error body. */
export interface RegistryErrorDetail {
  code: string;
  message: string;
}

const responseMarker = errorMarker("RegistryResponseError");
const connectionMarker = errorMarker("RegistryConnectionError");

/** The registry answered with an unexpected HTTP status; `retryable` follows the status. */
export class RegistryResponseError extends RegistryError {
  override readonly status: number;
  readonly details: readonly RegistryErrorDetail[];
  constructor(message: string, status: number, details: readonly RegistryErrorDetail[], options?: StagesErrorOptions) {
    super(message, { ...options, status, retryable: isRetryableStatus(status) });
    markError(this, responseMarker);
    this.name = "RegistryResponseError";
    this.status = status;
    this.details = details;
  }
  /** True for a RegistryResponseError from any copy of @stages/registry (never for a connection error). */
  static override isInstance(value: unknown): value is RegistryResponseError {
    return hasErrorMarker(value, responseMarker);
  }
}

/** The registry could not be reached, the connection broke, or it did not answer in time: always retryable. */
export class RegistryConnectionError extends RegistryError {
  readonly reason: string;
  constructor(message: string, reason: string, options?: StagesErrorOptions) {
    super(message, { ...options, retryable: true });
    markError(this, connectionMarker);
    this.name = "RegistryConnectionError";
    this.reason = reason;
  }
  /** True for a RegistryConnectionError from any copy of @stages/registry. */
  static override isInstance(value: unknown): value is RegistryConnectionError {
    return hasErrorMarker(value, connectionMarker);
  }
}

/** Statuses worth trying again: timeouts, throttling and server trouble (not 501/505). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** True for a failure that may go away when tried again. */
export function isTransientFailure(error: unknown): boolean {
  // The error's own field decides, so errors made by another bundled copy are judged alike.
  return StagesError.isInstance(error) && error.retryable;
}

/** The `errors` of a registry error body, if it has any. */
export function parseErrorDetails(bytes: Uint8Array): RegistryErrorDetail[] {
  if (bytes.byteLength === 0 || bytes.byteLength > 64 * 1024) return [];
  try {
    const body: unknown = JSON.parse(new TextDecoder().decode(bytes));
    const errors = (body as { errors?: unknown }).errors;
    if (!Array.isArray(errors)) return [];
    return errors
      .filter((entry): entry is Record<string, unknown> => typeof entry === "object" && entry !== null)
      .map((entry) => ({ code: String(entry.code ?? "UNKNOWN"), message: String(entry.message ?? "") }));
  } catch {
    return [];
  }
}

/** `MANIFEST_UNKNOWN manifest unknown; ...` or the HTTP status text. */
export function describeDetails(details: readonly RegistryErrorDetail[]): string {
  return details.map((detail) => `${detail.code} ${detail.message}`.trim()).join("; ");
}

/** The low-level reason of a failed fetch: `ECONNRESET`, `UND_ERR_SOCKET`, ... */
export function connectionFailureReason(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.message : String(error);
}

const deleteUnsupportedMarker = errorMarker("DeleteUnsupportedError");

/**
 * The registry does not delete manifests through the registry API (405, or an `UNSUPPORTED` error
 * code): a StorageError whose code is `DELETE_UNSUPPORTED` and whose hint names the setting or the
 * registry's own API that is needed.
 */
export class DeleteUnsupportedError extends StorageError {
  override readonly code: StagesErrorCode = "DELETE_UNSUPPORTED";
  constructor(message: string, options?: StagesErrorOptions) {
    super(message, options);
    markError(this, deleteUnsupportedMarker);
    this.name = "DeleteUnsupportedError";
  }
  /** True for a DeleteUnsupportedError from any copy of @stages/registry. */
  static override isInstance(value: unknown): value is DeleteUnsupportedError {
    return hasErrorMarker(value, deleteUnsupportedMarker);
  }
}

/**
 * What to do when `registry` (`host[:port]`) refuses deletes, by what the host name says it is
 * (the registry table of the README). Distribution and registries built on it need delete enabled.
 */
export function deleteUnsupportedHint(registry: string): string {
  const host = registry.replace(/:\d+$/, "").toLowerCase();
  if (host === "docker.io" || host === "registry-1.docker.io" || host === "index.docker.io") {
    return "Docker Hub does not delete through the registry API; delete tags with Docker Hub's own API or web UI";
  }
  if (/\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host) || host === "public.ecr.aws") {
    return "Amazon ECR deletes images with its own API too (BatchDeleteImage, `aws ecr batch-delete-image`); older ECR did not support DELETE of the registry API";
  }
  if (host === "gcr.io" || host.endsWith(".gcr.io") || host.endsWith("-docker.pkg.dev")) {
    return "Google Container Registry and Artifact Registry refuse to delete a digest that a tag still names (GOOGLE_MANIFEST_DANGLING_TAG); delete such images with `gcloud artifacts docker images delete IMAGE@DIGEST --delete-tags`";
  }
  if (host === "registry.gitlab.com" || host.includes("gitlab")) {
    return "GitLab deletes registry images with a token of the api scope (a CI job token is not enough), or through the GitLab API and its cleanup policies";
  }
  return "the registry does not allow deleting manifests; on CNCF Distribution enable it with REGISTRY_STORAGE_DELETE_ENABLED=true (storage.delete.enabled: true in its config), on other registries use their own API or cleanup";
}

/**
 * Turns a failed DELETE of `repository@digest` into what the user must change: DeleteUnsupportedError
 * for 405 / UNSUPPORTED, an AuthenticationError naming the `delete` right for 401 / 403; anything
 * else is returned unchanged.
 */
export function deleteFailure(error: unknown, registry: string, repository: string): unknown {
  if (RegistryResponseError.isInstance(error)) {
    // GCR and Artifact Registry refuse a digest that a tag still names (400 GOOGLE_MANIFEST_DANGLING_TAG).
    const unsupported =
      error.status === 405 ||
      error.details.some((detail) => detail.code === "UNSUPPORTED" || detail.code === "GOOGLE_MANIFEST_DANGLING_TAG");
    if (unsupported) {
      return new DeleteUnsupportedError(`${error.message} (deleting from ${registry}/${repository})`, {
        cause: error,
        hint: deleteUnsupportedHint(registry),
        status: error.status,
      });
    }
    return error;
  }
  if (AuthenticationError.isInstance(error)) {
    return new AuthenticationError(`${error.message}: deleting from ${registry}/${repository} needs the delete right`, {
      cause: error,
      hint: `log in to ${registry} as a user allowed to delete in ${repository} (token auth: the scope repository:${repository}:delete; Harbor: a maintainer or project admin; GitLab: a token of the api scope)`,
      ...(error.status === undefined ? {} : { status: error.status }),
    });
  }
  return error;
}
