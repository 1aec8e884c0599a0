import { posix } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { StageBuildError } from "@stages/core";
import { goPathMatch, hasCopyWildcard, normalizeCopySource } from "@stages/core/internal";
import type { EngineContainer } from "./container.js";
import type { CopyStepOptions } from "./dockerfile-copy.js";
import type { CopyWriter, Part } from "./dockerfile-copy-target.js";
import {
  applyChmod,
  collect,
  entryName,
  maxLinks,
  placeMatch,
  staticPart,
  statPath,
  xattrsOf,
} from "./dockerfile-copy-target.js";
import type { EngineClient } from "./engine-client.js";
import type { TarEntry, TarEntryInput } from "./tar.js";
import { readTar } from "./tar.js";

/*
 * COPY --from: files of another image, read through a created container of it (GET archive), as
 * BuildKit copies them from that image's root file system: owners kept, symlinks followed for a
 * source and kept inside, hard links kept within one match, extended attributes kept. What the
 * engine's init layer shows in every container is replaced by what the image itself has.
 */

/** The image of `--from`, read through a created container. */
export class SourceImage {
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
export type InitLayerView = Map<string, { header: TarEntry["header"]; body: Buffer | null } | null>;

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
  return composeInitLayerView(
    order.map((layerName) => {
      const layer = layers.get(layerName);
      if (layer === undefined) throw new Error(`the saved image ${image} lacks its layer ${layerName}`);
      return layer;
    }),
  );
}

/** Applies the layers' findings bottom up: what the image has at each shadowed path. */
export function composeInitLayerView(layers: readonly LayerFindings[]): InitLayerView {
  const view: InitLayerView = new Map([...shadowedPaths].map((path) => [path, null]));
  for (const layer of layers) {
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

/** What one layer has at the shadowed paths: entries (with file contents), whiteouts, opaque folders. */
export interface LayerFindings {
  entries: Map<string, { header: TarEntry["header"]; body: Buffer | null }>;
  whiteouts: Set<string>;
  opaque: Set<string>;
}

/** The entries, whiteouts and opaque markers of one layer at the shadowed paths (and their folders). */
export async function scanLayer(body: AsyncIterable<Buffer>): Promise<LayerFindings> {
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

export async function planImage(options: CopyStepOptions, writer: CopyWriter, image: SourceImage): Promise<Part[]> {
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
