import type { ImageReference, RegistryCredentials, RegistryCredentialsProvider } from "@stages/core";
import { defaultDomain, EngineError, parseReference, StagesError } from "@stages/core";
import { rememberRegistrySecrets } from "./engine-secrets.js";

/** The address the docker CLI sends for Docker Hub. */
const dockerHubServerAddress = "https://index.docker.io/v1/";

/** The auth config the engine reads from X-Registry-Auth; `{}` for anonymous access. */
export type RegistryAuthConfig = Record<string, string>;

/** The auth config for `host` (Docker Hub's is addressed as the docker CLI does). */
export function registryAuthConfig(host: string, credentials: RegistryCredentials | null): RegistryAuthConfig {
  if (credentials === null) return {};
  const serveraddress = host === defaultDomain ? dockerHubServerAddress : host;
  return "identitytoken" in credentials
    ? { identitytoken: credentials.identitytoken, serveraddress }
    : { username: credentials.username, password: credentials.password, serveraddress };
}

/**
 * The X-Registry-Auth header value for `host`: JSON in base64url WITH `=` padding, as docker-modem
 * sends dockerode's `authconfig`. The engine decodes it with Go's padded `base64.URLEncoding`;
 * without the padding, credentials whose JSON length is not a multiple of 3 were silently dropped.
 */
export function encodeRegistryAuth(host: string, credentials: RegistryCredentials | null): string {
  return Buffer.from(JSON.stringify(registryAuthConfig(host, credentials)), "utf8")
    .toString("base64")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

/**
 * Asks the provider for the registry of `reference`; the auth config to hand dockerode as
 * `authconfig` (`{}` when anonymous: a push without any X-Registry-Auth is refused by the engine).
 */
export async function registryAuthFor(
  provider: RegistryCredentialsProvider | undefined,
  reference: ImageReference | string,
): Promise<RegistryAuthConfig> {
  const domain = typeof reference === "string" ? parseReference(reference).domain : reference.domain;
  if (!provider) return registryAuthConfig(domain, null);
  let credentials: RegistryCredentials | null;
  try {
    credentials = await provider(domain);
  } catch (error) {
    if (StagesError.isInstance(error)) throw error;
    throw new EngineError(`[docker] cannot get credentials for ${domain}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const config = registryAuthConfig(domain, credentials);
  // Whatever the engine or the registry says back may carry them: errors are redacted (engine-secrets).
  rememberRegistrySecrets(config);
  return config;
}
