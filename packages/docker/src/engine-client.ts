import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { AbortedError, EngineError, StagesError } from "@stages/core";
import type { createEngineTransport } from "./engine-transport.js";

type Exchange = ReturnType<typeof createEngineTransport>;

/** The engine answered with an HTTP error; callers turn the ones they expect (404, 409) into results. */
export class EngineHttpError extends Error {
  readonly statusCode: number;
  readonly engineMessage: string;
  constructor(statusCode: number, engineMessage: string) {
    super(`${statusCode} ${engineMessage}`);
    this.name = "EngineHttpError";
    this.statusCode = statusCode;
    this.engineMessage = engineMessage;
  }
}

type QueryValue = string | number | boolean | undefined | readonly string[] | Record<string, unknown>;

/** One call of the Engine API. */
export interface EngineRequest {
  method: "GET" | "POST" | "PUT" | "DELETE" | "HEAD";
  /** Path below the API root, e.g. `/images/<name>/json`; names are encoded by the caller. */
  path: string;
  query?: Record<string, QueryValue>;
  /** JSON body (POST only). */
  body?: unknown;
  /** Raw body, e.g. a tar stream (PUT archive, POST images/create from source). */
  file?: Readable;
  /** Base64url X-Registry-Auth header. */
  registryAuth?: string;
  signal?: AbortSignal | undefined;
  /** Extra status codes that count as success (2xx always do). */
  accept?: readonly number[];
}

/**
 * The one place that calls the engine (through engine-transport: unix sockets, TCP and TLS).
 * Everything above it deals in EngineHttpError, EngineError and AbortedError only.
 */
export class EngineClient {
  readonly endpoint: string;
  private readonly exchange: Exchange;

  constructor(exchange: Exchange, endpoint: string) {
    this.exchange = exchange;
    this.endpoint = endpoint;
  }

  /** Calls the API and parses a JSON answer (null for an empty one). */
  async json<T>(request: EngineRequest): Promise<T> {
    const result = await this.dial(request, false);
    if (Buffer.isBuffer(result)) {
      if (result.length === 0) return null as T;
      const text = result.toString("utf8");
      try {
        return JSON.parse(text) as T;
      } catch {
        return text as T;
      }
    }
    return result as T;
  }

  /** Calls the API and hands back the response as a stream (its status was a success). */
  async stream(request: EngineRequest): Promise<IncomingMessage> {
    const response = (await this.dial(request, true)) as IncomingMessage;
    const signal = request.signal;
    if (signal) {
      const onAbort = () => response.destroy(new AbortedError("the operation was cancelled", { cause: signal.reason }));
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener("abort", onAbort, { once: true });
        response.once("close", () => signal.removeEventListener("abort", onAbort));
      }
    }
    return response;
  }

  private dial(request: EngineRequest, isStream: boolean): Promise<unknown> {
    const signal = request.signal;
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    return this.exchange({
      method: request.method,
      path: request.path,
      query: request.query ?? {},
      body: request.body,
      file: request.file,
      registryAuth: request.registryAuth,
      signal,
      acceptedStatus: new Set(request.accept ?? []),
      stream: isStream,
    }).catch((error: unknown) => {
      throw this.translate(error, signal);
    });
  }

  private translate(error: unknown, signal: AbortSignal | undefined): Error {
    if (signal?.aborted) return abortedError(signal);
    if (StagesError.isInstance(error)) return error;
    const failure = error as { statusCode?: number; json?: unknown; code?: string; message?: string };
    if (typeof failure.statusCode === "number") {
      return new EngineHttpError(failure.statusCode, engineMessageOf(failure.json, failure.message));
    }
    if (failure.code !== undefined && unreachableCodes.has(failure.code)) {
      return new EngineError(
        `[docker] no Docker Engine answers at ${this.endpoint} (${failure.code}): start dockerd or set DOCKER_HOST`,
        { cause: error, hint: "start dockerd, or point DOCKER_HOST at a running engine" },
      );
    }
    return new EngineError(`[docker] request to ${this.endpoint} failed: ${failure.message ?? String(error)}`, {
      cause: error,
    });
  }
}

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

function engineMessageOf(json: unknown, fallback: string | undefined): string {
  if (typeof json === "object" && json !== null && "message" in json) {
    const message = (json as { message: unknown }).message;
    if (typeof message === "string") return message.trim();
  }
  if (Buffer.isBuffer(json)) return json.toString("utf8").trim();
  if (typeof json === "string" && json.trim() !== "") return json.trim();
  return (fallback ?? "unknown error").trim();
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
  return new EngineError(`[docker] ${what}: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}

/** True for an EngineHttpError with one of the given status codes. */
export function isHttpStatus(error: unknown, ...codes: number[]): boolean {
  return error instanceof EngineHttpError && codes.includes(error.statusCode);
}

/** Encodes one path segment (an image or container name) for the URL. */
export function encodeName(name: string): string {
  // Slashes and colons are part of references and the engine routes them as such.
  return encodeURI(name).replace(/[?#]/g, encodeURIComponent);
}
