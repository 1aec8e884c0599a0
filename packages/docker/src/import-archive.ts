import { posix } from "node:path";
import type { PathMatcher } from "@stages/core/internal";
import type { TarEntry, TarEntryInput } from "./tar.js";

/** How the entries of an import are selected and where they land. */
export interface ImportRewrite {
  /** Absolute path the `add` lands at. */
  to: string;
  /** Selection relative to `add`; null keeps everything. */
  selection: PathMatcher | null;
  /** Owner and group to give every entry; null keeps the source's. */
  uid: number | null;
  gid: number | null;
  /**
   * Whether to write the entry of `add` itself (a directory) at `to`. False when `to` exists, so an
   * existing directory like /usr/local/bin keeps its owner and mode.
   */
  writeRoot: boolean;
}

/** The part of an archive entry name after its first component (the base name of `add`): "" for `add` itself. */
export function relativeToAdd(name: string): string {
  const clean = name.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  const slash = clean.indexOf("/");
  return slash === -1 ? "" : clean.slice(slash + 1);
}

/**
 * Turns the archive of `add` (as the engine's GET archive gives it: entries named from the base
 * name of `add`) into entries for PUT archive at `/`: selected by include/exclude, moved to `to`,
 * owned as asked. A directory that is not selected itself is written only when something below it
 * is (so its mode and owner come along). Hard links whose target was not selected are dropped.
 * PAX records (long names, xattrs) are not carried over; long names are re-encoded.
 */
export async function* rewriteImportEntries(
  entries: AsyncIterable<TarEntry>,
  rewrite: ImportRewrite,
): AsyncGenerator<TarEntryInput> {
  const pending = new Map<string, TarEntryInput>();
  const written = new Set<string>();
  const nameFor = (relative: string) => (relative === "" ? rewrite.to : posix.join(rewrite.to, relative)).slice(1);

  const withParents = function* (relative: string): Generator<TarEntryInput> {
    let slash = relative.indexOf("/");
    while (slash !== -1) {
      const parent = relative.slice(0, slash);
      const entry = pending.get(parent);
      if (entry) {
        pending.delete(parent);
        written.add(parent);
        yield entry;
      }
      slash = relative.indexOf("/", slash + 1);
    }
  };

  for await (const entry of entries) {
    const { header } = entry;
    if (header.type !== "file" && header.type !== "directory" && header.type !== "symlink" && header.type !== "link") {
      // Devices and fifos have no place in an import.
      continue;
    }
    const relative = relativeToAdd(header.name);
    const rewritten: TarEntryInput["header"] = {
      name: nameFor(relative),
      type: header.type,
      mode: header.mode,
      uid: rewrite.uid ?? header.uid,
      gid: rewrite.gid ?? header.gid,
      mtime: header.mtime,
      size: header.type === "file" ? header.size : 0,
      linkname: header.linkname ?? "",
    };
    if (relative === "") {
      if (header.type !== "directory") {
        yield { header: rewritten, body: header.type === "file" ? entry.body : undefined };
        written.add("");
      } else if (rewrite.writeRoot && rewrite.to !== "/") {
        yield { header: rewritten };
      }
      continue;
    }
    const selected = rewrite.selection === null || rewrite.selection(relative);
    if (header.type === "directory") {
      if (selected) {
        yield* withParents(relative);
        written.add(relative);
        yield { header: rewritten };
      } else {
        pending.set(relative, { header: rewritten });
      }
      continue;
    }
    if (!selected) continue;
    if (header.type === "link") {
      const target = relativeToAdd(header.linkname ?? "");
      if (!written.has(target)) continue;
      rewritten.linkname = nameFor(target);
    }
    yield* withParents(relative);
    written.add(relative);
    yield { header: rewritten, body: header.type === "file" ? entry.body : undefined };
  }
}
