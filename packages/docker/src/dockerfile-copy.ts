import { posix } from "node:path";
import type { DockerContextFiles, DockerfileHeredoc, DockerfileStep, GitFile, GitSource } from "@stages/core";
import { StageBuildError } from "@stages/core";
import { mapOrdered, selectCopySourcesReading } from "@stages/core/internal";
import { EngineContainer } from "./container.js";
import { putEntries, readAccounts } from "./container-files.js";
import { archiveOf, planExtract } from "./dockerfile-copy-archive.js";
import { planImage, SourceImage } from "./dockerfile-copy-image.js";
import type { CopyWriter, Owner, Part } from "./dockerfile-copy-target.js";
import {
  applyChmod,
  copyDestination,
  directoryHeader,
  entryName,
  fileEntry,
  placeMatch,
  runParts,
  staticPart,
  TargetTree,
} from "./dockerfile-copy-target.js";
import type { EngineClient } from "./engine-client.js";
import type { AccountDatabase } from "./ownership.js";
import type { TarEntryInput } from "./tar.js";

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
 * - A source that is a symlink itself is followed (inside the context or image), and so is a link
 *   in the middle of a source path; symlinks inside a copied directory stay symlinks.
 * - COPY --from reads the image through a created container (dockerfile-copy-image), with what the
 *   engine's init layer puts in every container replaced by the image's own files.
 * - ADD (which has no --from) extracts a source file that is a tar archive (dockerfile-copy-archive).
 *
 * The destination side (modes, owners, the target's file system) is dockerfile-copy-target.
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

/** Heredoc files are made 0664 under the daemon's umask 022 (BuildKit's Mkfile). */
const heredocMode = 0o644;
/** How many context files are read ahead while the archive is being sent. */
const readAhead = 8;

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
