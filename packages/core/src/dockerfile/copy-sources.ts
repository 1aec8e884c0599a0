import type { GitFile } from "../adapters/git-source.js";
import { resolveSegments } from "../config/paths.js";

/*
 * Which files a COPY or ADD source selects, by BuildKit's rules (the Dockerfile frontend of Engine
 * 20.10's BuildKit, checked against `DOCKER_BUILDKIT=1 docker build`):
 *
 * - A source is cleaned as Go's `filepath.Join("/", source)`: a leading `/`, `./`, a trailing `/`
 *   and `..` that would climb above the root all mean the context root.
 * - Without a wildcard it names one file or directory (a directory of a file list is any path some
 *   file is under); a name that is neither is an error ("not found").
 * - With a wildcard (`*`, `?` or `[` not escaped by `\`), the part before the first segment that has
 *   one must exist (BuildKit's walk fails with "lstat ... no such file or directory" otherwise); the
 *   rest is matched by Go's `filepath.Match` against each path under it, in the walk's order (names
 *   sorted per directory), and a matched directory is taken whole (the walk does not descend into
 *   it). `**` is not special: it is two `*`, which match within one segment. A wildcard that matches
 *   nothing selects nothing, and that is not an error (the frontend allows empty wildcards).
 * - Symbolic links are matched as files (the walk does not follow them), but a source that is a
 *   link itself is followed by the copy, and so is a link in the middle of a path (fs.RootPath:
 *   inside the root, an absolute target starts at the root, `..` stops there). A link's target is
 *   its content, which a file list does not have: `linkTargets` gives them; a link needed and not
 *   given is listed in `links`, to be read and passed in a next call.
 */

/** A matched file, or a directory (everything under it); `path` is relative to the root, "" for the root. */
export interface CopyMatch {
  path: string;
  /** Whether what is copied is a directory (its contents are copied). */
  dir: boolean;
  /** For a match that is (or goes through) a symlink: the path it resolves to, whose content is copied. */
  target?: string;
}

/** What the sources of one COPY select from a list of context files. */
export interface CopySelection {
  /** Each source in order, with its matches in BuildKit's copy order. */
  perSource: { source: string; matches: CopyMatch[] }[];
  /**
   * The union of selected context files (what is copied, and the symlinks followed to it), in the
   * order of the input (sorted by path), each once.
   */
  files: GitFile[];
  /** Sources BuildKit fails on: a plain path that is not there, a wildcard under a folder that is not there. */
  missing: string[];
  /** Symlinks the selection must follow whose target `linkTargets` lacks: read them and select again. */
  links: string[];
}

/** One path of a tree to match sources in: a file (or symlink) or an explicit directory. */
export interface CopyTreeEntry {
  path: string;
  dir: boolean;
}

interface TreeNode {
  /** Null for a file. */
  children: Map<string, TreeNode> | null;
  /** A symlink (a file whose content is its target). */
  link: boolean;
}

/** Symlinks followed in a row before giving up (the kernel's limit is 40). */
const maxLinks = 40;

/**
 * The files the sources of a COPY or ADD select from the context `files`; `linkTargets` are the
 * targets of its symlinks (by path), as far as known.
 */
export function selectCopySources(
  sources: readonly string[],
  files: readonly GitFile[],
  linkTargets: ReadonlyMap<string, string> = new Map(),
): CopySelection {
  const tree = buildTree(
    files.map((file) => ({ path: file.path, dir: false, link: (file.mode & 0o170000) === 0o120000 })),
  );
  const perSource: CopySelection["perSource"] = [];
  const missing: string[] = [];
  const links = new Set<string>();
  const selectedFiles = new Set<string>();
  const selectedDirs: string[] = [];
  const followed = new Set<string>();
  const context: MatchContext = { tree, linkTargets, links, followed };
  for (const source of sources) {
    const matches = matchInTree(source, context);
    if (matches === null) {
      missing.push(source);
      perSource.push({ source, matches: [] });
      continue;
    }
    perSource.push({ source, matches });
    for (const match of matches) {
      const copied = match.target ?? match.path;
      if (match.dir) selectedDirs.push(copied);
      else selectedFiles.add(copied);
    }
  }
  for (const link of followed) selectedFiles.add(link);
  const selected = files.filter(
    (file) => selectedFiles.has(file.path) || selectedDirs.some((dir) => dir === "" || file.path.startsWith(`${dir}/`)),
  );
  return { perSource, files: selected, missing, links: [...links] };
}

/**
 * `selectCopySources` with every symlink it must follow read through `readLink` (the link's
 * target, as GitSource.readContextFile gives it) until none is left.
 */
export async function selectCopySourcesReading(
  sources: readonly string[],
  files: readonly GitFile[],
  readLink: (path: string) => Promise<string>,
): Promise<CopySelection> {
  const targets = new Map<string, string>();
  for (;;) {
    const selection = selectCopySources(sources, files, targets);
    // Each round learns at least one target it did not know, so this ends.
    if (selection.links.length === 0) return selection;
    for (const link of selection.links) targets.set(link, await readLink(link));
  }
}

/**
 * The matches of one source among `entries` (the files of an image's folder, say), or null when
 * BuildKit fails on it; directories are implicit too (any path some entry is under).
 */
export function matchCopySource(source: string, entries: readonly CopyTreeEntry[]): CopyMatch[] | null {
  const context: MatchContext = {
    tree: buildTree(entries.map((entry) => ({ ...entry, link: false }))),
    linkTargets: new Map(),
    links: new Set(),
    followed: new Set(),
  };
  return matchInTree(source, context);
}

/** The source as BuildKit's frontend cleans it (`filepath.Join("/", source)`), without the leading `/`: "" is the root. */
export function normalizeCopySource(source: string): string {
  return resolveSegments(source).join("/");
}

/** True when a path has a wildcard BuildKit expands (`*`, `?`, `[` not escaped by a backslash). */
export function hasCopyWildcard(path: string): boolean {
  for (let index = 0; index < path.length; index++) {
    const character = path[index];
    if (character === "\\") index++;
    else if (character === "*" || character === "?" || character === "[") return true;
  }
  return false;
}

function buildTree(entries: readonly (CopyTreeEntry & { link: boolean })[]): TreeNode {
  const root: TreeNode = { children: new Map(), link: false };
  for (const entry of entries) {
    let node = root;
    const segments = resolveSegments(entry.path);
    segments.forEach((segment, index) => {
      const last = index === segments.length - 1;
      // A path that is both a file and a folder cannot come from one file system; the folder wins.
      if (node.children === null) node.children = new Map();
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { children: last && !entry.dir ? null : new Map(), link: last && entry.link };
        node.children.set(segment, child);
      } else if (!last && child.children === null) {
        child.children = new Map();
        child.link = false;
      }
      node = child;
    });
  }
  return root;
}

interface MatchContext {
  tree: TreeNode;
  linkTargets: ReadonlyMap<string, string>;
  /** Links needed whose target is unknown. */
  links: Set<string>;
  /** Links followed (they belong to the selection). */
  followed: Set<string>;
}

type Resolved = { kind: "found"; path: string; node: TreeNode } | { kind: "missing" } | { kind: "link" };

/**
 * Walks `segments` from the root as fs.RootPath does: a symlink in the middle (or at the end, with
 * `followLast`) is replaced by its target, never leaving the root.
 */
function resolvePath(context: MatchContext, segments: readonly string[], followLast: boolean): Resolved {
  const queue = [...segments];
  let resolved: string[] = [];
  let node = context.tree;
  let hops = 0;
  while (queue.length > 0) {
    const segment = queue.shift() as string;
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      resolved = resolved.slice(0, -1);
      node = lookUp(context.tree, resolved) as TreeNode;
      continue;
    }
    const child = node.children?.get(segment);
    if (child === undefined) return { kind: "missing" };
    const path = [...resolved, segment].join("/");
    if (child.link && (queue.length > 0 || followLast)) {
      const target = context.linkTargets.get(path);
      if (target === undefined) {
        context.links.add(path);
        return { kind: "link" };
      }
      context.followed.add(path);
      if (++hops > maxLinks) return { kind: "missing" };
      if (target.startsWith("/")) {
        resolved = [];
        node = context.tree;
      }
      queue.unshift(...target.split("/"));
      continue;
    }
    resolved.push(segment);
    node = child;
  }
  return { kind: "found", path: resolved.join("/"), node };
}

function lookUp(tree: TreeNode, segments: readonly string[]): TreeNode | null {
  let node: TreeNode | undefined = tree;
  for (const segment of segments) {
    node = node.children?.get(segment);
    if (node === undefined) return null;
  }
  return node;
}

/** A match at `path`, the link it is followed to the end, as the copy takes it; null when the target is not there. */
function followMatch(context: MatchContext, path: string): CopyMatch | null | "link" {
  const resolved = resolvePath(context, path === "" ? [] : path.split("/"), true);
  if (resolved.kind === "missing") return null;
  if (resolved.kind === "link") return "link";
  const match: CopyMatch = { path, dir: resolved.node.children !== null };
  if (resolved.path !== path) match.target = resolved.path;
  return match;
}

function matchInTree(source: string, context: MatchContext): CopyMatch[] | null {
  const segments = resolveSegments(source);
  const firstWild = segments.findIndex(hasCopyWildcard);
  if (firstWild === -1) {
    const match = followMatch(context, segments.join("/"));
    if (match === "link") return [];
    return match === null ? null : [match];
  }
  const base = resolvePath(context, segments.slice(0, firstWild), true);
  if (base.kind === "link") return [];
  if (base.kind === "missing") return null;
  const pattern = segments.slice(firstWild).join("/");
  const prefix = base.path === "" ? "" : `${base.path}/`;
  const matches: CopyMatch[] = [];
  let broken = false;
  const walk = (node: TreeNode, relative: string): void => {
    if (node.children === null) return;
    for (const name of [...node.children.keys()].sort(compareBytes)) {
      const child = node.children.get(name) as TreeNode;
      const path = relative === "" ? name : `${relative}/${name}`;
      if (!goPathMatch(pattern, path)) {
        walk(child, path);
        continue;
      }
      if (!child.link) {
        matches.push({ path: prefix + path, dir: child.children !== null });
        continue;
      }
      const match = followMatch(context, prefix + path);
      if (match === null) broken = true;
      else if (match !== "link") matches.push(match);
    }
  };
  walk(base.node, "");
  // A matched symlink whose target is not there fails the copy (lstat), as a missing path does.
  return broken ? null : matches;
}

/** Go's byte order of UTF-8 strings (what sort.Strings gives a directory listing), by code points. */
function compareBytes(left: string, right: string): number {
  const a = Array.from(left);
  const b = Array.from(right);
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    const difference = (a[index] as string).codePointAt(0)! - (b[index] as string).codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/**
 * Go's `path/filepath.Match` on a POSIX system: `*` (no `/`), `?` (one character but `/`), classes
 * `[a-z]`, `[^a]` (a class, unlike `?`, can match `/`), `\` escapes. A malformed pattern matches
 * nothing (BuildKit ignores Match's error).
 */
export function goPathMatch(pattern: string, name: string): boolean {
  const result = goMatch(Array.from(pattern), Array.from(name));
  return result === true;
}

type Chars = string[];
const badPattern = "bad" as const;

function goMatch(patternIn: Chars, nameIn: Chars): boolean | typeof badPattern {
  let pattern = patternIn;
  let name = nameIn;
  chunks: while (pattern.length > 0) {
    const scanned = scanChunk(pattern);
    const { star, chunk } = scanned;
    pattern = scanned.rest;
    if (star && chunk.length === 0) return !name.includes("/");
    const first = matchChunk(chunk, name);
    if (first === badPattern) return badPattern;
    if (first !== null && (first.length === 0 || pattern.length > 0)) {
      name = first;
      continue;
    }
    if (star) {
      for (let index = 0; index < name.length && name[index] !== "/"; index++) {
        const rest = matchChunk(chunk, name.slice(index + 1));
        if (rest === badPattern) return badPattern;
        if (rest !== null) {
          if (pattern.length === 0 && rest.length > 0) continue;
          name = rest;
          continue chunks;
        }
      }
    }
    while (pattern.length > 0) {
      const next = scanChunk(pattern);
      pattern = next.rest;
      if (matchChunk(next.chunk, []) === badPattern) return badPattern;
    }
    return false;
  }
  return name.length === 0;
}

function scanChunk(patternIn: Chars): { star: boolean; chunk: Chars; rest: Chars } {
  let pattern = patternIn;
  let star = false;
  while (pattern.length > 0 && pattern[0] === "*") {
    pattern = pattern.slice(1);
    star = true;
  }
  let inRange = false;
  let index = 0;
  scan: for (; index < pattern.length; index++) {
    switch (pattern[index]) {
      case "\\":
        if (index + 1 < pattern.length) index++;
        break;
      case "[":
        inRange = true;
        break;
      case "]":
        inRange = false;
        break;
      case "*":
        if (!inRange) break scan;
        break;
    }
  }
  return { star, chunk: pattern.slice(0, index), rest: pattern.slice(index) };
}

/** The rest of `text` after `chunk` matched its start, null when it did not, or a bad pattern. */
function matchChunk(chunkIn: Chars, textIn: Chars): Chars | null | typeof badPattern {
  let chunk = chunkIn;
  let text = textIn;
  // After a failure the chunk is still read to the end, to report a malformed pattern as Go does.
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && text.length === 0) failed = true;
    const head = chunk[0];
    if (head === "[") {
      let character = "";
      if (!failed) {
        character = text[0] as string;
        text = text.slice(1);
      }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === "^") {
        negated = true;
        chunk = chunk.slice(1);
      }
      let matched = false;
      let ranges = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === "]" && ranges > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const low = getEscaped(chunk);
        if (low === badPattern) return badPattern;
        chunk = low.rest;
        let high = low.character;
        if (chunk[0] === "-") {
          const upper = getEscaped(chunk.slice(1));
          if (upper === badPattern) return badPattern;
          chunk = upper.rest;
          high = upper.character;
        }
        if (!failed && codePoint(low.character) <= codePoint(character) && codePoint(character) <= codePoint(high)) {
          matched = true;
        }
        ranges++;
      }
      if (matched === negated) failed = true;
      continue;
    }
    if (head === "?") {
      if (!failed) {
        if (text[0] === "/") failed = true;
        text = text.slice(1);
      }
      chunk = chunk.slice(1);
      continue;
    }
    if (head === "\\") {
      chunk = chunk.slice(1);
      if (chunk.length === 0) return badPattern;
    }
    if (!failed) {
      if (chunk[0] !== text[0]) failed = true;
      text = text.slice(1);
    }
    chunk = chunk.slice(1);
  }
  return failed ? null : text;
}

function getEscaped(chunkIn: Chars): { character: string; rest: Chars } | typeof badPattern {
  let chunk = chunkIn;
  if (chunk.length === 0 || chunk[0] === "-" || chunk[0] === "]") return badPattern;
  if (chunk[0] === "\\") {
    chunk = chunk.slice(1);
    if (chunk.length === 0) return badPattern;
  }
  const character = chunk[0] as string;
  const rest = chunk.slice(1);
  if (rest.length === 0) return badPattern;
  return { character, rest };
}

function codePoint(character: string): number {
  return character.codePointAt(0) ?? -1;
}
