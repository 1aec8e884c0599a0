import type { GitSource } from "@stages/core";

/**
 * One GitSource for a project's mappings: those with `url:` are read by `remote` (a bare mirror of
 * their repository), the others, Dockerfile contexts and history by `local` (the work tree). The
 * work tree is opened only when something of it is asked, so a project whose only mappings are
 * remote builds outside a git work tree too.
 */
export function routeRemoteMappings(local: GitSource, remote: GitSource): GitSource {
  const pick = (mapping: { remote?: unknown }) => (mapping.remote === undefined ? local : remote);
  return {
    ...local,
    content: (mapping, options) => pick(mapping).content(mapping, options),
    dependenciesChecksum: (mapping, globs, options) => pick(mapping).dependenciesChecksum(mapping, globs, options),
    diff: (mapping, from, to, options) => pick(mapping).diff(mapping, from, to, options),
    readFile: (mapping, path, options) => pick(mapping).readFile(mapping, path, options),
  };
}
