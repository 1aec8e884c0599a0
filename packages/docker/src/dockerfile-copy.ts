import { posix } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { DockerContextFiles, DockerfileHeredoc, DockerfileStep, GitFile, GitSource } from "@stages/core";
import { StageBuildError } from "@stages/core";
import {
  goPathMatch,
  hasCopyWildcard,
  mapOrdered,
  normalizeCopySource,
  selectCopySourcesReading,
} from "@stages/core/internal";
import { EngineContainer } from "./container.js";
import { putEntries, readAccounts } from "./container-files.js";
import type { EngineClient } from "./engine-client.js";
import { isHttpStatus } from "./engine-errors.js";
import type { AccountDatabase } from "./ownership.js";
import type { TarEntry, TarEntryInput } from "./tar.js";
import { readTar } from "./tar.js";

/*
 * COPY and ADD of a staged Dockerfile build (DESIGN §12), done as BuildKit does them (Engine 20.10's
 * BuildKit: the Dockerfile frontend's copy options and fsutil's copy, checked against
 * `DOCKER_BUILDKIT=1 docker build`), written into a created (never started) container with one
 * PUT archive:
 *
 * - The destination is relative to the image's WorkingDir; it is a directory when written with a
 *   trailing `/` (or `.`), or when it is an existing directory. Several sources onto a destination
 *   without `/` copy one after another onto the same path (the last file wins), as BuildKit does.
 * - Missing parents of the destination are made 0755, owned by --chown's user (root without). A
 *   directory source copies its contents; the destination directory keeps its metadata (a new one is
 *   0755 and --chown's), subdirectories take the source's mode and owner.
 * - Without --chown, context files are root's, files from an image keep their owner. --chown names
 *   are looked up in the target image (a numeric user alone is also the group, a name alone brings
 *   its primary group, an unknown name is 0 as in BuildKit: the builder warns). --chmod replaces the
 *   permission bits (not setuid/setgid/sticky) of files and subdirectories, never of symlinks.
 * - A source that is a symlink itself is followed (inside the context or image); symlinks inside a
 *   copied directory stay symlinks.
 * - ADD (which has no --from) extracts a source file that is a tar archive (plain, gzip, bzip2 or xz, found by content as
 *   docker does; zstd is not an archive to this engine) into the destination, keeping the owners and
 *   modes of the archive; --chown only owns the directories made for it.
 */

/** The step `copyStep` runs (already completed against the image's ENV when it was `late`). */
export type DockerfileCopyStep = Extract<DockerfileStep, { op: "copy" }>;

/** What `copyStep` needs. */
export interface CopyStepOptions {
  client: EngineClient;
  /** The stage's container: made from the base stage image, not started. */
  container: EngineContainer;
  step: DockerfileCopyStep;
  /** The image's WorkingDir before the step ("" when it has none: the root). */
  workingDir: string;
  /** For a step from the context: the files its sources select (the stage's `context`). */
  context: DockerContextFiles | null;
  git: GitSource;
  /**
   * For `--from`: the image the files come from, already in the engine (the local stage of a
   * build stage or config image, or the pulled external image).
   */
  fromImage: string | null;
  /** How the helper container of `fromImage` is named and labelled (the builder's prefix and labels). */
  sourceContainer: { namePrefix: string; labels: Record<string, string> };
  /** The stage, for messages: `stage COPY-3 of image app (1a2b3c4d5e6f)`. */
  subject: string;
  /** Something worth telling that is no error (an unknown --chown name, as BuildKit takes it as 0). */
  onWarning?: (text: string) => void;
  signal?: AbortSignal | undefined;
}

/** Numeric owner of what a step writes. */
interface Owner {
  uid: number;
  gid: number;
}

/** Entries of the archive, made when it is sent (file contents are read then). */
type Part = () => AsyncIterable<TarEntryInput>;

function staticPart(entries: readonly TarEntryInput[]): Part {
  return async function* () {
    yield* entries;
  };
}

async function* runParts(parts: readonly Part[]): AsyncGenerator<TarEntryInput> {
  for (const part of parts) yield* part();
}

/** A directory BuildKit's MkdirAll makes: 0755, owned by --chown's user or root. */
const newDirectoryMode = 0o755;
/** Heredoc files are made 0664 under the daemon's umask 022 (BuildKit's Mkfile). */
const heredocMode = 0o644;
/** How many context files are read ahead while the archive is being sent. */
const readAhead = 8;
/** Symlinks followed in a row before giving up (the kernel's limit is 40). */
const maxLinks = 40;

/** Copies the step's sources into the container. */
export async function copyStep(options: CopyStepOptions): Promise<void> {
  const { container, step, signal } = options;
  const destination = copyDestination(step.destination, options.workingDir);
  const target = new TargetTree(options.client, container, signal);
  const owner = await chownOwner(options);
  let source: EngineContainer | null = null;
  try {
    if (step.from.type !== "context") {
      if (options.fromImage === null) {
        throw new StageBuildError(`[docker] ${options.subject}: COPY --from has no source image`, {
          hint: "this is a bug of stages: the builder must pass the image of --from",
        });
      }
      source = await EngineContainer.create(
        options.client,
        {
          image: options.fromImage,
          namePrefix: options.sourceContainer.namePrefix,
          labels: options.sourceContainer.labels,
          entrypoint: ["/bin/sh"],
          networkMode: "none",
        },
        signal,
      );
    }
    const warn = (text: string) => options.onWarning?.(`${options.subject}: ${text}`);
    const writer: CopyWriter = { warn, target, destination, owner, chmod: step.chmod, subject: options.subject };
    // Everything that asks the engine about the target is planned before the archive is sent: the
    // engine locks the container while it extracts, and a stat waiting for that lock would wait forever.
    const parts =
      source === null
        ? await planContext(options, writer)
        : await planImage(
            options,
            writer,
            new SourceImage(options.client, source, options.fromImage as string, signal),
          );
    parts.push(...(await planHeredocs(step.heredocs, writer)));
    await putEntries(container, runParts(parts), signal);
  } finally {
    await source?.remove();
  }
}

/** Where a COPY writes: the absolute destination and whether it was written as a directory. */
export interface CopyDestination {
  path: string;
  /** Written with a trailing `/`, or `.`: always a directory. */
  directory: boolean;
}

/** The destination as BuildKit's frontend makes it: relative to WorkingDir, `/`-terminated kept. */
export function copyDestination(written: string, workingDir: string): CopyDestination {
  const joined = written.startsWith("/") ? written : posix.join(workingDir === "" ? "/" : workingDir, written);
  const path = posix.join("/", joined);
  const directory = written === "" || written === "." || written.endsWith("/");
  return { path: path.length > 1 ? path.replace(/\/+$/, "") : path, directory };
}

/** `--chmod` over a source mode: the permission bits replaced, setuid/setgid/sticky kept (fsutil's copyFileInfo). */
export function applyChmod(mode: number, chmod: number | null): number {
  return chmod === null ? mode & 0o7777 : (mode & 0o7000) | (chmod & 0o777);
}

/** `--chown=user[:group]` split as BuildKit's llb.WithUser: numbers and names. */
export function parseChown(chown: string): { user: string; group: string | null } {
  const colon = chown.indexOf(":");
  return colon === -1 ? { user: chown, group: null } : { user: chown.slice(0, colon), group: chown.slice(colon + 1) };
}

/**
 * The owner `--chown` gives, by BuildKit's readUser: a numeric user alone is also the group; a name
 * brings its primary group; a group overrides it. An unknown name leaves 0 and is reported.
 */
export function resolveChown(
  chown: string,
  accounts: AccountDatabase,
  warn: (text: string) => void,
): { uid: number; gid: number } {
  const { user, group } = parseChown(chown);
  let uid = 0;
  let gid = 0;
  if (/^\d+$/.test(user)) {
    uid = Number(user);
    gid = uid;
  } else {
    const found = accounts.users.get(user);
    if (found === undefined) warn(`user "${user}" of --chown=${chown} is not in /etc/passwd of the image: using 0`);
    else ({ uid, gid } = found);
  }
  if (group !== null) {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const found = accounts.groups.get(group);
      if (found === undefined) {
        warn(`group "${group}" of --chown=${chown} is not in /etc/group of the image: keeping ${gid}`);
      } else gid = found;
    }
  }
  return { uid, gid };
}

async function chownOwner(options: CopyStepOptions): Promise<Owner | null> {
  const { chown } = options.step;
  if (chown === null) return null;
  const { user, group } = parseChown(chown);
  const named = !/^\d+$/.test(user) || (group !== null && !/^\d+$/.test(group));
  const accounts = named
    ? await readAccounts(options.container, options.signal)
    : { users: new Map(), groups: new Map() };
  return resolveChown(chown, accounts, (text) => options.onWarning?.(`${options.subject}: ${text} (as BuildKit does)`));
}

/** Everything a source writes through. */
interface CopyWriter {
  /** Tells the user something that is no error. */
  warn: (text: string) => void;
  target: TargetTree;
  destination: CopyDestination;
  owner: Owner | null;
  chmod: number | null;
  subject: string;
}

/**
 * The file system of the container as this step leaves it: what the engine says for paths the step
 * has not written (asked once per path), what the step wrote for the others. Paths are resolved as
 * BuildKit's fs.RootPath does (symlinks followed inside the root), so that entries never go
 * through a symlink the archive would replace.
 */
class TargetTree {
  private readonly written = new Map<string, "directory" | "file">();
  /** Directories the step makes: nothing is in them but what it writes (no need to ask the engine). */
  private readonly created = new Set<string>();
  private readonly stats = new Map<string, Promise<PathStat | null>>();
  private readonly client: EngineClient;
  private readonly container: EngineContainer;
  private readonly signal: AbortSignal | undefined;

  constructor(client: EngineClient, container: EngineContainer, signal: AbortSignal | undefined) {
    this.client = client;
    this.container = container;
    this.signal = signal;
  }

  /** The resolved path and what is there (following a final symlink). */
  async lookUp(path: string): Promise<{ path: string; kind: "directory" | "file" | null }> {
    let current = path;
    for (let hop = 0; hop <= maxLinks; hop++) {
      const { resolved, parentIsDirectory } = await this.resolveParents(current);
      // Nothing is under a file or a missing path (the engine would answer "not a directory").
      if (!parentIsDirectory) return { path: resolved, kind: null };
      const kind = this.writtenKind(resolved);
      if (kind !== undefined) return { path: resolved, kind };
      const stat = await this.stat(resolved);
      if (stat === null) return { path: resolved, kind: null };
      if (!stat.symlink) return { path: resolved, kind: stat.directory ? "directory" : "file" };
      current = stat.linkTarget;
    }
    throw new Error(`too many levels of symbolic links at ${path}`);
  }

  /** Makes `path` and its missing parents (0755, owned by `owner`); returns the entries to write. */
  async mkdirAll(
    path: string,
    owner: Owner | null,
    subject: string,
  ): Promise<{ path: string; entries: TarEntryInput[] }> {
    const { path: resolved, kind } = await this.lookUp(path);
    if (kind === "directory") return { path: resolved, entries: [] };
    if (kind === "file") {
      throw new StageBuildError(`[docker] ${subject}: cannot make the directory ${path}: a file is there`, {
        hint: "copy to another destination, or remove the file in an earlier step",
      });
    }
    const parent = posix.dirname(resolved);
    const made = parent === resolved ? { path: resolved, entries: [] } : await this.mkdirAll(parent, owner, subject);
    const here = posix.join(made.path, posix.basename(resolved));
    this.written.set(here, "directory");
    this.created.add(here);
    made.entries.push({ header: directoryHeader(here, newDirectoryMode, owner ?? { uid: 0, gid: 0 }) });
    return { path: here, entries: made.entries };
  }

  /** Records what an entry of the archive puts at `path` (resolved). */
  record(path: string, kind: "directory" | "file"): void {
    this.written.set(path, kind);
  }

  private writtenKind(path: string): "directory" | "file" | null | undefined {
    const kind = this.written.get(path);
    if (kind !== undefined) return kind;
    // Under a file the step wrote nothing exists, and under a directory it made only what it wrote.
    for (let parent = posix.dirname(path); parent !== "/"; parent = posix.dirname(parent)) {
      if (this.written.get(parent) === "file" || this.created.has(parent)) return null;
    }
    return undefined;
  }

  private async resolveParents(path: string): Promise<{ resolved: string; parentIsDirectory: boolean }> {
    const parent = posix.dirname(path);
    if (parent === path) return { resolved: "/", parentIsDirectory: true };
    if (parent === "/") return { resolved: path, parentIsDirectory: true };
    const found = await this.lookUp(parent);
    return { resolved: posix.join(found.path, posix.basename(path)), parentIsDirectory: found.kind === "directory" };
  }

  private stat(path: string): Promise<PathStat | null> {
    let stat = this.stats.get(path);
    if (stat === undefined) {
      stat = statPath(this.client, this.container, path, this.signal);
      this.stats.set(path, stat);
    }
    return stat;
  }
}

/** What the engine's archive HEAD says of a path (X-Docker-Container-Path-Stat). */
interface PathStat {
  directory: boolean;
  symlink: boolean;
  /** For a symlink: the target, fully resolved inside the container's root (absolute). */
  linkTarget: string;
}

// Go's os.FileMode bits as the engine reports them.
const goModeDir = 2 ** 31;
const goModeSymlink = 2 ** 27;

async function statPath(
  client: EngineClient,
  container: EngineContainer,
  path: string,
  signal: AbortSignal | undefined,
): Promise<PathStat | null> {
  let header: unknown;
  try {
    const response = await client.stream(signal, (docker) =>
      docker.getContainer(container.id).infoArchive({ path, abortSignal: signal }),
    );
    response.resume();
    header = (response as unknown as { headers: Record<string, unknown> }).headers["x-docker-container-path-stat"];
  } catch (error) {
    if (isHttpStatus(error, 404)) return null;
    throw error;
  }
  if (typeof header !== "string") throw new Error(`the engine gave no stat of ${path} in ${container.name}`);
  const stat = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as { mode: number; linkTarget?: string };
  return {
    directory: Math.floor(stat.mode / goModeDir) % 2 === 1,
    symlink: Math.floor(stat.mode / goModeSymlink) % 2 === 1,
    linkTarget: stat.linkTarget ?? "",
  };
}

function directoryHeader(path: string, mode: number, owner: Owner): TarEntryInput["header"] {
  return { name: entryName(path), type: "directory", mode, uid: owner.uid, gid: owner.gid, mtime: new Date() };
}

/** An archive entry name for an absolute path (PUT archive at `/`). */
function entryName(path: string): string {
  return path === "/" ? "." : path.slice(1);
}

/**
 * Where one matched source lands, by fsutil's Copy: the destination is made first (itself when
 * written as a directory, else its parent); a file onto an existing directory goes inside it.
 */
async function placeMatch(
  writer: CopyWriter,
  name: string,
  directory: boolean,
): Promise<{ path: string; entries: TarEntryInput[] }> {
  const { target, destination, owner, subject } = writer;
  const entries: TarEntryInput[] = [];
  if (destination.directory) entries.push(...(await target.mkdirAll(destination.path, owner, subject)).entries);
  else if (destination.path !== "/") {
    entries.push(...(await target.mkdirAll(posix.dirname(destination.path), owner, subject)).entries);
  }
  const found = await target.lookUp(destination.path);
  if (directory) {
    entries.push(...(await target.mkdirAll(found.path, owner, subject)).entries);
    return { path: found.path, entries };
  }
  if (found.kind === "directory") {
    const inside = await target.lookUp(posix.join(found.path, name));
    return { path: inside.path, entries };
  }
  return { path: found.path, entries };
}

// --- the context ------------------------------------------------------------------------------

async function planContext(options: CopyStepOptions, writer: CopyWriter): Promise<Part[]> {
  const { step, git, subject } = options;
  const parts: Part[] = [];
  if (step.sources.length === 0) return parts;
  const context = options.context;
  const readContextFile = git.readContextFile?.bind(git);
  if (context === null || readContextFile === undefined) {
    throw new StageBuildError(`[docker] ${subject}: COPY from the build context got no context`, {
      hint: "this is a bug of stages: a COPY from the context needs the context files and a git source that reads them",
    });
  }
  const read = (path: string) => readContextFile(context.spec, path, { signal: options.signal });
  const readLink = async (path: string) => Buffer.from(await read(path)).toString("utf8");
  const select = (files: readonly GitFile[]) => selectCopySourcesReading(step.sources, files, readLink);
  let files = context.files;
  let selection = await select(files);
  if (selection.missing.length > 0 && git.contextContent !== undefined) {
    // The stage may carry only what its sources select; the whole context decides what is missing.
    files = (await git.contextContent(context.spec, { signal: options.signal })).files;
    selection = await select(files);
  }
  if (selection.missing.length > 0) throw missingSourceError(subject, selection.missing, context);
  const tree = new ContextTree(files);
  for (const { matches } of selection.perSource) {
    for (const match of matches) {
      const copied = match.target ?? match.path;
      const name = posix.basename(match.path);
      if (match.dir) {
        const placed = await placeMatch(writer, name, true);
        const under = tree.filesUnder(copied);
        const to = placed.path;
        for (const file of under) {
          const relative = copied === "" ? file.path : file.path.slice(copied.length + 1);
          const segments = relative.split("/");
          for (let depth = 1; depth < segments.length; depth++) {
            writer.target.record(posix.join(to, ...segments.slice(0, depth)), "directory");
          }
          writer.target.record(posix.join(to, relative), "file");
        }
        parts.push(staticPart(placed.entries), () => contextDirectoryEntries(under, copied, to, writer, read));
        continue;
      }
      const file = tree.file(copied);
      let bytes: Uint8Array | null = null;
      if (step.add) {
        bytes = await read(file.path);
        const archive = await archiveOf(bytes);
        if (archive !== null) {
          parts.push(...(await planExtract(archive, writer)));
          continue;
        }
      }
      const placed = await placeMatch(writer, name, false);
      writer.target.record(placed.path, "file");
      const known = bytes;
      parts.push(staticPart(placed.entries), async function* () {
        yield fileEntry(placed.path, file.mode & 0o777, known ?? (await read(file.path)), writer);
      });
    }
  }
  return parts;
}

function isLink(file: GitFile): boolean {
  return (file.mode & 0o170000) === 0o120000;
}

/** The files of the context by path, and those under a folder. */
class ContextTree {
  private readonly files: readonly GitFile[];
  private readonly byPath: Map<string, GitFile>;

  constructor(files: readonly GitFile[]) {
    this.files = files;
    this.byPath = new Map(files.map((file) => [file.path, file]));
  }

  filesUnder(directory: string): GitFile[] {
    return directory === "" ? [...this.files] : this.files.filter((file) => file.path.startsWith(`${directory}/`));
  }

  file(path: string): GitFile {
    const file = this.byPath.get(path);
    if (file === undefined) throw new Error(`${path} was selected but is not in the context`);
    return file;
  }
}

async function* contextDirectoryEntries(
  files: readonly GitFile[],
  from: string,
  to: string,
  writer: CopyWriter,
  read: (path: string) => Promise<Uint8Array>,
): AsyncGenerator<TarEntryInput> {
  const owner = writer.owner ?? { uid: 0, gid: 0 };
  const written = new Set<string>();
  const contents = mapOrdered(files, readAhead, async (file) => ({ file, bytes: await read(file.path) }));
  for await (const { file, bytes } of contents) {
    const relative = from === "" ? file.path : file.path.slice(from.length + 1);
    // Subdirectories get the source's mode (0755 in a checkout) and owner, --chmod applying.
    const segments = relative.split("/");
    for (let depth = 1; depth < segments.length; depth++) {
      const directory = segments.slice(0, depth).join("/");
      if (written.has(directory)) continue;
      written.add(directory);
      yield { header: directoryHeader(posix.join(to, directory), applyChmod(0o755, writer.chmod), owner) };
    }
    const path = posix.join(to, relative);
    if (isLink(file)) {
      yield {
        header: {
          name: entryName(path),
          type: "symlink",
          mode: 0o777,
          uid: owner.uid,
          gid: owner.gid,
          linkname: Buffer.from(bytes).toString("utf8"),
          mtime: new Date(),
        },
      };
    } else {
      yield fileEntry(path, file.mode & 0o777, bytes, writer);
    }
  }
}

function fileEntry(path: string, mode: number, bytes: Uint8Array, writer: CopyWriter): TarEntryInput {
  const owner = writer.owner ?? { uid: 0, gid: 0 };
  return {
    header: {
      name: entryName(path),
      type: "file",
      mode: applyChmod(mode, writer.chmod),
      uid: owner.uid,
      gid: owner.gid,
      size: bytes.byteLength,
      mtime: new Date(),
    },
    body: bytes,
  };
}

function missingSourceError(subject: string, missing: readonly string[], context: DockerContextFiles): Error {
  const folder = context.spec.directory === "" ? "the project directory" : context.spec.directory;
  const names = missing.map((source) => `"${source}"`).join(", ");
  return new StageBuildError(
    `[docker] ${subject}: ${names} ${missing.length === 1 ? "is" : "are"} not in the build context (${folder}): the context is the files git tracks there in the work tree, plus contextAddFiles, minus what .dockerignore excludes`,
    {
      hint: "git add the file (an untracked or git-ignored file is not in the context), list it in contextAddFiles of the image, or check .dockerignore",
    },
  );
}

// --- heredocs ---------------------------------------------------------------------------------

async function planHeredocs(heredocs: readonly DockerfileHeredoc[], writer: CopyWriter): Promise<Part[]> {
  const parts: Part[] = [];
  for (const heredoc of heredocs) {
    const placed = await placeMatch(writer, heredoc.name, false);
    writer.target.record(placed.path, "file");
    const entry = fileEntry(placed.path, heredocMode, Buffer.from(heredoc.content, "utf8"), writer);
    parts.push(staticPart([...placed.entries, entry]));
  }
  return parts;
}

// --- another image (--from) -------------------------------------------------------------------

/** The image of `--from`, read through a created container. */
class SourceImage {
  readonly client: EngineClient;
  readonly container: EngineContainer;
  readonly image: string;
  private readonly signal: AbortSignal | undefined;
  private view: Promise<InitLayerView> | null = null;

  constructor(client: EngineClient, container: EngineContainer, image: string, signal: AbortSignal | undefined) {
    this.client = client;
    this.container = container;
    this.image = image;
    this.signal = signal;
  }

  /** The path with symlinks resolved inside the image, and whether it is a directory; null when absent. */
  async resolve(path: string): Promise<{ path: string; directory: boolean } | null> {
    let current = path;
    for (let hop = 0; hop <= maxLinks; hop++) {
      if (shadowedPaths.has(current)) {
        const real = (await this.initLayerView()).get(current);
        if (real !== undefined) {
          if (real === null) return null;
          if (real.header.type !== "symlink") return { path: current, directory: real.header.type === "directory" };
          const link = real.header.linkname ?? "";
          current = posix.join(link.startsWith("/") ? "/" : posix.dirname(current), link);
          continue;
        }
      }
      const stat = await statPath(this.client, this.container, current, this.signal);
      if (stat === null) return null;
      if (!stat.symlink) return { path: current, directory: stat.directory };
      current = stat.linkTarget;
    }
    return null;
  }

  /**
   * The archive of `path` as the image has it: a container shows the engine's init layer
   * (/etc/hosts, /.dockerenv, /proc, ...) over the image's files, so entries at those paths are
   * replaced by the image's own (read from its layers) or dropped when the image has none.
   */
  async archive(path: string): Promise<AsyncGenerator<TarEntry>> {
    const stream = await this.container.getArchive(path, this.signal);
    if (stream === null) throw new Error(`${path} vanished from ${this.image}`);
    const entries = readTar(stream);
    const touched = [...shadowedPaths].some((shadowed) => shadowed === path || isUnder(shadowed, path));
    return touched ? this.corrected(entries, path, await this.initLayerView()) : entries;
  }

  private async *corrected(
    entries: AsyncGenerator<TarEntry>,
    root: string,
    view: InitLayerView,
  ): AsyncGenerator<TarEntry> {
    const dropped: string[] = [];
    for await (const entry of entries) {
      const relative = stripFirst(entry.header.name);
      const path = relative === "" ? root : posix.join(root, relative);
      if (dropped.some((directory) => isUnder(path, directory))) continue;
      const real = shadowedPaths.has(path) ? view.get(path) : undefined;
      if (real === undefined) {
        yield entry;
        continue;
      }
      if (real === null) {
        dropped.push(path);
        continue;
      }
      const body = Object.assign(Readable.from(real.body === null ? [] : [real.body]), {});
      yield { header: { ...real.header, name: entry.header.name }, body };
    }
  }

  private initLayerView(): Promise<InitLayerView> {
    this.view ??= readInitLayerView(this.client, this.image, this.signal);
    return this.view;
  }
}

/** True when `path` is strictly below `directory` (absolute paths). */
function isUnder(path: string, directory: string): boolean {
  return directory === "/" ? path !== "/" : path.startsWith(`${directory}/`);
}

/**
 * What the engine's init layer (daemon/initlayer, Engine 20.10) puts into every container, over the
 * image's own files: these files and directories, and the folders they are in.
 */
const initLayerPaths = [
  "/dev/pts",
  "/dev/shm",
  "/proc",
  "/sys",
  "/.dockerenv",
  "/etc/resolv.conf",
  "/etc/hosts",
  "/etc/hostname",
  "/dev/console",
  "/etc/mtab",
];
const shadowedPaths = new Set([...initLayerPaths, "/dev", "/etc"]);

/** The image's own entry at each shadowed path (null: the image has none); a path left out keeps the container's. */
type InitLayerView = Map<string, { header: TarEntry["header"]; body: Buffer | null } | null>;

/**
 * Reads the image's layers (`docker save`, streamed; only the shadowed paths are kept) and applies
 * them in order, whiteouts and opaque folders included, to know what the image has at each
 * shadowed path.
 */
async function readInitLayerView(
  client: EngineClient,
  image: string,
  signal: AbortSignal | undefined,
): Promise<InitLayerView> {
  const stream = await client.stream(signal, (docker) => docker.getImage(image).get());
  const layers = new Map<string, LayerFindings>();
  let order: string[] | null = null;
  for await (const entry of readTar(stream)) {
    const name = entry.header.name.replace(/^(\.\/)+/, "");
    if (name === "manifest.json") {
      const manifest = JSON.parse((await collect(entry.body)).toString("utf8")) as { Layers?: string[] }[];
      order = manifest[0]?.Layers ?? [];
    } else if (name.endsWith("/layer.tar")) {
      layers.set(name, await scanLayer(entry.body));
    }
  }
  if (order === null) throw new Error(`the saved image ${image} has no manifest.json`);
  const view: InitLayerView = new Map([...shadowedPaths].map((path) => [path, null]));
  for (const layerName of order) {
    const layer = layers.get(layerName);
    if (layer === undefined) throw new Error(`the saved image ${image} lacks its layer ${layerName}`);
    for (const path of shadowedPaths) {
      const ancestors = ancestorsOf(path);
      const hidden =
        layer.whiteouts.has(path) ||
        ancestors.some((ancestor) => layer.whiteouts.has(ancestor) || layer.opaque.has(ancestor)) ||
        ancestors.some((ancestor) => {
          const replaced = layer.entries.get(ancestor);
          return replaced !== undefined && replaced.header.type !== "directory";
        });
      if (hidden) view.set(path, null);
      const found = layer.entries.get(path);
      if (found !== undefined) view.set(path, found);
    }
  }
  // A hard link's content is elsewhere in the image: keep what the container shows for it.
  for (const [path, entry] of view) if (entry?.header.type === "link") view.delete(path);
  return view;
}

interface LayerFindings {
  entries: Map<string, { header: TarEntry["header"]; body: Buffer | null }>;
  whiteouts: Set<string>;
  opaque: Set<string>;
}

/** The entries, whiteouts and opaque markers of one layer at the shadowed paths (and their folders). */
async function scanLayer(body: TarEntry["body"]): Promise<LayerFindings> {
  const findings: LayerFindings = { entries: new Map(), whiteouts: new Set(), opaque: new Set() };
  // The layer is a tar inside the saved image's tar: read it through a pipe fed until its end.
  const input = new PassThrough();
  const pump = (async () => {
    for await (const chunk of body) {
      if (input.destroyed) continue;
      if (!input.write(chunk)) {
        await new Promise<void>((resume) => {
          input.once("drain", resume);
          input.once("close", resume);
        });
      }
    }
    input.end();
  })();
  for await (const entry of readTar(input)) {
    const path = `/${entry.header.name.replace(/^(\.\/)+/, "").replace(/^\/+|\/+$/g, "")}`;
    const base = posix.basename(path);
    if (base === ".wh..wh..opq") {
      findings.opaque.add(posix.dirname(path));
    } else if (base.startsWith(".wh.")) {
      findings.whiteouts.add(posix.join(posix.dirname(path), base.slice(4)));
    } else if (shadowedPaths.has(path)) {
      const content = entry.header.type === "file" ? await collect(entry.body) : null;
      findings.entries.set(path, { header: { ...entry.header }, body: content });
    }
  }
  await pump;
  return findings;
}

function ancestorsOf(path: string): string[] {
  const ancestors: string[] = [];
  for (let parent = posix.dirname(path); parent !== "/"; parent = posix.dirname(parent)) ancestors.push(parent);
  ancestors.push("/");
  return ancestors;
}

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function planImage(options: CopyStepOptions, writer: CopyWriter, image: SourceImage): Promise<Part[]> {
  const { step, subject } = options;
  const parts: Part[] = [];
  for (const source of step.sources) {
    const clean = `/${normalizeCopySource(source)}`;
    const segments = clean === "/" ? [] : clean.slice(1).split("/");
    const firstWild = segments.findIndex(hasCopyWildcard);
    if (firstWild === -1) {
      const resolved = await image.resolve(clean);
      if (resolved === null) throw missingInImageError(subject, source, image.image);
      parts.push(...(await planImageMatch(image, resolved, posix.basename(clean), writer)));
      continue;
    }
    const base = `/${segments.slice(0, firstWild).join("/")}`;
    const pattern = segments.slice(firstWild).join("/");
    const resolvedBase = await image.resolve(base);
    if (resolvedBase === null) throw missingInImageError(subject, source, image.image);
    if (!resolvedBase.directory) continue;
    // The walk's matches, in its order (the archive's order is the same walk), each copied whole.
    const matches: string[] = [];
    for await (const entry of await image.archive(resolvedBase.path)) {
      const relative = stripFirst(entry.header.name);
      if (relative === "") continue;
      if (matches.some((match) => relative === match || relative.startsWith(`${match}/`))) continue;
      if (goPathMatch(pattern, relative)) matches.push(relative);
    }
    for (const match of matches) {
      const path = posix.join(resolvedBase.path, match);
      const resolved = await image.resolve(path);
      if (resolved === null) throw missingInImageError(subject, source, image.image);
      parts.push(...(await planImageMatch(image, resolved, posix.basename(path), writer)));
    }
  }
  return parts;
}

/** Copies one resolved path of the source image (a directory's contents, or a file) to the destination. */
async function planImageMatch(
  image: SourceImage,
  resolved: { path: string; directory: boolean },
  name: string,
  writer: CopyWriter,
): Promise<Part[]> {
  if (resolved.directory) {
    const placed = await placeMatch(writer, name, true);
    return [
      staticPart(placed.entries),
      async function* () {
        const links = new Map<string, string>();
        for await (const entry of await image.archive(resolved.path)) {
          const relative = stripFirst(entry.header.name);
          if (relative === "") continue;
          const rewritten = imageEntry(entry, posix.join(placed.path, relative), writer, links);
          if (rewritten !== null) yield rewritten;
          if (entry.header.type === "file") links.set(relative, posix.join(placed.path, relative));
        }
      },
    ];
  }
  const placed = await placeMatch(writer, name, false);
  return [
    staticPart(placed.entries),
    async function* () {
      for await (const entry of await image.archive(resolved.path)) {
        if (stripFirst(entry.header.name) !== "") continue;
        const rewritten = imageEntry(entry, placed.path, writer, new Map());
        if (rewritten !== null) yield rewritten;
      }
    },
  ];
}

/** An entry of the source image's archive at `path`, with owner and mode as BuildKit copies them. */
function imageEntry(
  entry: TarEntry,
  path: string,
  writer: CopyWriter,
  links: Map<string, string>,
): TarEntryInput | null {
  const { header } = entry;
  const owner = writer.owner ?? { uid: header.uid ?? 0, gid: header.gid ?? 0 };
  const symlink = header.type === "symlink";
  const base = {
    name: entryName(path),
    type: header.type,
    mode: symlink ? (header.mode ?? 0o777) : applyChmod(header.mode ?? 0, writer.chmod),
    uid: owner.uid,
    gid: owner.gid,
    mtime: header.mtime,
    linkname: header.linkname ?? "",
    pax: xattrsOf(header, path, writer.warn),
  } satisfies TarEntryInput["header"];
  if (header.type === "link") {
    // A hard link to a file copied in this same match stays one; the engine names it by archive path.
    const target = links.get(stripFirst(header.linkname ?? ""));
    if (target === undefined) return null;
    return { header: { ...base, linkname: entryName(target) } };
  }
  if (header.type === "file") return { header: { ...base, size: header.size }, body: entry.body };
  return { header: { ...base, size: 0 } };
}

const xattrPrefix = "SCHILY.xattr.";

/**
 * The extended attributes of an archive entry (PAX `SCHILY.xattr.*` records, a file capability
 * say), which BuildKit's copy and untar keep. The tar reader decodes values as UTF-8, so a value
 * that is not (U+FFFD shows) cannot be written back as it was: it is left out, with a warning.
 */
function xattrsOf(
  header: TarEntry["header"],
  path: string,
  warn: (text: string) => void,
): Record<string, string> | undefined {
  const xattrs: Record<string, string> = {};
  let any = false;
  for (const [key, value] of Object.entries(header.pax ?? {})) {
    if (!key.startsWith(xattrPrefix)) continue;
    if (value.includes("\uFFFD")) {
      warn(
        `the extended attribute ${key.slice(xattrPrefix.length)} of ${path} is not copied (stages cannot carry its bytes yet)`,
      );
      continue;
    }
    xattrs[key] = value;
    any = true;
  }
  return any ? xattrs : undefined;
}

/** The name of an archive entry without its first component (GET archive names entries from the base name). */
function stripFirst(name: string): string {
  const clean = name.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  const slash = clean.indexOf("/");
  return slash === -1 ? "" : clean.slice(slash + 1);
}

function missingInImageError(subject: string, source: string, image: string): Error {
  return new StageBuildError(`[docker] ${subject}: COPY --from: "${source}" is not in ${image}`, {
    hint: "check the path in the image the step copies from (it is absolute there; WORKDIR does not apply)",
  });
}

// --- ADD of a local archive --------------------------------------------------------------------

/** How docker finds a compressed stream: by its first bytes. */
export type Compression = "gzip" | "bzip2" | "xz" | null;

/** The compression the bytes start with, as docker's DecompressStream tells it (no zstd on Engine 20.10). */
export function detectCompression(bytes: Uint8Array): Compression {
  const starts = (magic: number[]) => magic.every((byte, index) => bytes[index] === byte);
  if (starts([0x1f, 0x8b, 0x08])) return "gzip";
  if (starts([0x42, 0x5a, 0x68])) return "bzip2";
  if (starts([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return "xz";
  return null;
}

/** True when a 512-byte block is a tar header Go's archive/tar reads (its checksum is right). */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.byteLength < 512) return false;
  if (block.subarray(0, 512).every((byte) => byte === 0)) return false;
  const field = Buffer.from(block.subarray(148, 156))
    .toString("latin1")
    .replace(/[\0 ]+$/g, "")
    .trim();
  if (!/^[0-7]+$/.test(field)) return false;
  const recorded = Number.parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let index = 0; index < 512; index++) {
    const byte = index >= 148 && index < 156 ? 0x20 : (block[index] as number);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return recorded === unsigned || recorded === signed;
}

/** A source's bytes as an archive to extract, or null when they are none (then the file is copied). */
async function archiveOf(bytes: Uint8Array): Promise<{ open: () => Promise<Readable> } | null> {
  const compression = detectCompression(bytes);
  const open = () => decompress(bytes, compression);
  const head = await readPrefix(await open(), 512);
  return isTarHeader(head) ? { open } : null;
}

async function decompress(bytes: Uint8Array, compression: Compression): Promise<Readable> {
  const input = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  switch (compression) {
    case null:
      return input;
    case "gzip":
      return input.pipe(createGunzip());
    case "bzip2": {
      // Loaded on use: an ADD of a bzip2 archive is rare, and start-up time is not. It is a
      // classic (through) stream, bridged by hand: async iteration of it closes early.
      const { default: bz2 } = await import("unbzip2-stream");
      const decoder = bz2();
      const output = new PassThrough();
      decoder.on("data", (chunk: Buffer) => {
        if (!output.write(chunk)) {
          decoder.pause();
          output.once("drain", () => decoder.resume());
        }
      });
      decoder.on("end", () => output.end());
      decoder.on("error", (error: Error) => output.destroy(error));
      output.on("close", () => decoder.destroy());
      decoder.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return output;
    }
    case "xz": {
      const { XzReadableStream } = await import("xz-decompress");
      const web = Readable.toWeb(input) as unknown as ReadableStream<Uint8Array>;
      return Readable.fromWeb(new XzReadableStream(web) as unknown as import("node:stream/web").ReadableStream);
    }
  }
}

/** Up to `size` first bytes of a stream (a broken stream gives what came before it broke). */
async function readPrefix(stream: Readable, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).byteLength;
      if (length >= size) break;
    }
  } catch {
    // Not a valid compressed stream: not an archive.
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, size);
}

/**
 * The entries of an archive extracted into the destination (docker's Untar as BuildKit calls it):
 * the destination is made (0755, --chown's), the archive's owners and modes are kept, its root
 * entry does not touch the destination, hard links are renamed to where their targets went.
 */
async function planExtract(archive: { open: () => Promise<Readable> }, writer: CopyWriter): Promise<Part[]> {
  const made = await writer.target.mkdirAll(writer.destination.path, writer.owner, writer.subject);
  return [staticPart(made.entries), () => archiveEntries(archive, made.path, writer)];
}

async function* archiveEntries(
  archive: { open: () => Promise<Readable> },
  into: string,
  writer: CopyWriter,
): AsyncGenerator<TarEntryInput> {
  const { subject } = writer;
  for await (const entry of readTar(await archive.open())) {
    const { header } = entry;
    const relative = normalizeArchiveName(header.name);
    if (relative === null) {
      throw new StageBuildError(
        `[docker] ${subject}: ADD: the archive entry "${header.name}" points outside the destination`,
        { hint: "ADD extracts archives only inside the destination; fix the archive" },
      );
    }
    if (relative === "") continue;
    const path = posix.join(into, relative);
    const rewritten: TarEntryInput["header"] = {
      ...header,
      name: entryName(path),
      mode: (header.mode ?? 0) & 0o7777,
      // The old name and link of PAX records would win over the new ones: only xattrs come along.
      pax: xattrsOf(header, path, writer.warn),
    };
    if (header.type === "link") {
      const target = normalizeArchiveName(header.linkname ?? "");
      if (target === null || target === "") continue;
      rewritten.linkname = entryName(posix.join(into, target));
    }
    yield header.type === "file" || header.type === "contiguous-file"
      ? { header: { ...rewritten, type: "file" }, body: entry.body }
      : { header: { ...rewritten, size: 0 } };
  }
}

/** An archive member's name relative to where it is extracted, "" for the root, null when it climbs out. */
function normalizeArchiveName(name: string): string | null {
  const segments: string[] = [];
  for (const segment of name.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (segments.length === 0) return null;
      segments.pop();
    } else segments.push(segment);
  }
  return segments.join("/");
}
