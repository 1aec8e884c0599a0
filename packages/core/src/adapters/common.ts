/** Options every adapter call accepts. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Progress of one layer (or blob) moving between a host and a registry. */
export interface TransferProgress {
  /** Layer or blob id as the adapter knows it (short digest). */
  id: string;
  status: string;
  current: number | null;
  total: number | null;
}

/**
 * Credentials for one registry, as a docker config holds them: a user and password (`auth` decoded),
 * or an identity token (an OAuth2 refresh token, docker's `identitytoken`) with its user when known.
 * The one credentials type of every package: the engine sends it as X-Registry-Auth, the registry
 * client as basic auth or a token exchange.
 */
export type RegistryCredentials = { username: string; password: string } | { identitytoken: string; username?: string };

/** Gives the credentials for a registry host (`docker.io`, `localhost:5000`), or null for anonymous access. */
export type RegistryCredentialsProvider = (
  registryHost: string,
  options?: CallOptions,
) => Promise<RegistryCredentials | null>;
