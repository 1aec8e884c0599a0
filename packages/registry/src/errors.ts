import { RegistryError, StagesError, type StagesErrorOptions } from "@stages/core";
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
