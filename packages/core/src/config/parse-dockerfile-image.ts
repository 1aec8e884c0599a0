import type { Node } from "yaml";
import type { DockerfileImageConfig, ImageConfig } from "./model.js";
import { parseDependencies } from "./parse-dependencies.js";
import { parseImageSpec } from "./parse-image-spec.js";
import { parsePlatforms } from "./parse-platform.js";
import { parseSecrets } from "./parse-secrets.js";
import { readSection, type SectionSpec, sectionValue, type UnsupportedKey } from "./read-section.js";
import { isNullNode, type MappingEntry, valueOrKey, type YamlContext } from "./yaml-context.js";
import { readBoolean, readText, readTextList, readTextMap } from "./yaml-values.js";

/** The directives of a Dockerfile image document (werf's names). */
export const dockerfileImageDirectives = [
  "image",
  "dockerfile",
  "context",
  "target",
  "args",
  "addHost",
  "network",
  "contextAddFiles",
  "staged",
  "dependencies",
  "secrets",
  "platform",
  "imageSpec",
  "final",
] as const;

/** werf keys of Dockerfile images that stages does not support. */
const unsupportedDockerfileDirectives: Record<string, UnsupportedKey> = {
  artifact: { reason: "a Dockerfile image is declared with image:", hint: "write image: <name>" },
  ssh: { reason: "forwarding an SSH agent into the build is not supported", hint: "remove it" },
  contextAddFile: { reason: "it is werf's old name", hint: "write contextAddFiles: [<file>]" },
};

/** Stapel directives that make no sense next to `dockerfile:`. */
const stapelOnly: Record<string, UnsupportedKey> = Object.fromEntries(
  ["from", "fromImage", "fromArtifact", "fromLatest", "fromCacheVersion", "git", "shell", "import", "docker"].map(
    (key) => [
      key,
      {
        reason: "it is a stapel directive and this image is built from a Dockerfile",
        hint: "remove it (write the same in the Dockerfile), or remove dockerfile: to make a stapel image",
      },
    ],
  ),
);

/**
 * Normalizes a relative path of the project (context, Dockerfile, contextAddFiles): POSIX, no "." or
 * empty segments, no trailing slash; "" for the directory itself. Null when it is absolute or climbs
 * out with "..".
 */
export function normalizeProjectPath(path: string): string | null {
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) return null;
  const segments: string[] = [];
  for (const segment of path.replaceAll("\\", "/").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") return null;
    segments.push(segment);
  }
  return segments.join("/");
}

/** werf v2's image-wide directives a Dockerfile image takes as a stapel image does. */
export type DockerfileImageDirectives = Pick<
  ImageConfig,
  "final" | "platform" | "imageSpec" | "dependencies" | "secrets"
>;

/**
 * Reads the directives of a Dockerfile image (`image:` and `dockerfile:` present): the Dockerfile's
 * own keys, and werf v2's `final`, `platform`, `imageSpec`, `dependencies` (as build args) and
 * `secrets` (for `RUN --mount=type=secret`).
 */
export function parseDockerfileImage(
  context: YamlContext,
  contents: Node,
  where: string,
  dockerfileEntry: MappingEntry,
): { dockerfile: DockerfileImageConfig; directives: DockerfileImageDirectives } | null {
  const spec: SectionSpec = {
    where,
    word: "directive",
    known: dockerfileImageDirectives,
    unsupported: { ...stapelOnly, ...unsupportedDockerfileDirectives },
  };
  const section = readSection(context, contents, "an image document", spec);
  if (section === null) return null;

  const path = (key: string, node: Node | null, fallback: string, what: string): string | null => {
    const text = readText(context, node, key, `write ${key}: ${fallback}`);
    if (text === null) return isNullNode(node) ? normalizeProjectPath(fallback) : null;
    const normalized = normalizeProjectPath(text);
    if (normalized === null) {
      context.error(
        node as Node,
        `${key} "${text}" must be a path inside the project`,
        `give ${what} relative to the directory of the config, without ".."`,
      );
    }
    return normalized;
  };

  const dockerfile = path("dockerfile", dockerfileEntry.value, "Dockerfile", "the Dockerfile's path in the context");
  if (dockerfile === "") {
    context.error(valueOrKey(dockerfileEntry), "dockerfile must name a file", "write dockerfile: Dockerfile");
  }
  const directory = path("context", sectionValue(section, "context"), ".", "the context folder") ?? "";
  const targetText = readText(context, sectionValue(section, "target"), "target", "write target: <stage name>");
  const target = targetText === null || targetText.trim() === "" ? null : targetText.trim().toLowerCase();
  const args = readTextMap(context, sectionValue(section, "args"), "args");
  const addHost = readTextList(context, sectionValue(section, "addHost"), "addHost");
  for (const [index, entry] of addHost.entries()) {
    // Docker's --add-host form: host:ip (the ip may be an IPv6 address with colons).
    if (!/^[^:\s]+:\S+$/.test(entry)) {
      const node = sectionValue(section, "addHost");
      context.error(
        (node as Node & { items?: Node[] }).items?.[index] ?? (node as Node),
        `addHost "${entry}" is not host:ip`,
        'write addHost: ["db:10.0.0.5"]',
      );
    }
  }
  const networkText = readText(context, sectionValue(section, "network"), "network", "write network: none");
  const network = networkText === null || networkText === "" ? null : networkText;
  const addFilesNode = sectionValue(section, "contextAddFiles");
  const contextAddFiles: string[] = [];
  for (const file of readTextList(context, addFilesNode, "contextAddFiles")) {
    const normalized = normalizeProjectPath(file);
    if (normalized === null || normalized === "") {
      context.error(
        addFilesNode as Node,
        `contextAddFiles "${file}" must be a file inside the context`,
        "give it relative to the context, without ..",
      );
      continue;
    }
    contextAddFiles.push(normalized);
  }
  const staged = readBoolean(context, sectionValue(section, "staged"), "staged") ?? true;
  const directives: DockerfileImageDirectives = {
    final: readBoolean(context, sectionValue(section, "final"), "final") ?? true,
    platform: parsePlatforms(context, sectionValue(section, "platform"), "platform"),
    imageSpec: parseImageSpec(context, sectionValue(section, "imageSpec")),
    dependencies: parseDependencies(context, sectionValue(section, "dependencies"), "dockerfile"),
    secrets: parseSecrets(context, sectionValue(section, "secrets")),
  };
  if (dockerfile === null || dockerfile === "") return null;
  const config: DockerfileImageConfig = {
    path: dockerfile,
    context: directory,
    target,
    args,
    addHost,
    network,
    contextAddFiles: [...new Set(contextAddFiles)].sort(),
    staged,
    parsed: null,
    evaluated: null,
    position: context.position(dockerfileEntry.keyNode),
  };
  return { dockerfile: config, directives };
}
