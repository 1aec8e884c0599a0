import { isScalar, isSeq, type Node } from "yaml";
import { InvalidReferenceError } from "../errors.js";
import { parseReference } from "../reference.js";
import type { BaseSpec, ImageConfig, SourcePosition } from "./model.js";
import { isImageName, nameHint } from "./names.js";
import { parseDependencies } from "./parse-dependencies.js";
import { emptyDockerInstructions, parseDocker } from "./parse-docker.js";
import { parseDockerfileImage } from "./parse-dockerfile-image.js";
import { parseGitMappings } from "./parse-git.js";
import { parseImageSpec } from "./parse-image-spec.js";
import { type ParsedImport, parseImports } from "./parse-import.js";
import { parseMounts } from "./parse-mount.js";
import { parsePlatforms } from "./parse-platform.js";
import { parseSecrets } from "./parse-secrets.js";
import { emptyShellStages, parseShell } from "./parse-shell.js";
import { readSection, type Section, type SectionSpec, sectionValue, type UnsupportedKey } from "./read-section.js";
import {
  describeNode,
  isNullNode,
  type MappingEntry,
  plainKeys,
  valueOrKey,
  type YamlContext,
} from "./yaml-context.js";
import { quoteHint, readBoolean, readText, stringValue } from "./yaml-values.js";

/** An image or artifact as read from its document, with what the checks across images need. */
export interface ImageDraft {
  config: ImageConfig;
  /** Where `fromImage:` or `fromArtifact:` names the base; null for `from:`. */
  basePosition: SourcePosition | null;
  imports: ParsedImport[];
}

const imageDirectives = [
  "image",
  "artifact",
  "from",
  "fromImage",
  "fromArtifact",
  "fromLatest",
  "fromCacheVersion",
  "git",
  "shell",
  "import",
  "dependencies",
  "docker",
  "final",
  "cacheVersion",
  "disableGitAfterPatch",
  "network",
  "platform",
  "imageSpec",
  "mount",
  "secrets",
] as const;

const unsupportedDirectives: Record<string, UnsupportedKey> = {
  ansible: { reason: "stages supports only shell stages", hint: "use shell: ...", notYet: true },
  asLayers: { reason: "it is an obsolete werf directive", hint: "remove it" },
  herebyIAdmitThatFromLatestMightBreakReproducibility: {
    reason: "stages needs no such admission for fromLatest",
    hint: "remove it",
  },
};

/** Reads one image or artifact document; `image: [a, b]` gives one draft per name. */
export function parseImageDocument(context: YamlContext, contents: Node): ImageDraft[] {
  const keys = plainKeys(contents);
  if (!keys.includes("image") && !keys.includes("artifact")) {
    const isMeta = keys.includes("project") || keys.includes("configVersion");
    context.error(
      contents,
      isMeta ? "the project meta must be the first document" : "a document must declare an image or an artifact",
      isMeta
        ? "move project: and configVersion: into the first document"
        : "start it with image: <name> or artifact: <name>",
    );
    return [];
  }
  const artifact = !keys.includes("image");
  const kind = artifact ? "artifact" : "image";
  const nameEntry = context.findEntry(contents, kind) as MappingEntry;
  const names = readNames(context, nameEntry, artifact);
  const drafts = (
    config: Omit<ImageConfig, "name" | "position">,
    base: SourcePosition | null,
    imports: ParsedImport[],
  ) =>
    names.map(({ name, position }) => ({
      config: structuredClone({ ...config, name, position }),
      basePosition: base,
      imports: structuredClone(imports),
    }));

  const dockerfile = context.findEntry(contents, "dockerfile");
  if (dockerfile !== undefined) {
    if (artifact) {
      context.error(
        nameEntry.keyNode,
        "an artifact cannot be built from a Dockerfile",
        "declare it with image: <name>; an image only other images use is fine",
      );
      return [];
    }
    const parsed = parseDockerfileImage(context, contents, describeImage(names, artifact), dockerfile);
    if (parsed === null) return drafts(emptyImage(artifact), null, []);
    return drafts(
      { ...emptyImage(artifact), ...parsed.directives, base: { kind: "dockerfile" }, dockerfile: parsed.dockerfile },
      null,
      [],
    );
  }

  const spec: SectionSpec = {
    where: describeImage(names, artifact),
    word: "directive",
    known: imageDirectives,
    unsupported: unsupportedDirectives,
  };
  const section = readSection(context, contents, "an image document", spec);
  if (section === null) return [];
  if (section.has("image") && section.has("artifact")) {
    context.error(
      (section.get("artifact") as MappingEntry).keyNode,
      "a document declares an image or an artifact, not both",
      "split it into two documents",
    );
  }
  if (artifact && section.has("docker")) {
    context.error(
      (section.get("docker") as MappingEntry).keyNode,
      "docker instructions are not supported for artifacts",
      "an artifact is never published; move docker: to an image",
    );
  }

  const base = parseBase(context, section, nameEntry, kind);
  const imports = parseImports(context, sectionValue(section, "import"));
  const config: Omit<ImageConfig, "name" | "position"> = {
    ...emptyImage(artifact),
    fromLatest: parseFromLatest(context, section, base?.spec ?? null),
    fromCacheVersion: readText(
      context,
      sectionValue(section, "fromCacheVersion"),
      "fromCacheVersion",
      'write fromCacheVersion: "1"',
    ),
    git: parseGitMappings(context, sectionValue(section, "git")),
    shell: parseShell(context, sectionValue(section, "shell")),
    imports: imports.map((parsed) => parsed.spec),
    dependencies: parseDependencies(context, sectionValue(section, "dependencies"), "stapel"),
    mounts: parseMounts(context, sectionValue(section, "mount")),
    secrets: parseSecrets(context, sectionValue(section, "secrets")),
    docker: artifact ? emptyDockerInstructions() : parseDocker(context, sectionValue(section, "docker")),
  };
  readWerfV2Directives(context, section, config, artifact);
  if (base !== null) config.base = base.spec;
  return drafts(config, base?.position ?? null, imports);
}

interface DeclaredName {
  name: string | null;
  position: SourcePosition;
}

/** An image with nothing but its kind; its base stays empty until read. */
function emptyImage(artifact: boolean): Omit<ImageConfig, "name" | "position"> {
  return {
    artifact,
    base: { kind: "image", reference: "" },
    fromLatest: false,
    fromCacheVersion: null,
    git: [],
    shell: emptyShellStages(),
    dockerfile: null,
    imports: [],
    dependencies: [],
    mounts: [],
    secrets: [],
    docker: emptyDockerInstructions(),
    final: !artifact,
    cacheVersion: null,
    disableGitAfterPatch: false,
    network: null,
    platform: [],
    imageSpec: null,
  };
}

function readNames(context: YamlContext, entry: MappingEntry, artifact: boolean): DeclaredName[] {
  const here = context.position(valueOrKey(entry));
  if (artifact) {
    const name = readText(context, entry.value, "artifact", "write artifact: <name>");
    if (name === null || name === "") {
      if (name === "" || isNullNode(entry.value)) {
        context.error(valueOrKey(entry), "an artifact needs a name", "write artifact: <name>");
      }
      return [];
    }
    checkName(context, entry.value as Node, name);
    return [{ name, position: here }];
  }
  if (isNullNode(entry.value)) return [{ name: null, position: here }];
  if (isSeq(entry.value)) {
    if (entry.value.items.length === 0) {
      context.error(entry.value, "image: [] declares no image", "write image: <name> or image: [<name>, <name>]");
    }
    const names: DeclaredName[] = [];
    for (const item of entry.value.items) {
      const node = context.resolve(item as Node | null) ?? entry.value;
      // werf reads these names as strings only: `image: [1]` is an error there too.
      const name = stringValue(node);
      if (name === null || name === "") {
        context.error(
          node,
          `each name in image: [...] must be a string, not ${describeNode(node)}`,
          isNullNode(node) || name === "" ? "only a lone image can be nameless (image: ~)" : quoteHint(node, null),
        );
        continue;
      }
      checkName(context, node, name);
      names.push({ name, position: context.position(node) });
    }
    return names;
  }
  // werf takes a string, a list of strings or nothing here; a number or boolean is no name.
  if (isScalar(entry.value) && typeof entry.value.value !== "string") {
    context.error(
      entry.value,
      `image must be a string, not ${describeNode(entry.value)}`,
      quoteHint(entry.value, null),
    );
    return [];
  }
  const name = readText(context, entry.value, "image", "write image: <name>, image: ~ or image: [<name>, <name>]");
  if (name === null) return [];
  if (name === "") return [{ name: null, position: here }];
  checkName(context, entry.value as Node, name);
  return [{ name, position: here }];
}

function checkName(context: YamlContext, node: Node, name: string): void {
  if (!isImageName(name)) context.error(node, `invalid image name "${name}"`, nameHint(name, true));
}

function describeImage(names: readonly DeclaredName[], artifact: boolean): string {
  if (names.length === 0) return artifact ? "in this artifact" : "in this image";
  if (names.length === 1 && names[0]?.name === null) return "in the nameless image";
  const quoted = names.map(({ name }) => `"${name ?? ""}"`).join(", ");
  const kind = artifact ? "artifact" : "image";
  return names.length === 1 ? `in ${kind} ${quoted}` : `in ${kind}s ${quoted}`;
}

function parseBase(
  context: YamlContext,
  section: Section,
  nameEntry: MappingEntry,
  kind: string,
): { spec: BaseSpec; position: SourcePosition | null } | null {
  const present = (["from", "fromImage", "fromArtifact"] as const).filter((key) => section.has(key));
  const [first, ...others] = present;
  for (const other of others) {
    context.error(
      (section.get(other) as MappingEntry).keyNode,
      `"${other}" conflicts with "${first}": an ${kind} has exactly one base`,
      "keep one of from, fromImage and fromArtifact",
    );
  }
  if (first === undefined) {
    context.error(
      nameEntry.keyNode,
      `the ${kind} has no base`,
      "add from: <image reference>, fromImage: <image> or fromArtifact: <artifact>",
    );
    return null;
  }
  const entry = section.get(first) as MappingEntry;
  const example = first === "from" ? "write from: alpine:3.20" : `write ${first}: <name>`;
  const value = readText(context, entry.value, first, example);
  if (value === null || value.trim() === "") {
    if (value !== null || isNullNode(entry.value)) {
      context.error(
        valueOrKey(entry),
        `${first} must name ${first === "from" ? "a base image" : `an ${first === "fromImage" ? "image" : "artifact"}`}`,
        example,
      );
    }
    return null;
  }
  if (first === "from") {
    // Checked here, where the value's position is known: later it would be an error without one.
    try {
      parseReference(value);
    } catch (error) {
      if (!InvalidReferenceError.isInstance(error)) throw error;
      context.error(entry.value as Node, `from: ${error.message}`, error.hint ?? null);
      return null;
    }
    return { spec: { kind: "image", reference: value }, position: null };
  }
  const position = context.position(entry.value as Node);
  return first === "fromImage"
    ? { spec: { kind: "stagesImage", name: value }, position }
    : { spec: { kind: "artifact", name: value }, position };
}

function parseFromLatest(context: YamlContext, section: Section, base: BaseSpec | null): boolean {
  const entry = section.get("fromLatest");
  const fromLatest = readBoolean(context, entry?.value ?? null, "fromLatest") ?? false;
  if (!fromLatest || entry === undefined || base === null) return fromLatest;
  if (base.kind !== "image") {
    context.error(
      entry.keyNode,
      "fromLatest applies only to from:",
      `remove it; ${base.kind === "artifact" ? "fromArtifact" : "fromImage"} always follows the latest build`,
    );
  } else if (base.reference === "scratch") {
    context.error(entry.keyNode, "fromLatest does not work with from: scratch", "remove it");
  }
  return fromLatest;
}

/** The werf v2 directives of a stapel image: final, cacheVersion, disableGitAfterPatch, network, platform, imageSpec. */
function readWerfV2Directives(
  context: YamlContext,
  section: Section,
  config: Omit<ImageConfig, "name" | "position">,
  artifact: boolean,
): void {
  // werf: "`final` directive is not supported for artifact!", and the same for disableGitAfterPatch.
  for (const key of ["final", "disableGitAfterPatch", "imageSpec"] as const) {
    const entry = section.get(key);
    if (artifact && entry !== undefined) {
      context.error(
        entry.keyNode,
        `${key} is not supported for artifacts`,
        key === "final"
          ? "an artifact is never final; write image: <name> with final: false instead (werf v2's spelling)"
          : "declare it with image: <name> and final: false (werf v2's spelling of an artifact)",
      );
    }
  }
  if (!artifact) config.final = readBoolean(context, sectionValue(section, "final"), "final") ?? true;
  config.cacheVersion = readText(
    context,
    sectionValue(section, "cacheVersion"),
    "cacheVersion",
    'write cacheVersion: "1"',
  );
  config.disableGitAfterPatch =
    readBoolean(context, sectionValue(section, "disableGitAfterPatch"), "disableGitAfterPatch") ?? false;
  const networkNode = sectionValue(section, "network");
  const network = readText(context, networkNode, "network", "write network: host (or none, bridge, <network name>)");
  if (network !== null && network.trim() === "") {
    context.error(networkNode as Node, "network is empty", "write network: host, or remove it");
  } else config.network = network;
  config.platform = parsePlatforms(context, sectionValue(section, "platform"), "platform");
  if (!artifact) config.imageSpec = parseImageSpec(context, sectionValue(section, "imageSpec"));
}
