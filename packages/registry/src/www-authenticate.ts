/** What a registry asks for in `WWW-Authenticate`. */
export type Challenge =
  | { scheme: "basic"; realm: string | null }
  | { scheme: "bearer"; realm: string; service: string | null; scope: string | null; error: string | null };

/**
 * Parses a `WWW-Authenticate` header: `Bearer realm="...",service="...",scope="..."` or `Basic realm="..."`.
 * With several challenges, Bearer wins. Returns null for anything else.
 */
export function parseChallenge(header: string | null): Challenge | null {
  if (!header) return null;
  const challenges: Array<{ scheme: string; params: Record<string, string> }> = [];
  let current: { scheme: string; params: Record<string, string> } | null = null;
  let index = 0;
  const skip = (pattern: RegExp) => {
    while (index < header.length && pattern.test(header[index] as string)) index++;
  };
  while (index < header.length) {
    skip(/[\s,]/);
    const start = index;
    skip(/[^\s,=]/);
    const word = header.slice(start, index);
    if (!word) {
      index++;
      continue;
    }
    skip(/\s/);
    if (header[index] !== "=") {
      current = { scheme: word.toLowerCase(), params: {} };
      challenges.push(current);
      continue;
    }
    index++;
    skip(/\s/);
    let value = "";
    if (header[index] === '"') {
      index++;
      while (index < header.length && header[index] !== '"') {
        if (header[index] === "\\") index++;
        value += header[index] ?? "";
        index++;
      }
      index++;
    } else {
      const valueStart = index;
      skip(/[^\s,]/);
      value = header.slice(valueStart, index);
    }
    if (current) current.params[word.toLowerCase()] = value;
  }
  const bearer = challenges.find((challenge) => challenge.scheme === "bearer" && challenge.params.realm);
  if (bearer) {
    return {
      scheme: "bearer",
      realm: bearer.params.realm as string,
      service: bearer.params.service ?? null,
      scope: bearer.params.scope ?? null,
      error: bearer.params.error ?? null,
    };
  }
  const basic = challenges.find((challenge) => challenge.scheme === "basic");
  return basic ? { scheme: "basic", realm: basic.params.realm ?? null } : null;
}

/** `repository:<name>:<actions>` for a repository. */
export function repositoryScope(repository: string, actions: readonly string[]): string {
  return `repository:${repository}:${actions.join(",")}`;
}

/**
 * Merges scopes on the same resource (`repository:a:pull` + `repository:a:push` →
 * `repository:a:pull,push`) and sorts them, so that equal needs share one cached token.
 */
export function mergeScopes(scopes: Iterable<string>): string[] {
  const resources = new Map<string, Set<string>>();
  for (const scope of scopes) {
    for (const single of scope.split(" ")) {
      if (!single) continue;
      const last = single.lastIndexOf(":");
      const first = single.indexOf(":");
      if (first === -1 || last === first) {
        resources.set(single, resources.get(single) ?? new Set());
        continue;
      }
      const resource = single.slice(0, last);
      const actions = resources.get(resource) ?? new Set<string>();
      for (const action of single.slice(last + 1).split(",")) if (action) actions.add(action);
      resources.set(resource, actions);
    }
  }
  return [...resources.entries()]
    .map(([resource, actions]) => (actions.size === 0 ? resource : `${resource}:${[...actions].sort().join(",")}`))
    .sort();
}
