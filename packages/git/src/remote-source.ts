import { join } from "node:path";
import type {
  BuildSecretReader,
  CallOptions,
  GitFile,
  GitMapping,
  GitSource,
  MappingContent,
  RemoteRepositorySpec,
} from "@stages/core";
import { GitError, gitSourceSpecificationVersion, throwIfAborted } from "@stages/core";
import { compilePathSelection, compileStageDependencies } from "@stages/core/internal";
import type { ContentCache } from "./content-cache.js";
import { createContentCache } from "./content-cache.js";
import { contentIdOf, dependenciesChecksumOf, encodeFileList } from "./content-list.js";
import { checkRelativePath, diffFileLists, prefixOf } from "./git-source.js";
import { filesOfCommit, findContentInHistory } from "./history.js";
import { type BlobReader, createBlobReader } from "./remote-blobs.js";
import { openMirror, type RemoteCredentials, type RemoteMirror } from "./remote-mirror.js";

/** Options of `createRemoteGitSource`. */
export interface RemoteGitSourceOptions {
  /**
   * The per-project git cache; each repository's bare mirror is `<cacheDir>/<hash of its url>`.
   * The plugin passes `<stages state dir>/git/<project>`.
   */
  cacheDir: string;
  /** The git executable. Default: `git` from PATH. */
  gitBinary?: string;
  /** Reads basicAuth passwords (`env`, `src`, `value`); the CLI's reader registers them with its redactor. */
  secrets?: BuildSecretReader | undefined;
  /** The environment git runs with. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for another build fetching into the same mirror. Default: 10 minutes. */
  lockTimeoutMs?: number;
  /** How many commits of a branch `diff` searches for a content it has not seen. Default: 50. */
  historyDepth?: number;
  /** Told of every network fetch (url redacted), for diagnostics and tests. */
  onFetch?: (what: string) => void;
}

interface Resolved {
  mirror: RemoteMirror;
  commit: string;
  cache: ContentCache;
}

/**
 * A GitSource for remote mappings (`url:`, werf's meaning): each revision is resolved once per source
 * (one CLI command) in a bare mirror on this host, and contents, checksums and file bytes are read
 * from that commit's tree, never from a work tree. Content ids are computed as for the work tree
 * (DESIGN §4), from `ls-tree` of the mapped paths: a new commit that changes mapped files changes
 * them, one that does not keeps them.
 */
export function createRemoteGitSource(options: RemoteGitSourceOptions): GitSource {
  const gitBinary = options.gitBinary ?? "git";
  const mirrors = new Map<string, Promise<{ mirror: RemoteMirror; cache: ContentCache }>>();
  const resolutions = new Map<string, Promise<Resolved>>();
  const trees = new Map<string, Promise<GitFile[]>>();
  const blobReaders = new Map<string, BlobReader>();

  function remoteOf(mapping: GitMapping): RemoteRepositorySpec {
    if (mapping.remote === undefined) {
      throw new GitError(
        `[git] git mapping ${mapping.id} has no url: the remote git source reads only remote mappings`,
      );
    }
    return mapping.remote;
  }

  async function credentialsOf(mapping: GitMapping, remote: RemoteRepositorySpec): Promise<RemoteCredentials | null> {
    if (remote.basicAuth === null) return null;
    if (options.secrets === undefined) {
      throw new GitError(`[git] git mapping ${mapping.id} has basicAuth, but nothing can read its password here`, {
        hint: "run it with the stages CLI, which reads env, src and value passwords",
      });
    }
    const bytes = await options.secrets.read({
      id: `basicAuth password of git mapping ${mapping.id}`,
      source: remote.basicAuth.password,
      position: mapping.position,
    });
    // A token file ends with a newline that is not part of the password.
    const password = new TextDecoder().decode(bytes).replace(/\r?\n$/, "");
    return { username: remote.basicAuth.username, password };
  }

  function mirrorOf(mapping: GitMapping, remote: RemoteRepositorySpec) {
    const auth = remote.basicAuth;
    const key = JSON.stringify([remote.url, auth?.username ?? null, auth?.password ?? null]);
    let pending = mirrors.get(key);
    if (!pending) {
      const attempt = (async () => {
        const mirror = openMirror({
          gitBinary,
          cacheDir: options.cacheDir,
          url: remote.url,
          credentials: await credentialsOf(mapping, remote),
          env: options.env ?? process.env,
          lockTimeoutMs: options.lockTimeoutMs ?? 10 * 60_000,
          onFetch: options.onFetch,
        });
        const cache = createContentCache(join(mirror.directory, "stages", "contents"), {
          entries: 64,
          bytes: 64 * 1024 * 1024,
        });
        return { mirror, cache };
      })();
      mirrors.set(key, attempt);
      attempt.catch(() => mirrors.delete(key));
      pending = attempt;
    }
    return pending;
  }

  /** The commit a mapping reads, resolved once per source: every mapping of one revision sees the same commit. */
  async function resolved(mapping: GitMapping, signal: AbortSignal | undefined): Promise<Resolved> {
    throwIfAborted(signal);
    const remote = remoteOf(mapping);
    const auth = remote.basicAuth;
    const key = JSON.stringify([remote.url, auth?.username ?? null, auth?.password ?? null, remote.revision]);
    let pending = resolutions.get(key);
    if (!pending) {
      // Shared by every call, so no one call's signal may cancel it.
      const attempt = (async () => {
        const { mirror, cache } = await mirrorOf(mapping, remote);
        return { mirror, cache, commit: await mirror.resolve(remote.revision, undefined) };
      })();
      resolutions.set(key, attempt);
      // A failure is not remembered: the user may fix the network or the password and call again.
      attempt.catch(() => resolutions.delete(key));
      pending = attempt;
    }
    const result = await pending;
    throwIfAborted(signal);
    return result;
  }

  /** Every file of the commit under the mapping's `add` (unselected), listed once per commit and path. */
  function treeOf(found: Resolved, mapping: GitMapping): Promise<GitFile[]> {
    const prefix = prefixOf(mapping);
    const key = `${found.mirror.directory}\0${found.commit}\0${prefix}`;
    let pending = trees.get(key);
    if (!pending) {
      const attempt = filesOfCommit(
        { gitBinary, root: found.mirror.directory, prefix, selection: null, signal: undefined },
        found.commit,
      ).then((files) => {
        if (files === null)
          throw new GitError(
            `[git] cannot list ${mapping.add} of commit ${found.commit} in the git cache ${found.mirror.directory}`,
          );
        return files;
      });
      trees.set(key, attempt);
      attempt.catch(() => trees.delete(key));
      pending = attempt;
    }
    return pending;
  }

  function select(files: readonly GitFile[], selection: ((path: string) => boolean) | null): GitFile[] {
    // A mapping whose `add` is a file selects that file whatever its patterns say.
    if (selection === null || (files.length === 1 && files[0]?.path === "")) return [...files];
    return files.filter((file) => selection(file.path));
  }

  async function content(mapping: GitMapping, callOptions?: CallOptions): Promise<MappingContent> {
    const found = await resolved(mapping, callOptions?.signal);
    const files = select(
      await treeOf(found, mapping),
      compilePathSelection(mapping.includePaths, mapping.excludePaths),
    );
    const contentId = contentIdOf(files);
    await found.cache.remember(contentId, () => encodeFileList(files));
    return { mappingId: mapping.id, contentId, files, commit: found.commit };
  }

  return {
    specificationVersion: gitSourceSpecificationVersion,
    content,

    async dependenciesChecksum(mapping, globs, callOptions) {
      if (globs.length === 0) return dependenciesChecksumOf(globs, []);
      const found = await resolved(mapping, callOptions?.signal);
      const files = select(await treeOf(found, mapping), compileStageDependencies(mapping, globs));
      return dependenciesChecksumOf(globs, files);
    },

    async diff(mapping, from, to, callOptions) {
      const signal = callOptions?.signal;
      const found = await resolved(mapping, signal);
      let before = await found.cache.recall(from);
      if (before === null && (options.historyDepth ?? 50) > 0) {
        // Built on another host: an earlier commit of the resolved one's history may hold it.
        before = await findContentInHistory({
          gitBinary,
          root: found.mirror.directory,
          prefix: prefixOf(mapping),
          selection: compilePathSelection(mapping.includePaths, mapping.excludePaths),
          contentId: from,
          depth: options.historyDepth ?? 50,
          start: found.commit,
          signal,
        });
        if (before !== null) {
          const files = before;
          await found.cache.remember(from, () => encodeFileList(files));
        }
      }
      if (before === null) return null;
      const current = await content(mapping, callOptions);
      if (current.contentId !== to) return null;
      return diffFileLists(before, current.files);
    },

    async readFile(mapping, path, callOptions) {
      const signal = callOptions?.signal;
      const found = await resolved(mapping, signal);
      checkRelativePath(path, mapping);
      const selection = compilePathSelection(mapping.includePaths, mapping.excludePaths);
      const file = (await treeOf(found, mapping)).find((entry) => entry.path === path);
      if (file === undefined || (path !== "" && selection !== null && !selection(path))) {
        throw new GitError(
          `[git] ${path || mapping.add} is not selected by git mapping ${mapping.id} (${found.mirror.redact(remoteOf(mapping).url)} at ${found.commit})`,
          { hint: "read only paths listed in the mapping's content" },
        );
      }
      let reader = blobReaders.get(found.mirror.directory);
      if (reader === undefined) {
        reader = createBlobReader(gitBinary, found.mirror.directory);
        blobReaders.set(found.mirror.directory, reader);
      }
      return new Uint8Array(await reader.read(file.blobId, signal));
    },
  };
}
