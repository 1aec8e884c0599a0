import { createHash } from "node:crypto";
import type { Dirent, Stats } from "node:fs";
import { lstat, readdir, readFile, readlink, realpath } from "node:fs/promises";
import { dirname, join, posix, sep } from "node:path";
import dockerignore from "@balena/dockerignore";
import type { GitFile, GitSource } from "@stages/core";
import { GitError, throwIfAborted } from "@stages/core";
import { compareUtf8 } from "./content-list.js";
import { runGit } from "./git-process.js";
import type { Repository } from "./repository.js";
import { hashWorktreeFiles } from "./tracked-files.js";

// The package is CommonJS typed as an ES module: its factory is `default` of what Node hands over
// (it sets `factory.default = factory` for exactly this).
const createMatcher = dockerignore.default;

/** The spec of a build context (core's DockerContextSpec, taken from the contract it belongs to). */
export type DockerContextSpec = Parameters<NonNullable<GitSource["contextContent"]>>[0];

const modeFile = 0o100644;
const modeExecutable = 0o100755;
const modeSymlink = 0o120000;

/** The files of a build context before and after `.dockerignore`, paths relative to the context. */
export interface ContextFiles {
  /** What enters the build, sorted by path. */
  files: GitFile[];
  /** The paths of `files`, to check reads without a walk over the list. */
  entered: ReadonlySet<string>;
  /** Tracked and added files before the ignore rules: what may be read as the Dockerfile. */
  candidates: ReadonlySet<string>;
  /** Which ignore file applied (relative to the context), or null. */
  ignoreFile: string | null;
}

/**
 * The context folder as a repository-relative path ("" for the root), from the project's own path in
 * the repository and the spec's folder relative to the project. It may leave the project but not the
 * repository: what is outside is not versioned.
 */
export function contextPrefixOf(projectPrefix: string, directory: string): string {
  if (directory.includes("\0") || posix.isAbsolute(directory)) {
    throw new GitError(`[git] the Dockerfile context "${directory}" is not a path relative to the project directory`, {
      hint: "write context as a folder relative to the project directory, e.g. context: docker/app",
    });
  }
  // normalize keeps a trailing slash ("a/../" is "./"): drop it before looking at the result.
  const joined = posix
    .normalize(posix.join(projectPrefix === "" ? "." : projectPrefix, directory === "" ? "." : directory))
    .replace(/(.)\/+$/, "$1");
  if (joined === ".." || joined.startsWith("../")) {
    throw new GitError(`[git] the Dockerfile context "${directory}" leaves the git repository`, {
      hint: "the build context must be a folder inside the repository (files outside it are not versioned)",
    });
  }
  return joined === "." ? "" : joined;
}

/** Throws unless `path` is a plain relative path (no empty, `.` or `..` segments, no leading slash). */
export function checkContextPath(path: string, what: string): void {
  const segments = path.split("/");
  if (
    path === "" ||
    path.includes("\0") ||
    segments.some((segment) => segment === "" || segment === "." || segment === "..")
  ) {
    throw new GitError(`[git] ${what} "${path}" is not a path inside the build context`, {
      hint: "write it relative to the context folder, without a leading /, . or .. segments",
    });
  }
}

/** Normalizes one `contextAddFiles` entry: `./a/b/` is `a/b`; "" or `.` is the whole context. */
function normalizeAddFile(entry: string): string {
  const normalized = posix.normalize(entry === "" ? "." : entry).replace(/\/+$/, "");
  if (normalized === "." || normalized === "") return "";
  checkContextPath(normalized, "the context file to add");
  return normalized;
}

interface ContextFilesRequest {
  repository: Repository;
  /** The context folder, repository-relative ("" for the root). */
  prefix: string;
  spec: DockerContextSpec;
  /** The tracked files under `prefix` as in the work tree, paths relative to it. */
  tracked: readonly GitFile[];
  signal: AbortSignal | undefined;
}

/**
 * The build context as BuildKit would send it if the folder held only what git versions: the tracked
 * files (work tree state), plus `addFiles`, minus what the Dockerfile's ignore file (or the context's
 * `.dockerignore`) excludes. The ignore file is read only when it is itself tracked or added, so an
 * untracked one cannot change a build on one machine only.
 */
export async function readContextFiles(request: ContextFilesRequest): Promise<ContextFiles> {
  const { repository, prefix, spec, signal } = request;
  await checkContextFolder(repository, prefix, spec);
  const byPath = new Map<string, GitFile>();
  for (const file of request.tracked) byPath.set(file.path, file);
  const added = (await readAddedFiles(request, new Set(byPath.keys()))).filter((file) => !byPath.has(file.path));
  for (const file of added) byPath.set(file.path, file);
  throwIfAborted(signal);

  const candidates = new Set(byPath.keys());
  const ignoreFile =
    [`${dockerfilePathOf(spec)}.dockerignore`, ".dockerignore"].find((path) => candidates.has(path)) ?? null;
  // Git listed the tracked files in its order already: only added ones need a place among them.
  let files = added.length === 0 ? [...request.tracked] : mergeSorted(request.tracked, added);
  if (ignoreFile !== null) {
    const text = await readWorktreeText(repository, repositoryPathOf(prefix, ignoreFile), signal);
    // Docker matches case-sensitively on Linux; the library's default (from node-ignore) does not.
    const matcher = createMatcher({ ignorecase: false }).add(text);
    files = files.filter((file) => !matcher.ignores(file.path));
  }
  return { files, entered: new Set(files.map((file) => file.path)), candidates, ignoreFile };
}

/** `sorted` (in git's order) and `extra` (any order, other paths) in one list in git's order. */
function mergeSorted(sorted: readonly GitFile[], extra: readonly GitFile[]): GitFile[] {
  const others = [...extra].sort((left, right) => compareUtf8(left.path, right.path));
  const merged: GitFile[] = [];
  let position = 0;
  for (const file of sorted) {
    while (position < others.length && compareUtf8((others[position] as GitFile).path, file.path) < 0) {
      merged.push(others[position] as GitFile);
      position++;
    }
    merged.push(file);
  }
  for (; position < others.length; position++) merged.push(others[position] as GitFile);
  return merged;
}

/** The Dockerfile's path relative to the context, normalized (`./Dockerfile` is `Dockerfile`). */
export function dockerfilePathOf(spec: DockerContextSpec): string {
  return posix.normalize(spec.dockerfile);
}

/** The repository-relative path of a context-relative one. */
export function repositoryPathOf(prefix: string, path: string): string {
  return prefix === "" ? path : path === "" ? prefix : `${prefix}/${path}`;
}

async function checkContextFolder(repository: Repository, prefix: string, spec: DockerContextSpec): Promise<void> {
  let stats: Stats;
  try {
    stats = await lstat(join(repository.root, prefix));
  } catch {
    throw new GitError(
      `[git] the Dockerfile context "${spec.directory}" (${prefix || "."} in ${repository.root}) does not exist`,
      {
        hint: "create the folder or correct the image's context",
      },
    );
  }
  if (!stats.isDirectory()) {
    throw new GitError(
      `[git] the Dockerfile context "${spec.directory}" (${prefix} in ${repository.root}) is not a folder`,
      {
        hint: "context names a folder; the Dockerfile is given by dockerfile, relative to it",
      },
    );
  }
}

/**
 * The files of `addFiles` as git would hash them: a folder adds everything below it (except `.git`),
 * a symlink is added as a link; files already tracked are left to the tracked list.
 */
async function readAddedFiles(request: ContextFilesRequest, tracked: ReadonlySet<string>): Promise<GitFile[]> {
  const { repository, prefix, spec, signal } = request;
  const found = new Map<string, { path: string; stats: Stats }>();
  const realRoot = spec.addFiles.length === 0 ? "" : await realpath(repository.root);
  for (const entry of spec.addFiles) {
    const path = normalizeAddFile(entry);
    const absolute = join(repository.root, repositoryPathOf(prefix, path));
    let stats: Stats;
    try {
      stats = await lstat(absolute);
      // A symlinked folder on the way would bring in files of another tree, which nothing versions.
      const parent = await realpath(dirname(absolute));
      if (parent !== realRoot && !parent.startsWith(realRoot + sep)) {
        throw new GitError(
          `[git] the context file to add "${entry}" leads outside the work tree ${repository.root} through a symlink`,
          {
            hint: "add files of the work tree only; copy the file into the context folder first",
          },
        );
      }
    } catch (error) {
      if (GitError.isInstance(error)) throw error;
      throw new GitError(
        `[git] the context file to add "${entry}" does not exist in ${join(repository.root, prefix)}`,
        {
          cause: error,
          hint: "create it before the build or remove it from contextAddFiles",
        },
      );
    }
    await collect(repository, prefix, path, stats, found, signal);
  }
  const regular: { path: string; stats: Stats }[] = [];
  const symlinks: { path: string; stats: Stats }[] = [];
  for (const item of found.values()) {
    if (tracked.has(item.path)) continue;
    (item.stats.isSymbolicLink() ? symlinks : regular).push(item);
  }
  const files: GitFile[] = [];
  const trustExecutableBit = regular.length === 0 || (await fileModeTrusted(repository, signal));
  const blobIds = await hashWorktreeFiles(
    repository,
    regular.map((item) => repositoryPathOf(prefix, item.path)),
    signal,
  );
  for (const [position, item] of regular.entries()) {
    // Git keeps only the owner's execute bit (100755 or 100644), whatever the umask made of the rest,
    // and not even that with core.fileMode false, as `git add` of a new file.
    const mode = trustExecutableBit && (item.stats.mode & 0o100) !== 0 ? modeExecutable : modeFile;
    files.push({ path: item.path, mode, blobId: blobIds[position] as string });
  }
  if (symlinks.length > 0) {
    const algorithm = await objectFormat(repository, signal);
    for (const item of symlinks) {
      const target = await readlink(join(repository.root, repositoryPathOf(prefix, item.path)), { encoding: "buffer" });
      const blobId = createHash(algorithm).update(`blob ${target.length}\0`).update(target).digest("hex");
      files.push({ path: item.path, mode: modeSymlink, blobId });
    }
  }
  return files;
}

async function collect(
  repository: Repository,
  prefix: string,
  path: string,
  stats: Stats,
  found: Map<string, { path: string; stats: Stats }>,
  signal: AbortSignal | undefined,
): Promise<void> {
  throwIfAborted(signal);
  if (stats.isFile() || stats.isSymbolicLink()) {
    if (path === "") return;
    found.set(path, { path, stats });
    return;
  }
  // Sockets, fifos and devices are not files git could version.
  if (!stats.isDirectory()) return;
  const absolute = join(repository.root, repositoryPathOf(prefix, path));
  const entries: Dirent[] = await readdir(absolute, { withFileTypes: true });
  for (const entry of entries) {
    // A nested repository's own git directory is never content.
    if (entry.name === ".git") continue;
    const child = path === "" ? entry.name : `${path}/${entry.name}`;
    await collect(repository, prefix, child, await lstat(join(absolute, entry.name)), found, signal);
  }
}

/** Whether git trusts the executable bit of the work tree (`core.fileMode`, true unless set false). */
async function fileModeTrusted(repository: Repository, signal: AbortSignal | undefined): Promise<boolean> {
  const output = await runGit({
    gitBinary: repository.gitBinary,
    args: ["config", "--bool", "core.fileMode"],
    cwd: repository.root,
    signal,
  });
  return output.stdout.toString("utf8").trim() !== "false";
}

/** The repository's hash algorithm (git 2.29+ can make sha256 repositories); sha1 when git cannot tell. */
async function objectFormat(repository: Repository, signal: AbortSignal | undefined): Promise<"sha1" | "sha256"> {
  const output = await runGit({
    gitBinary: repository.gitBinary,
    args: ["rev-parse", "--show-object-format"],
    cwd: repository.root,
    signal,
  });
  return output.exitCode === 0 && output.stdout.toString("utf8").trim() === "sha256" ? "sha256" : "sha1";
}

async function readWorktreeText(
  repository: Repository,
  path: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  try {
    return await readFile(join(repository.root, path), { encoding: "utf8", signal });
  } catch (error) {
    throw new GitError(`[git] cannot read ${path} in ${repository.root}: ${(error as Error).message}`, {
      cause: error,
      hint: "the work tree changed while stages read it; run again",
    });
  }
}
