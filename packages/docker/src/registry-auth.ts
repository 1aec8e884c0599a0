import type { ImageReference } from "@stages/core";
import { defaultDomain, EngineError, parseReference, StagesError } from "@stages/core";

/** Credentials for one registry, as in a docker config (`auth` decoded, or an identity token). */
export type RegistryCredentials = { username: string; password: string } | { identitytoken: string };

/**
 * Gives the credentials for a registry host (`docker.io`, `localhost:5000`, `[::1]:5000`), or null
 * for anonymous access. The CLI answers it from `$DOCKER_CONFIG/config.json`.
 */
export type RegistryAuthProvider = (registryHost: string) => Promise<RegistryCredentials | null>;

/** The address the docker CLI sends for Docker Hub. */
const dockerHubServerAddress = "https://index.docker.io/v1/";

/** The X-Registry-Auth header value for `host`: base64url JSON, `{}` for anonymous access. */
export function encodeRegistryAuth(host: string, credentials: RegistryCredentials | null): string {
  let payload: Record<string, string> = {};
  if (credentials !== null) {
    const serveraddress = host === defaultDomain ? dockerHubServerAddress : host;
    payload =
      "identitytoken" in credentials
        ? { identitytoken: credentials.identitytoken, serveraddress }
        : { username: credentials.username, password: credentials.password, serveraddress };
  }
  return Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
}

/** Asks the provider for the registry of `reference` and encodes the header; anonymous without one. */
export async function registryAuthFor(
  provider: RegistryAuthProvider | undefined,
  reference: ImageReference | string,
): Promise<string> {
  const domain = typeof reference === "string" ? parseReference(reference).domain : reference.domain;
  if (!provider) return encodeRegistryAuth(domain, null);
  let credentials: RegistryCredentials | null;
  try {
    credentials = await provider(domain);
  } catch (error) {
    if (StagesError.isInstance(error)) throw error;
    throw new EngineError(`[docker] cannot get credentials for ${domain}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return encodeRegistryAuth(domain, credentials);
}
