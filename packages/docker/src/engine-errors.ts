import { AbortedError, EngineError, StagesError } from "@stages/core";
import { redactEngineText } from "./engine-secrets.js";
import { sshFailure } from "./ssh-errors.js";

/**
 * The engine answered with an HTTP error; callers turn the ones they expect (404, 304, 409) into
 * results. Internal: it never leaves the package (engineFailure wraps it into an EngineError).
 */
export class EngineHttpError extends Error {
  readonly statusCode: number;
  readonly engineMessage: string;
  constructor(statusCode: number, engineMessage: string) {
    // Engine messages quote registry answers, which can echo our credentials back.
    const redacted = redactEngineText(engineMessage);
    super(`${statusCode} ${redacted}`);
    this.name = "EngineHttpError";
    this.statusCode = statusCode;
    this.engineMessage = redacted;
  }
}

/** Socket errors that mean no engine listens where we dial. */
const unreachableCodes = new Set([
  "ECONNREFUSED",
  "ENOENT",
  "EACCES",
  "EPERM",
  "ENOTSOCK",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EPIPE",
]);

/**
 * Turns what dockerode / docker-modem reject with (an Error with `statusCode` and `json`, a socket
 * error with `code`, an AbortError) into EngineHttpError, EngineError or AbortedError, so nothing
 * above this module sees dockerode's shapes.
 */
export function translateEngineError(error: unknown, endpoint: string, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return abortedError(signal);
  if (StagesError.isInstance(error) || error instanceof EngineHttpError) return error as Error;
  const failure = error as { statusCode?: unknown; json?: unknown; code?: unknown; message?: unknown; name?: unknown };
  if (typeof failure.statusCode === "number") {
    const engineMessage = engineMessageOf(failure.json) ?? streamCauseOf(failure);
    if (engineMessage === null && failure.statusCode === 404 && bodyText(failure.json) !== "") {
      // The engine answers every error (unknown routes included) with JSON `{"message": ...}`;
      // a plain-text 404 comes from some other HTTP server, e.g. a registry's port in DOCKER_HOST.
      return notAnEngineError(endpoint, `HTTP 404: ${bodyText(failure.json)}`);
    }
    return new EngineHttpError(failure.statusCode, engineMessage ?? (bodyText(failure.json) || statusTextOf(failure)));
  }
  if (failure.name === "AbortError") {
    return new AbortedError("the operation was cancelled", { cause: error });
  }
  const ssh = sshFailure(error, endpoint);
  if (ssh) return ssh;
  if (typeof failure.code === "string" && unreachableCodes.has(failure.code)) {
    return new EngineError(
      `[docker] no Docker Engine answers at ${endpoint} (${failure.code}): start dockerd or set DOCKER_HOST`,
      { cause: error, hint: "start dockerd, or point DOCKER_HOST at a running engine" },
    );
  }
  if (typeof failure.code === "string" && /^HPE_/.test(failure.code)) {
    return notAnEngineError(endpoint, `it does not speak HTTP (${failure.code})`);
  }
  const message = redactEngineText(typeof failure.message === "string" ? failure.message : String(error));
  return new EngineError(`[docker] request to ${endpoint} failed: ${message}`, { cause: error });
}

/** Something answers at the endpoint, but not the Engine API. */
export function notAnEngineError(endpoint: string, detail: string): StagesError {
  return new EngineError(
    `[docker] ${endpoint} answers but is not a Docker Engine (${detail}): point DOCKER_HOST at a Docker Engine`,
    {
      hint: "set DOCKER_HOST to the engine's address (e.g. unix:///var/run/docker.sock or tcp://host:2375), or unset it to use the current docker context",
    },
  );
}

function engineMessageOf(json: unknown): string | null {
  if (typeof json === "object" && json !== null && !Buffer.isBuffer(json) && "message" in json) {
    const message = (json as { message: unknown }).message;
    if (typeof message === "string") return message.trim();
  }
  return null;
}

/**
 * docker-modem keeps no body (`json` is null) for calls that answer with a stream (push, pull,
 * archive); the engine's message is only inside its text "(HTTP code 404) reason - message ".
 */
function streamCauseOf(failure: { json?: unknown; message?: unknown }): string | null {
  if (failure.json !== null && failure.json !== undefined) return null;
  if (typeof failure.message !== "string") return null;
  const cause = /^\(HTTP code \d+\) [^-]*? - ([\s\S]*)$/.exec(failure.message)?.[1]?.trim();
  return cause ? cause : null;
}

function bodyText(json: unknown): string {
  if (Buffer.isBuffer(json)) return json.toString("utf8").trim();
  if (typeof json === "string") return json.trim();
  if (typeof json === "object" && json !== null) return JSON.stringify(json);
  return "";
}

function statusTextOf(failure: { statusCode?: unknown }): string {
  return `HTTP ${String(failure.statusCode)}`;
}

/** The AbortedError for a cancelled signal. */
export function abortedError(signal: AbortSignal): StagesError {
  return new AbortedError("the operation was cancelled", { cause: signal.reason });
}

/** Wraps anything thrown below into an error of our kinds, saying what was being done. */
export function engineFailure(what: string, error: unknown): Error {
  if (StagesError.isInstance(error)) return error;
  if (error instanceof EngineHttpError) {
    return new EngineError(`[docker] ${what}: ${error.engineMessage}`, { cause: error });
  }
  const message = redactEngineText(error instanceof Error ? error.message : String(error));
  return new EngineError(`[docker] ${what}: ${message}`, {
    cause: error,
  });
}

/** True for an EngineHttpError with one of the given status codes. */
export function isHttpStatus(error: unknown, ...codes: number[]): boolean {
  return error instanceof EngineHttpError && codes.includes(error.statusCode);
}
