import { isSeq, type Node } from "yaml";
import type { MountSpec } from "./model.js";
import { isAbsolutePath, normalizeImagePath } from "./paths.js";
import { readSection, type SectionSpec } from "./read-section.js";
import { describeNode, isNullNode, type MappingEntry, valueOrKey, type YamlContext } from "./yaml-context.js";
import { readText } from "./yaml-values.js";

const mountSpec: SectionSpec = {
  where: "under mount",
  word: "key",
  known: ["from", "fromPath", "to"],
};

const serviceDirectories = ["tmp_dir", "build_dir"] as const;

/**
 * Reads `mount:` (werf's meaning): `{from: tmp_dir|build_dir, to}` or `{fromPath, to}` per item.
 * werf's giterminism forbids `build_dir` and `fromPath` unless allowed; stages has no giterminism
 * and takes them as written (they make a build depend on what the host keeps there).
 */
export function parseMounts(context: YamlContext, node: Node | null): MountSpec[] {
  if (isNullNode(node)) return [];
  if (!isSeq(node)) {
    context.error(
      node as Node,
      `mount must be a list of mappings, not ${describeNode(node)}`,
      "write mount: [{from: tmp_dir, to: /path}]",
    );
    return [];
  }
  const mounts: MountSpec[] = [];
  const taken = new Map<string, MountSpec>();
  for (const item of node.items) {
    const itemNode = context.resolve(item as Node | null) ?? node;
    const mount = parseMount(context, itemNode);
    if (mount === null) continue;
    const earlier = taken.get(mount.to);
    if (earlier !== undefined) {
      context.error(
        itemNode,
        `two mounts at ${mount.to} (the first is at line ${earlier.position.line})`,
        "give each mount its own to:",
      );
      continue;
    }
    taken.set(mount.to, mount);
    mounts.push(mount);
  }
  return mounts;
}

function parseMount(context: YamlContext, node: Node): MountSpec | null {
  const section = readSection(context, node, "each item of mount", mountSpec);
  if (section === null) return null;
  const fromEntry = section.get("from");
  const pathEntry = section.get("fromPath");
  const to = readTo(context, node, section.get("to"));
  if (fromEntry !== undefined && pathEntry !== undefined) {
    context.error(pathEntry.keyNode, 'a mount takes "from" or "fromPath", not both', "keep one of them");
    return null;
  }
  if (fromEntry === undefined && pathEntry === undefined) {
    context.error(
      node,
      "a mount needs what it mounts",
      "add from: tmp_dir, from: build_dir or fromPath: <directory of the host>",
    );
    return null;
  }
  if (fromEntry !== undefined) {
    const from = readText(context, fromEntry.value, "mount.from", "write from: tmp_dir or from: build_dir");
    const known = serviceDirectories.find((name) => name === from);
    if (known === undefined) {
      if (from !== null || isNullNode(fromEntry.value)) {
        context.error(
          valueOrKey(fromEntry),
          `mount.from must be tmp_dir or build_dir${from === null ? "" : `, not "${from}"`}`,
          "write from: tmp_dir (empty for each build) or from: build_dir (kept between builds); fromPath: mounts a host directory",
        );
      }
      return null;
    }
    return to === null ? null : { from: known, fromPath: null, to, position: context.position(node) };
  }
  const entry = pathEntry as MappingEntry;
  const path = readText(context, entry.value, "mount.fromPath", "write fromPath: ../cache");
  if (path === null || path.trim() === "") {
    if (path !== null || isNullNode(entry.value)) {
      context.error(valueOrKey(entry), "mount.fromPath must name a directory of the host", "write fromPath: ../cache");
    }
    return null;
  }
  if (to === null) return null;
  return { from: "path", fromPath: normalizeHostPath(path.trim()), to, position: context.position(node) };
}

function readTo(context: YamlContext, node: Node, entry: MappingEntry | undefined): string | null {
  if (entry === undefined || isNullNode(entry.value)) {
    context.error(entry?.keyNode ?? node, 'a mount needs "to"', "add to: /absolute/path/in/the/container");
    return null;
  }
  const to = readText(context, entry.value, "mount.to", "write to: /absolute/path");
  if (to === null) return null;
  if (!isAbsolutePath(to)) {
    context.error(entry.value as Node, `mount.to "${to}" must be an absolute path`, `write ${normalizeImagePath(to)}`);
    return null;
  }
  const normalized = normalizeImagePath(to);
  if (normalized === "/") {
    context.error(entry.value as Node, "mount.to cannot be the root directory", "mount a directory below /");
    return null;
  }
  if (normalized === "/run/secrets" || normalized.startsWith("/run/secrets/")) {
    // The build secrets are mounted there; a second mount would hide them or clash with it.
    context.error(entry.value as Node, `mount.to ${normalized} is where build secrets go`, "mount another directory");
    return null;
  }
  return normalized;
}

/**
 * A host path in POSIX form without "." segments, repeated or trailing slashes; leading ".." kept
 * (a directory next to the project is the usual place), `~` kept for the host to expand.
 */
function normalizeHostPath(path: string): string {
  const absolute = path.startsWith("/");
  const segments: string[] = [];
  for (const segment of path.replace(/\\/g, "/").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === ".." && segments.length > 0 && segments[segments.length - 1] !== "..") segments.pop();
    else if (segment === ".." && absolute) continue;
    else segments.push(segment);
  }
  const joined = segments.join("/");
  if (absolute) return `/${joined}`;
  return joined === "" ? "." : joined;
}
