import type { RepositoryName } from "./parse-reference.js";
import type { RegistryHttp, RegistryRequest } from "./request.js";
import { repositoryScope } from "./www-authenticate.js";

export interface TagListOptions {
  signal?: AbortSignal;
  /** Tags asked for per page (`n`); the registry may send fewer. Default: the registry's choice. */
  pageSize?: number;
}

/** The `rel="next"` target of a `Link` header, or null. */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(",")) {
    const match = /<([^>]*)>\s*(.*)$/.exec(part.trim());
    if (match && /(?:^|;)\s*rel="?next"?\s*(?:;|$)/i.test(match[2] ?? "")) return match[1] ?? null;
  }
  return null;
}

/** Every tag of a repository, page by page following `Link`. A repository that does not exist has none. */
export async function* iterateTags(
  http: RegistryHttp,
  repository: RepositoryName,
  options: TagListOptions = {},
): AsyncGenerator<string> {
  let path: string | null = `/v2/${repository.repository}/tags/list`;
  let query: Record<string, string> | undefined =
    options.pageSize !== undefined ? { n: String(options.pageSize) } : undefined;
  const seen = new Set<string>();
  while (path !== null) {
    const request: RegistryRequest = {
      registry: repository.registry,
      method: "GET",
      path,
      query,
      headers: { accept: "application/json" },
      scopes: [repositoryScope(repository.repository, ["pull"])],
      signal: options.signal,
    };
    const response = await http.send(request);
    if (response.status === 404) return;
    if (response.status !== 200) throw http.failure(request, response);
    const body = JSON.parse(new TextDecoder().decode(response.bytes)) as { tags?: unknown };
    const tags = Array.isArray(body.tags) ? body.tags.filter((tag): tag is string => typeof tag === "string") : [];
    for (const tag of tags) yield tag;
    const next = nextLink(response.headers.get("link"));
    // A registry that links back to a page already read would loop forever.
    if (next === null || seen.has(next) || tags.length === 0) return;
    seen.add(next);
    path = new URL(next, response.url).toString();
    query = undefined;
  }
}

/** Every tag of a repository (all pages). */
export async function listTags(
  http: RegistryHttp,
  repository: RepositoryName,
  options: TagListOptions = {},
): Promise<string[]> {
  const tags: string[] = [];
  for await (const tag of iterateTags(http, repository, options)) tags.push(tag);
  return tags;
}
