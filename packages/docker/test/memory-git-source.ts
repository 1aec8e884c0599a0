import { createHash } from "node:crypto";
import type { ContentId, GitDiff, GitFile, GitMapping, GitSource, MappingContent } from "@stages/core";
import { gitSourceSpecificationVersion } from "@stages/core";
import { compilePathSelection, compileStageDependencies } from "@stages/core/internal";

/** One file of the in-memory work tree. */
export type MemoryFile = string | { content: string; executable?: boolean } | { symlink: string };

/**
 * A test double of core's GitSource over an in-memory work tree (path → file), for the builder's
 * tests only: the real git adapter is tested in @stages/git. Contents it returned are remembered
 * so `diff` works, until `forget()`.
 */
export class MemoryGitSource implements GitSource {
  readonly specificationVersion = gitSourceSpecificationVersion;
  private readonly files = new Map<string, MemoryFile>();
  private readonly seen = new Map<string, GitFile[]>();

  constructor(files: Record<string, MemoryFile> = {}) {
    this.set(files);
  }

  /** Adds or replaces files; a null value deletes one. */
  set(files: Record<string, MemoryFile | null>): void {
    for (const [path, file] of Object.entries(files)) {
      if (file === null) this.files.delete(path);
      else this.files.set(path, file);
    }
  }

  /** Replaces the whole work tree. */
  reset(files: Record<string, MemoryFile>): void {
    this.files.clear();
    this.set(files);
  }

  /** Forgets the contents seen so far: `diff` then answers null. */
  forget(): void {
    this.seen.clear();
  }

  async content(mapping: GitMapping): Promise<MappingContent> {
    const prefix = mapping.add.replace(/^\/+|\/+$/g, "");
    const selection = compilePathSelection(mapping.includePaths, mapping.excludePaths);
    const files: GitFile[] = [];
    for (const [path, file] of this.files) {
      let relative: string;
      if (prefix === "") relative = path;
      else if (path === prefix) relative = "";
      else if (path.startsWith(`${prefix}/`)) relative = path.slice(prefix.length + 1);
      else continue;
      if (relative !== "" && selection !== null && !selection(relative)) continue;
      files.push({ path: relative, mode: modeOf(file), blobId: blobIdOf(file) });
    }
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const contentId = createHash("sha256")
      .update(files.map((file) => `${file.path}\0${file.mode.toString(8)}\0${file.blobId}\n`).join(""))
      .digest("hex") as ContentId;
    this.seen.set(contentId, files);
    return { mappingId: mapping.id, contentId, files };
  }

  async dependenciesChecksum(mapping: GitMapping, globs: readonly string[]): Promise<string> {
    const content = await this.content(mapping);
    const watched = compileStageDependencies(mapping, globs);
    const selected = content.files.filter((file) => watched(file.path));
    return createHash("sha256").update(JSON.stringify(selected)).digest("hex");
  }

  async diff(_mapping: GitMapping, from: ContentId, to: ContentId): Promise<GitDiff | null> {
    const before = this.seen.get(from);
    const after = this.seen.get(to);
    if (!before || !after) return null;
    const previous = new Map(before.map((file) => [file.path, file]));
    const diff: GitDiff = { added: [], changed: [], deleted: [] };
    for (const file of after) {
      const old = previous.get(file.path);
      if (!old) diff.added.push(file);
      else {
        if (old.blobId !== file.blobId || old.mode !== file.mode) diff.changed.push(file);
        previous.delete(file.path);
      }
    }
    diff.deleted = [...previous.keys()];
    return diff;
  }

  async readFile(mapping: GitMapping, path: string): Promise<Uint8Array> {
    const prefix = mapping.add.replace(/^\/+|\/+$/g, "");
    const full = prefix === "" ? path : path === "" ? prefix : `${prefix}/${path}`;
    const file = this.files.get(full);
    if (file === undefined) throw new Error(`no file ${full} in the memory work tree`);
    return new TextEncoder().encode(bytesOf(file));
  }
}

function bytesOf(file: MemoryFile): string {
  if (typeof file === "string") return file;
  return "symlink" in file ? file.symlink : file.content;
}

function modeOf(file: MemoryFile): number {
  if (typeof file === "string") return 0o100644;
  if ("symlink" in file) return 0o120000;
  return file.executable ? 0o100755 : 0o100644;
}

function blobIdOf(file: MemoryFile): string {
  const bytes = Buffer.from(bytesOf(file));
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}
