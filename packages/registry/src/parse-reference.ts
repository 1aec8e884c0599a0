// A minimal parser of `host[:port]/path[:tag|@digest]` until @stages/core exports its own
// (DESIGN §6 reference grammar). Only what the client needs: registry, repository, tag, digest.
import { InvalidReferenceError } from "@stages/core";
import { type Digest, isDigest } from "./digest.js";

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

const pathComponent = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const domainPattern =
  /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]+)?$/;

function invalid(text: string, why: string): never {
  throw new InvalidReferenceError(`invalid reference "${text}": ${why}`, {
    hint: "write it as host[:port]/path[:tag] or host[:port]/path@sha256:<64 hex>",
  });
}

/** Parses `host[:port]/path[:tag|@digest]` (Docker Hub names get `docker.io` and `library/`). */
export function parseManifestName(text: string): ManifestName {
  let rest = text;
  let digest: Digest | null = null;
  const at = rest.indexOf("@");
  if (at !== -1) {
    const candidate = rest.slice(at + 1);
    if (!isDigest(candidate)) invalid(text, `"${candidate}" is not a sha256 digest`);
    digest = candidate;
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    if (!tagPattern.test(tag)) invalid(text, `"${tag}" is not a valid tag`);
    rest = rest.slice(0, colon);
  }
  return { ...parseRepositoryName(rest, text), tag, digest };
}

/** Parses `host[:port]/path` (no tag, no digest). */
export function parseRepositoryName(text: string, whole: string = text): RepositoryName {
  if (text.length === 0) invalid(whole, "the name is empty");
  const slash = text.indexOf("/");
  const first = slash === -1 ? text : text.slice(0, slash);
  const hasDomain =
    slash !== -1 && (first.includes(".") || first.includes(":") || first === "localhost" || first.startsWith("["));
  let registry = hasDomain ? first : dockerHubRegistry;
  let repository = hasDomain ? text.slice(slash + 1) : text;
  if (hasDomain && !domainPattern.test(registry)) invalid(whole, `"${registry}" is not a valid registry host`);
  if (registry === "index.docker.io" || registry === "registry-1.docker.io") registry = dockerHubRegistry;
  if (registry === dockerHubRegistry && !repository.includes("/")) repository = `library/${repository}`;
  if (repository.length > 255) invalid(whole, "the path is longer than 255 characters");
  for (const component of repository.split("/")) {
    if (!pathComponent.test(component))
      invalid(whole, `"${component}" is not a valid path component (lowercase letters, digits, . _ -)`);
  }
  return { registry, repository };
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
