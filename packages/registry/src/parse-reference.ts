// References in the shape the client works with (registry, repository, tag, digest), parsed by
// @stages/core's implementation of Docker's reference grammar (DESIGN §6).

import type { Digest } from "@stages/core";
import { parseReference, parseRepository, UsageError } from "@stages/core";

/** Docker Hub: the default registry of names without a domain. */
export const dockerHubRegistry = "docker.io";

/** A repository on a registry, e.g. `{ registry: "localhost:5000", repository: "taxi/backend" }`. */
export interface RepositoryName {
  /** `host[:port]`; IPv6 hosts in brackets. */
  registry: string;
  /** Path inside the registry, without a leading slash. */
  repository: string;
}

/** A manifest in a repository, named by tag or by digest (or both: the digest wins). */
export interface ManifestName extends RepositoryName {
  tag: string | null;
  digest: Digest | null;
}

/** Parses `host[:port]/path[:tag|@digest]` with Docker's grammar (Docker Hub names get `docker.io` and `library/`). */
export function parseManifestName(text: string): ManifestName {
  const reference = parseReference(text);
  checkRegistryAddress(text, reference.domain);
  return {
    registry: reference.domain,
    repository: reference.path,
    tag: reference.tag ?? null,
    digest: reference.digest ?? null,
  };
}

/** Parses `host[:port]/path` (no tag, no digest). */
export function parseRepositoryName(text: string): RepositoryName {
  const reference = parseRepository(text);
  checkRegistryAddress(text, reference.domain);
  return { registry: reference.domain, repository: reference.path };
}

/**
 * Core refuses the hosts a URL cannot hold that it can judge alone (ports, IP addresses); what is
 * left (e.g. a name that is not valid punycode, `xn--a.com`) is caught here, where URLs are made,
 * so that it is a usage error naming the registry rather than a bare "Invalid URL".
 */
function checkRegistryAddress(text: string, registry: string): void {
  try {
    new URL(`https://${registry}/`);
  } catch (error) {
    throw new UsageError(
      `invalid reference ${JSON.stringify(text)}: registry ${JSON.stringify(registry)} is not a valid host name`,
      {
        cause: error,
        hint: 'a host name is dot-separated labels of letters, digits and "-" (xn-- labels in valid punycode)',
      },
    );
  }
}

/** `registry/repository`. */
export function formatRepositoryName(name: RepositoryName): string {
  return `${name.registry}/${name.repository}`;
}

/** `registry/repository@digest`, or `registry/repository:tag`. */
export function formatManifestName(name: ManifestName): string {
  if (name.digest !== null) return `${formatRepositoryName(name)}@${name.digest}`;
  return `${formatRepositoryName(name)}:${name.tag ?? "latest"}`;
}

/** The tag or digest to put in a `/manifests/<reference>` URL. */
export function manifestReference(name: ManifestName): string {
  return name.digest ?? name.tag ?? "latest";
}
