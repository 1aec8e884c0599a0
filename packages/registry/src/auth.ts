import type { RegistryCredentials, RegistryCredentialsProvider, SecretRedactor } from "@stages/core";
import { AuthenticationError } from "@stages/core";
import type { RegistryEventListener } from "./events.js";
import { hostOf, isInsecureRegistry } from "./transport.js";
import { type Challenge, mergeScopes } from "./www-authenticate.js";

/** A plain request to a token server; the HTTP layer adds retries and timeouts. */
export type TokenRequestSender = (request: {
  url: URL;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: Uint8Array;
  signal?: AbortSignal;
}) => Promise<{ status: number; bytes: Uint8Array }>;

export interface RegistryAuthOptions {
  registry: string;
  credentials: RegistryCredentialsProvider;
  insecureRegistries: readonly string[];
  redactor: SecretRedactor;
  send: TokenRequestSender;
  emit: RegistryEventListener;
  /** Sent as OAuth2 `client_id` with identity tokens. */
  clientId: string;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

/** How requests to one registry authenticate: anonymous, basic, or bearer tokens cached per scope. */
export interface RegistryAuth {
  /** What the registry asked for so far (null: nothing yet, requests go anonymous). */
  readonly challenge: Challenge | null;
  setChallenge(challenge: Challenge | null): void;
  /** The `Authorization` header for a request needing `scopes`, or null. */
  authorization(scopes: readonly string[], signal?: AbortSignal): Promise<string | null>;
  /**
   * Learns from a 401 answer; true when a new attempt can succeed (a fresh token, or credentials
   * that were not sent yet), false when the credentials were refused.
   */
  unauthorized(challenge: Challenge | null, scopes: readonly string[], signal?: AbortSignal): Promise<boolean>;
}

export function createRegistryAuth(options: RegistryAuthOptions): RegistryAuth {
  let challenge: Challenge | null = null;
  let credentials: Promise<RegistryCredentials | null> | undefined;
  const tokens = new Map<string, Promise<CachedToken>>();
  // Scopes a 401 said were also needed, added to later requests for the same scopes.
  const extraScopes = new Map<string, string[]>();

  const loadCredentials = (signal?: AbortSignal) => {
    credentials ??= options.credentials(options.registry, { signal }).then(
      (found) => {
        if (found !== null && "identitytoken" in found) options.redactor.add(found.identitytoken);
        else if (found !== null) {
          options.redactor.add(found.password);
          options.redactor.add(Buffer.from(`${found.username}:${found.password}`).toString("base64"));
        }
        return found;
      },
      (error: unknown) => {
        credentials = undefined;
        throw error;
      },
    );
    return credentials;
  };

  const basicHeader = (found: RegistryCredentials | null): string | null => {
    if (found === null || !("password" in found)) return null;
    return `Basic ${Buffer.from(`${found.username}:${found.password}`).toString("base64")}`;
  };

  const scopeKey = (scopes: readonly string[]) => {
    const base = mergeScopes(scopes).join(" ");
    return mergeScopes([...scopes, ...(extraScopes.get(base) ?? [])]);
  };

  const token = (bearer: Extract<Challenge, { scheme: "bearer" }>, scopes: string[], signal?: AbortSignal) => {
    const key = scopes.join(" ");
    const cached = tokens.get(key);
    if (cached) {
      return cached.then((found) => (found.expiresAt > Date.now() ? found : refresh()));
    }
    return refresh();
    function refresh(): Promise<CachedToken> {
      const pending = fetchToken(bearer, scopes, signal);
      tokens.set(key, pending);
      pending.catch(() => {
        if (tokens.get(key) === pending) tokens.delete(key);
      });
      return pending;
    }
  };

  const fetchToken = async (
    bearer: Extract<Challenge, { scheme: "bearer" }>,
    scopes: string[],
    signal?: AbortSignal,
  ): Promise<CachedToken> => {
    const found = await loadCredentials(signal);
    let realm: URL;
    try {
      realm = new URL(bearer.realm);
    } catch {
      throw new AuthenticationError(`[registry] ${options.registry} names an invalid token realm`);
    }
    const hasSecret = found !== null;
    if (realm.protocol === "http:" && hasSecret && !isInsecureRegistry(realm.host, options.insecureRegistries)) {
      throw new AuthenticationError(
        `[registry] refusing to send credentials for ${options.registry} to a plain-HTTP token server (${realm.host})`,
        { hint: `list ${hostOf(realm.host)} as an insecure registry if this is intended` },
      );
    }
    const headers: Record<string, string> = { accept: "application/json" };
    let response: { status: number; bytes: Uint8Array };
    if (found !== null && "identitytoken" in found) {
      // docker's OAuth2 exchange of an identity (refresh) token.
      const form = new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: found.identitytoken,
        client_id: options.clientId,
        scope: scopes.join(" "),
      });
      if (bearer.service !== null) form.set("service", bearer.service);
      headers["content-type"] = "application/x-www-form-urlencoded";
      response = await options.send({
        url: realm,
        method: "POST",
        headers,
        body: new TextEncoder().encode(form.toString()),
        signal,
      });
    } else {
      const url = new URL(realm);
      if (bearer.service !== null) url.searchParams.set("service", bearer.service);
      for (const scope of scopes) url.searchParams.append("scope", scope);
      const basic = basicHeader(found);
      if (basic !== null && found !== null) {
        headers.authorization = basic;
        url.searchParams.set("account", found.username ?? "");
      }
      response = await options.send({ url, method: "GET", headers, signal });
    }
    if (response.status === 401 || response.status === 403) {
      throw new AuthenticationError(
        `[registry] the token server of ${options.registry} refused ${found ? "the credentials" : "anonymous access"} (${response.status})`,
        { hint: `log in again: docker login ${options.registry}` },
      );
    }
    if (response.status !== 200) {
      throw new AuthenticationError(`[registry] the token server of ${options.registry} answered ${response.status}`);
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(new TextDecoder().decode(response.bytes)) as typeof body;
    } catch {
      throw new AuthenticationError(`[registry] the token server of ${options.registry} did not answer with JSON`);
    }
    const value =
      typeof body.token === "string" ? body.token : typeof body.access_token === "string" ? body.access_token : "";
    if (!value) throw new AuthenticationError(`[registry] the token server of ${options.registry} sent no token`);
    options.redactor.add(value);
    const lifetime = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 60;
    options.emit({ type: "token", registry: options.registry, scopes });
    // Renew a little early so a token does not expire between the check and the request.
    return { value, expiresAt: Date.now() + Math.max(1, lifetime - Math.min(10, lifetime / 4)) * 1000 };
  };

  return {
    get challenge() {
      return challenge;
    },
    setChallenge(next) {
      challenge = next;
    },
    async authorization(scopes, signal) {
      if (challenge === null) return null;
      if (challenge.scheme === "basic") return basicHeader(await loadCredentials(signal));
      const found = await token(challenge, scopeKey(scopes), signal);
      return `Bearer ${found.value}`;
    },
    async unauthorized(next, scopes, signal) {
      if (next === null) return false;
      const previous = challenge;
      challenge = next;
      if (next.scheme === "basic") {
        // Credentials already sent with a basic challenge were refused; otherwise try them now.
        if (previous?.scheme === "basic") return false;
        return basicHeader(await loadCredentials(signal)) !== null;
      }
      const base = mergeScopes(scopes).join(" ");
      const wanted = mergeScopes([...scopes, ...(next.scope ? [next.scope] : [])]);
      if (next.scope) extraScopes.set(base, mergeScopes([...(extraScopes.get(base) ?? []), next.scope]));
      tokens.delete(wanted.join(" "));
      return true;
    },
  };
}
