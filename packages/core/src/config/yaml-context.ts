import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node, type Pair } from "yaml";
import type { SourcePosition } from "./model.js";
import type { ProblemCollector } from "./problems.js";

/** Something a problem can point at: a YAML node, a key/value pair, or an offset in the text. */
export type Locatable = Node | Pair | number;

/** A key of a YAML mapping with its value, aliases resolved. `value` is null when the key has no value at all. */
export interface MappingEntry {
  key: string;
  keyNode: Node;
  value: Node | null;
}

/** Turns offsets into positions, resolves aliases and records problems while one YAML document is read. */
export class YamlContext {
  private readonly unknownAliases = new Set<Node>();

  constructor(
    readonly file: string,
    readonly lineCounter: LineCounter,
    readonly problems: ProblemCollector,
    readonly document: Document | null,
  ) {}

  /** The 1-based position of a node (its first character), a pair (its key) or an offset. */
  position(target: Locatable): SourcePosition {
    const offset = typeof target === "number" ? target : offsetOf(target);
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line: Math.max(line, 1), column: Math.max(col, 1) };
  }

  /** Records an error at a node. */
  error(target: Locatable, message: string, hint: string | null = null): void {
    this.problems.error(this.position(target), message, hint);
  }

  /** Records a warning at a node. */
  warning(target: Locatable, message: string, hint: string | null = null): void {
    this.problems.warning(this.position(target), message, hint);
  }

  /** Follows aliases (`*name`) to the node they stand for; null for a missing node or an unknown alias. */
  resolve(node: Node | null | undefined): Node | null {
    if (!isAlias(node)) return node ?? null;
    // An anchor resolves to a node, never to another alias.
    const target = this.document === null ? undefined : node.resolve(this.document);
    if (target === undefined && !this.unknownAliases.has(node)) {
      this.unknownAliases.add(node);
      this.error(node, `unknown alias *${node.source}`, "define the anchor (&name) earlier in the same document");
    }
    return target ?? null;
  }

  /** The entries of a mapping node in order, with `<<` merge keys expanded (explicit keys win). */
  entries(map: Node): MappingEntry[] {
    // One set for the whole expansion: each merged mapping is read once, so nested merges stay linear.
    return this.collectEntries(map, new Set([map]));
  }

  private collectEntries(map: Node, visited: Set<Node>): MappingEntry[] {
    const explicit: MappingEntry[] = [];
    const merged: MappingEntry[] = [];
    if (!isMap(map)) return explicit;
    for (const pair of map.items) {
      const keyNode = isPair(pair) ? (pair.key as Node | null) : null;
      if (isMergeKey(keyNode)) {
        merged.push(...this.mergedEntries(pair.value as Node | null, visited));
        continue;
      }
      const entry = this.entry(pair);
      if (entry !== null) explicit.push(entry);
    }
    const seen = new Set(explicit.map((entry) => entry.key));
    for (const entry of merged) {
      if (seen.has(entry.key)) continue;
      seen.add(entry.key);
      explicit.push(entry);
    }
    return explicit;
  }

  /** The entry of a key written directly in a mapping, found without reporting anything. */
  findEntry(map: Node, key: string): MappingEntry | undefined {
    if (!isMap(map)) return undefined;
    const pair = map.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
    if (pair === undefined) return undefined;
    return { key, keyNode: pair.key as Node, value: this.resolve(pair.value as Node | null) };
  }

  private mergedEntries(source: Node | null, visited: Set<Node>): MappingEntry[] {
    const resolved = this.resolve(source);
    if (resolved === null || visited.has(resolved)) return [];
    if (isSeq(resolved)) {
      return resolved.items.flatMap((item) => this.mergedEntries(item as Node | null, visited));
    }
    if (!isMap(resolved)) {
      this.error(
        resolved,
        `a merge key (<<) needs a mapping, not ${describeNode(resolved)}`,
        "merge an anchored mapping: <<: *name",
      );
      return [];
    }
    visited.add(resolved);
    return this.collectEntries(resolved, visited);
  }

  private entry(pair: Pair): MappingEntry | null {
    const keyNode = this.resolve(pair.key as Node | null);
    if (keyNode === null) return null;
    if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === "object") {
      this.error(keyNode, `a key must be a plain name, not ${describeNode(keyNode)}`, "write keys as plain words");
      return null;
    }
    const key = typeof keyNode.value === "string" ? keyNode.value : (keyNode.source ?? String(keyNode.value));
    const rawValue = pair.value as Node | null;
    return { key, keyNode: pair.key as Node, value: rawValue === null ? null : this.resolve(rawValue) };
  }
}

function isMergeKey(node: Node | null): boolean {
  return isScalar(node) && (typeof node.value === "symbol" || (node.value === "<<" && node.type === "PLAIN"));
}

function offsetOf(target: Node | Pair): number {
  if (isPair(target)) return offsetOf((target.key ?? target.value) as Node);
  return target.range?.[0] ?? 0;
}

/** The plain string keys written directly in a mapping, without reporting anything (for a first look at a document). */
export function plainKeys(node: Node | null): string[] {
  if (!isMap(node)) return [];
  return node.items.flatMap((pair) =>
    isPair(pair) && isScalar(pair.key) && typeof pair.key.value === "string" ? [pair.key.value] : [],
  );
}

/** Where to point at an entry's value: the value when there is one, else the key. */
export function valueOrKey(entry: MappingEntry): Node {
  return isNullNode(entry.value) ? entry.keyNode : (entry.value as Node);
}

/** Whether a node stands for no value: missing, `~`, `null` or nothing after the colon. */
export function isNullNode(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

/** Names the type of a node for messages: "a mapping", "a list", "a string", ... */
export function describeNode(node: Node | null): string {
  if (isNullNode(node)) return "nothing (null)";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    switch (typeof node.value) {
      case "string":
        return "a string";
      case "number":
      case "bigint":
        return "a number";
      case "boolean":
        return "a boolean";
      default:
        return "a value";
    }
  }
  return "a value";
}
