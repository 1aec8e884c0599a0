import { isMap, type Node } from "yaml";
import { didYouMean } from "./suggest.js";
import { describeNode, isNullNode, type MappingEntry, type YamlContext } from "./yaml-context.js";

/** Why a werf key is not supported, and what to do instead. */
export interface UnsupportedKey {
  reason: string;
  hint: string;
  /** A werf feature stages lacks for now: the message says "not supported by stages yet". */
  notYet?: boolean;
}

/** The keys one mapping of the config may hold. */
export interface SectionSpec {
  /** Where the mapping is, for messages: `under shell`, `in image "backend"`. */
  where: string;
  /** The word for a key in messages: "directive" in images, "key" elsewhere. */
  word: "directive" | "key";
  known: readonly string[];
  /** Keys werf knows and stages does not: an error naming the key. */
  unsupported?: Readonly<Record<string, UnsupportedKey>>;
  /** Keys werf knows that stages ignores on purpose: a warning. */
  ignored?: Readonly<Record<string, UnsupportedKey>>;
}

/** The known keys of a mapping that was read against a SectionSpec. */
export type Section = ReadonlyMap<string, MappingEntry>;

/**
 * Checks that `node` is a mapping and every key is known; reports unknown keys (with a "did you mean"),
 * unsupported and ignored werf keys. Returns the known entries, or null when `node` is not a mapping.
 */
export function readSection(context: YamlContext, node: Node, label: string, spec: SectionSpec): Section | null {
  if (!isMap(node)) {
    const hint = isNullNode(node) ? "remove the empty key or give it a value" : `write ${label} as key: value lines`;
    context.error(node, `${label} must be a mapping, not ${describeNode(node)}`, hint);
    return null;
  }
  const section = new Map<string, MappingEntry>();
  for (const entry of context.entries(node)) {
    const unsupported = Object.hasOwn(spec.unsupported ?? {}, entry.key) ? spec.unsupported?.[entry.key] : undefined;
    const ignored = Object.hasOwn(spec.ignored ?? {}, entry.key) ? spec.ignored?.[entry.key] : undefined;
    if (spec.known.includes(entry.key)) {
      section.set(entry.key, entry);
    } else if (unsupported !== undefined) {
      const message = unsupported.notYet
        ? `${spec.word} "${entry.key}" is not supported by stages yet: ${unsupported.reason}`
        : `unsupported ${spec.word} "${entry.key}": ${unsupported.reason}`;
      context.error(entry.keyNode, message, unsupported.hint);
    } else if (ignored !== undefined) {
      context.warning(entry.keyNode, `ignored ${spec.word} "${entry.key}": ${ignored.reason}`, ignored.hint);
    } else {
      context.error(
        entry.keyNode,
        `unknown ${spec.word} "${entry.key}" ${spec.where}`,
        didYouMean(entry.key, spec.known) ?? `expected one of: ${spec.known.join(", ")}`,
      );
    }
  }
  return section;
}

/** The value node of a key of a section, or null when the key is absent or has no value. */
export function sectionValue(section: Section, key: string): Node | null {
  return section.get(key)?.value ?? null;
}
