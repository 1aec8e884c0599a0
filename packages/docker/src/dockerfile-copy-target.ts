import { posix } from "node:path";
import { StageBuildError } from "@stages/core";
import type { EngineContainer } from "./container.js";
import type { EngineClient } from "./engine-client.js";
import { isHttpStatus } from "./engine-errors.js";
import type { TarEntry, TarEntryInput } from "./tar.js";

/*
 * What every source of a COPY writes through (dockerfile-copy): the destination, the owner and
 * mode rules, and the target container's file system as the step leaves it, worked out before the
 * one archive is sent.
 */

/** Numeric owner of what a step writes. */
export interface Owner {
  uid: number;
  gid: number;
}

/** Entries of the archive, made when it is sent (file contents are read then). */
export type Part = () => AsyncIterable<TarEntryInput>;

export function staticPart(entries: readonly TarEntryInput[]): Part {
  return async function* () {
    yield* entries;
  };
}

export async function* runParts(parts: readonly Part[]): AsyncGenerator<TarEntryInput> {
  for (const part of parts) yield* part();
}

/** A directory BuildKit's MkdirAll makes: 0755, owned by --chown's user or root. */
const newDirectoryMode = 0o755;
/** Symlinks followed in a row before giving up (the kernel's limit is 40). */
export const maxLinks = 40;

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

/** Everything a source writes through. */
export interface CopyWriter {
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
export class TargetTree {
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

export async function statPath(
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

export function directoryHeader(path: string, mode: number, owner: Owner): TarEntryInput["header"] {
  return { name: entryName(path), type: "directory", mode, uid: owner.uid, gid: owner.gid, mtime: new Date() };
}

/** An archive entry name for an absolute path (PUT archive at `/`). */
export function entryName(path: string): string {
  return path === "/" ? "." : path.slice(1);
}

/**
 * Where one matched source lands, by fsutil's Copy: the destination is made first (itself when
 * written as a directory, else its parent); a file onto an existing directory goes inside it.
 */
export async function placeMatch(
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

export function fileEntry(path: string, mode: number, bytes: Uint8Array, writer: CopyWriter): TarEntryInput {
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

const xattrPrefix = "SCHILY.xattr.";

/**
 * The extended attributes of an archive entry (PAX `SCHILY.xattr.*` records, a file capability
 * say), which BuildKit's copy and untar keep. The tar reader decodes values as UTF-8, so a value
 * that is not (U+FFFD shows) cannot be written back as it was: it is left out, with a warning.
 */
export function xattrsOf(
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

export async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}
