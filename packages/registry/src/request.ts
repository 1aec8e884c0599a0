import type { RegistryCredentialsProvider, SecretRedactor } from "@stages/core";
import { AbortedError, AuthenticationError, RegistryError, StagesError } from "@stages/core";
import { createLimiter, type Limiter, sleep } from "@stages/core/internal";
import { type AttemptGuard, createAttemptGuard, pathOf, raceAbort, readBody, throwIfCancelled } from "./attempt.js";
import { createRegistryAuth, type RegistryAuth } from "./auth.js";
import {
  connectionFailureReason,
  describeDetails,
  isRetryableStatus,
  parseErrorDetails,
  RegistryConnectionError,
  RegistryResponseError,
} from "./errors.js";
import type { RegistryEvent } from "./events.js";
import { parseRetryAfter, type ResolvedRetryOptions, retryDelay } from "./retry.js";
import { apiHost, candidateSchemes } from "./transport.js";
import { parseChallenge } from "./www-authenticate.js";

export type FetchFunction = typeof globalThis.fetch;

/** Everything the HTTP layer of one client shares. */
export interface HttpContext {
  fetch: FetchFunction;
  retry: ResolvedRetryOptions;
  timeoutMs: number;
  insecureRegistries: readonly string[];
  maxConcurrentRequests: number;
  credentials: RegistryCredentialsProvider;
  redactor: SecretRedactor;
  emit: (event: RegistryEvent) => void;
  userAgent: string;
}

export type HttpMethod = "GET" | "HEAD" | "PUT" | "POST" | "PATCH" | "DELETE";

/** One request to a registry's API. */
export interface RegistryRequest {
  registry: string;
  method: HttpMethod;
  /** `/v2/...`, or an absolute URL the registry handed out (upload locations, `Link`). */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Token scopes the request needs, e.g. `repository:taxi:pull`. */
  scopes: readonly string[];
  signal?: AbortSignal;
  /** False: fail at the first transient error (the caller recovers itself). Default true. */
  retry?: boolean;
  /** Refuse bodies larger than this. Default 4 MiB. */
  maxBodyBytes?: number;
}

export interface BufferedResponse {
  status: number;
  headers: Headers;
  /** The final URL (after redirects), to resolve relative `Location`s against. */
  url: string;
  bytes: Uint8Array;
}

export interface StreamedResponse {
  status: number;
  headers: Headers;
  url: string;
  /** The body of a 2xx answer (the request slot is held until it is read or cancelled). */
  body: ReadableStream<Uint8Array> | null;
  /** The body of any other answer. */
  bytes: Uint8Array;
}

interface Endpoint {
  baseUrl: string;
  limiter: Limiter;
  auth: RegistryAuth;
}

/** A target of the generic exchange loop. */
interface Exchange {
  label: string;
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body?: Uint8Array;
  signal?: AbortSignal;
  retry: boolean;
  limiter?: Limiter;
  auth?: { registryAuth: RegistryAuth; scopes: readonly string[] };
}

type Attempt<T> =
  | { kind: "done"; value: T }
  // The failure is made only when the retries give up, so its message is built once with the attempt count.
  | {
      kind: "retry";
      reason: string;
      retryAfterMs: number | null;
      /** The registry said nothing at all within the attempt's time. */
      silent?: boolean;
      failure: (suffix: string) => Error;
    }
  | { kind: "reauthorize"; header: string | null; failure: Error };

const defaultMaxBodyBytes = 4 * 1024 * 1024;
/** `60 s`, or `300 ms` below a second. */
function formatSeconds(milliseconds: number): string {
  return milliseconds < 1000 ? `${milliseconds} ms` : `${Math.round(milliseconds / 1000)} s`;
}

/** How many attempts without any answer a request gets before it fails. */
const maximumSilentAttempts = 2;

/** The HTTP layer: endpoints (scheme, ping, auth, concurrency) per registry, retries, timeouts. */
export class RegistryHttp {
  readonly #context: HttpContext;
  readonly #endpoints = new Map<string, Promise<Endpoint>>();

  constructor(context: HttpContext) {
    this.#context = context;
  }

  get context(): HttpContext {
    return this.#context;
  }

  /** Checks that `registry` speaks the v2 API (GET /v2/) and learns how it authenticates. */
  async ping(registry: string, signal?: AbortSignal): Promise<void> {
    await this.#endpoint(registry, signal);
  }

  /** Sends a request and reads the whole answer. Transient failures are retried; 401/403 throw AuthenticationError. */
  async send(request: RegistryRequest): Promise<BufferedResponse> {
    const exchange = await this.#exchange(request);
    const limit = request.maxBodyBytes ?? defaultMaxBodyBytes;
    return this.#run(exchange, async (response, guard) => ({
      status: response.status,
      headers: response.headers,
      url: response.url || exchange.url.toString(),
      bytes: await readBody(response, limit, guard),
    }));
  }

  /** Sends a request and hands the body of a 2xx answer over as a stream. */
  async open(request: RegistryRequest): Promise<StreamedResponse> {
    const exchange = await this.#exchange(request);
    return this.#run(exchange, async (response, guard, keep) => {
      const url = response.url || exchange.url.toString();
      if (!response.ok || response.body === null) {
        return {
          status: response.status,
          headers: response.headers,
          url,
          body: null,
          bytes: await readBody(response, defaultMaxBodyBytes, guard),
        };
      }
      const release = keep();
      return {
        status: response.status,
        headers: response.headers,
        url,
        body: this.#guardedStream(response.body, guard, release, exchange),
        bytes: new Uint8Array(),
      };
    });
  }

  /** An error for an answer the caller did not expect. */
  failure(
    request: Pick<RegistryRequest, "registry" | "method" | "path">,
    response: { status: number; bytes: Uint8Array },
    hint?: string,
    suffix = "",
  ): RegistryResponseError {
    const details = parseErrorDetails(response.bytes);
    const what = describeDetails(details);
    const message = `[registry] ${response.status} from ${request.registry} for ${request.method} ${pathOf(request.path)}${what ? `: ${what}` : ""}${suffix}`;
    return new RegistryResponseError(
      this.#context.redactor.redact(message),
      response.status,
      details,
      hint === undefined ? undefined : { hint },
    );
  }

  async #exchange(request: RegistryRequest): Promise<Exchange> {
    const endpoint = await this.#endpoint(request.registry, request.signal);
    const url = new URL(request.path, endpoint.baseUrl);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
    return {
      label: request.registry,
      method: request.method,
      url,
      headers: { ...request.headers },
      body: request.body,
      signal: request.signal,
      retry: request.retry ?? true,
      limiter: endpoint.limiter,
      // Credentials go only to the registry itself, never to a host a Location or Link points at.
      auth:
        url.origin === new URL(endpoint.baseUrl).origin
          ? { registryAuth: endpoint.auth, scopes: request.scopes }
          : undefined,
    };
  }

  #endpoint(registry: string, signal?: AbortSignal): Promise<Endpoint> {
    let pending = this.#endpoints.get(registry);
    if (!pending) {
      // The ping is shared by every caller, so it does not listen to one caller's signal.
      pending = this.#resolveEndpoint(registry);
      this.#endpoints.set(registry, pending);
      pending.catch(() => this.#endpoints.delete(registry));
    }
    return raceAbort(pending, signal);
  }

  async #resolveEndpoint(registry: string): Promise<Endpoint> {
    const context = this.#context;
    const auth = createRegistryAuth({
      registry,
      credentials: context.credentials,
      insecureRegistries: context.insecureRegistries,
      redactor: context.redactor,
      emit: context.emit,
      clientId: "stages",
      send: (tokenRequest) =>
        this.#run(
          {
            label: tokenRequest.url.host,
            method: tokenRequest.method,
            url: tokenRequest.url,
            headers: tokenRequest.headers,
            body: tokenRequest.body,
            signal: tokenRequest.signal,
            retry: true,
          },
          async (response, guard) => ({ status: response.status, bytes: await readBody(response, 1024 * 1024, guard) }),
          { passUnauthorized: true },
        ),
    });
    const schemes = candidateSchemes(registry, context.insecureRegistries);
    for (const [index, scheme] of schemes.entries()) {
      const baseUrl = `${scheme}://${apiHost(registry)}`;
      const last = index === schemes.length - 1;
      try {
        const response = await this.#run(
          { label: registry, method: "GET", url: new URL("/v2/", baseUrl), headers: {}, retry: last },
          async (answer, guard) => ({
            status: answer.status,
            headers: answer.headers,
            bytes: await readBody(answer, 64 * 1024, guard),
          }),
          { passUnauthorized: true },
        );
        if (response.status === 401) {
          auth.setChallenge(parseChallenge(response.headers.get("www-authenticate")));
        } else if (response.status !== 200) {
          throw this.failure(
            { registry, method: "GET", path: "/v2/" },
            response,
            `check that ${registry} is a Docker/OCI registry (v2 API)`,
          );
        }
        return { baseUrl, limiter: createLimiter(context.maxConcurrentRequests), auth };
      } catch (error) {
        if (last || !RegistryConnectionError.isInstance(error)) throw error;
      }
    }
    throw new RegistryError(`[registry] no way to reach ${registry}`);
  }

  /** The retry loop shared by registry requests, pings and token requests. */
  async #run<T>(
    exchange: Exchange,
    consume: (response: Response, guard: AttemptGuard, keep: () => () => void) => Promise<T>,
    options: { passUnauthorized?: boolean } = {},
  ): Promise<T> {
    const maximumRetries = exchange.retry ? this.#context.retry.retries : 0;
    let retries = 0;
    let silentAttempts = 0;
    let reauthorized = false;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(exchange, attempt, consume, options);
      if (outcome.kind === "done") return outcome.value;
      if (outcome.kind === "reauthorize") {
        const auth = exchange.auth;
        const again =
          auth !== undefined &&
          !reauthorized &&
          (await auth.registryAuth.unauthorized(parseChallenge(outcome.header), auth.scopes, exchange.signal));
        if (!again) throw outcome.failure;
        reauthorized = true;
        continue;
      }
      if (outcome.silent) silentAttempts++;
      // A registry that accepts connections and never answers would otherwise hold the command for
      // every retry's full timeout (5 × 60 s): a second silent attempt ends it, naming the host.
      if (retries >= maximumRetries || silentAttempts >= maximumSilentAttempts) {
        throw outcome.failure(maximumRetries > 0 ? ` (gave up after ${attempt} attempts)` : "");
      }
      retries++;
      const delayMs = retryDelay(retries, this.#context.retry, outcome.retryAfterMs);
      this.#context.emit({
        type: "retry",
        registry: exchange.label,
        method: exchange.method,
        path: exchange.url.pathname,
        attempt,
        delayMs,
        reason: this.#context.redactor.redact(outcome.reason),
      });
      await sleep(delayMs, exchange.signal);
    }
  }

  async #attempt<T>(
    exchange: Exchange,
    attempt: number,
    consume: (response: Response, guard: AttemptGuard, keep: () => () => void) => Promise<T>,
    options: { passUnauthorized?: boolean },
  ): Promise<Attempt<T>> {
    const context = this.#context;
    throwIfCancelled(exchange.signal);
    const headers: Record<string, string> = { "user-agent": context.userAgent, ...exchange.headers };
    if (exchange.auth) {
      const authorization = await exchange.auth.registryAuth.authorization(exchange.auth.scopes, exchange.signal);
      if (authorization !== null) headers.authorization = authorization;
    }
    const release = exchange.limiter ? await exchange.limiter.acquire(exchange.signal) : () => {};
    // A body being sent gets time on top, as if it crawled at 64 KiB/s, so large chunks do not time out.
    const sending = exchange.body === undefined ? 0 : Math.ceil((exchange.body.byteLength / 65_536) * 1000);
    const guard = createAttemptGuard(exchange.signal, context.timeoutMs + sending);
    let kept = false;
    const keep = () => {
      kept = true;
      return () => {
        guard.done();
        release();
      };
    };
    const started = Date.now();
    const describe = `${exchange.method} ${exchange.url.pathname}`;
    try {
      let response: Response;
      try {
        response = await context.fetch(exchange.url, {
          method: exchange.method,
          headers,
          body: exchange.body,
          signal: guard.signal,
          redirect: "follow",
        });
      } catch (error) {
        return this.#connectionOutcome(error, guard, exchange);
      }
      context.emit({
        type: "request",
        registry: exchange.label,
        method: exchange.method,
        path: exchange.url.pathname,
        status: response.status,
        attempt,
        durationMs: Date.now() - started,
      });
      const status = response.status;
      if (!options.passUnauthorized && (status === 401 || status === 403)) {
        const bytes = await readBody(response, 64 * 1024, guard).catch(() => new Uint8Array());
        const details = describeDetails(parseErrorDetails(bytes));
        const failure = new AuthenticationError(
          context.redactor.redact(
            `[registry] ${status} from ${exchange.label} for ${describe}${details ? `: ${details}` : ""}: ${status === 401 ? "authentication required or refused" : "access denied"}`,
          ),
          {
            hint: `check the credentials for ${exchange.label} (docker login ${exchange.label}) and their rights on the repository`,
          },
        );
        if (status === 401) return { kind: "reauthorize", header: response.headers.get("www-authenticate"), failure };
        return { kind: "reauthorize", header: null, failure };
      }
      if (isRetryableStatus(status)) {
        const bytes = await readBody(response, 64 * 1024, guard).catch(() => new Uint8Array());
        const request = { registry: exchange.label, method: exchange.method, path: exchange.url.pathname };
        return {
          kind: "retry",
          reason: `${status}`,
          retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
          failure: (suffix) => this.failure(request, { status, bytes }, undefined, suffix),
        };
      }
      try {
        return { kind: "done", value: await consume(response, guard, keep) };
      } catch (error) {
        if (StagesError.isInstance(error)) throw error;
        return this.#connectionOutcome(error, guard, exchange);
      }
    } finally {
      if (!kept) {
        guard.done();
        release();
      }
    }
  }

  #connectionOutcome(error: unknown, guard: AttemptGuard, exchange: Exchange): Attempt<never> {
    throwIfCancelled(exchange.signal, error);
    if (StagesError.isInstance(error)) throw error;
    const reason = guard.timedOut
      ? `no answer within ${formatSeconds(this.#context.timeoutMs)}`
      : connectionFailureReason(error);
    const failure = (suffix: string) =>
      new RegistryConnectionError(
        this.#context.redactor.redact(
          `[registry] connection to ${exchange.label} failed for ${exchange.method} ${exchange.url.pathname}: ${reason}${suffix}`,
        ),
        reason,
        { cause: error, hint: `check that ${exchange.label} is up and reachable from this host` },
      );
    return { kind: "retry", reason, retryAfterMs: null, silent: guard.timedOut, failure };
  }

  #guardedStream(
    body: ReadableStream<Uint8Array>,
    guard: AttemptGuard,
    release: () => void,
    exchange: Exchange,
  ): ReadableStream<Uint8Array> {
    const reader = body.getReader();
    const fail = (error: unknown): Error => {
      if (exchange.signal?.aborted)
        return new AbortedError("the operation was cancelled", { cause: exchange.signal.reason });
      const reason = guard.timedOut ? "the transfer stalled" : connectionFailureReason(error);
      return new RegistryConnectionError(
        this.#context.redactor.redact(
          `[registry] connection to ${exchange.label} broke while reading ${exchange.url.pathname}: ${reason}`,
        ),
        reason,
        { cause: error },
      );
    };
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            release();
            controller.close();
            return;
          }
          guard.touch();
          controller.enqueue(value);
        } catch (error) {
          release();
          controller.error(fail(error));
        }
      },
      async cancel(reason) {
        release();
        await reader.cancel(reason).catch(() => {});
      },
    });
  }
}
