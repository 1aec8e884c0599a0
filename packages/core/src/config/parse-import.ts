import { isSeq, type Node } from "yaml";
import { InvalidReferenceError } from "../errors.js";
import { parseReference } from "../reference.js";
import { type ImportPoint, type ImportSpec, type SourcePosition, type UserStageName, userStageNames } from "./model.js";
import { isAbsolutePath, normalizeImagePath } from "./paths.js";
import { readSection, type Section, type SectionSpec, sectionValue } from "./read-section.js";
import { describeNode, isNullNode, type MappingEntry, valueOrKey, type YamlContext } from "./yaml-context.js";
import { readPathPatterns, readText } from "./yaml-values.js";

const importSpec: SectionSpec = {
  where: "under import",
  word: "directive",
  known: [
    "from",
    "image",
    "artifact",
    "stage",
    "add",
    "to",
    "includePaths",
    "excludePaths",
    "owner",
    "group",
    "before",
    "after",
  ],
};

// werf's `stage:` names a user stage of the source image.
const sourceStages: readonly UserStageName[] = userStageNames;

const importPoints: Record<string, ImportPoint> = {
  "before install": "beforeInstall",
  "after install": "afterInstall",
  "before setup": "beforeSetup",
  "after setup": "afterSetup",
};

/** An import with where its source is named, for the checks across images. */
export interface ParsedImport {
  spec: ImportSpec;
  /** Where `image:` or `artifact:` names the source. */
  sourcePosition: SourcePosition;
}

/** Reads `import:`, the list of files copied from other images and artifacts. */
export function parseImports(context: YamlContext, node: Node | null): ParsedImport[] {
  if (isNullNode(node)) return [];
  if (!isSeq(node)) {
    context.error(
      node as Node,
      `import must be a list of mappings, not ${describeNode(node)}`,
      "start each import with -",
    );
    return [];
  }
  const imports: ParsedImport[] = [];
  for (const item of node.items) {
    const parsed = parseImport(context, context.resolve(item as Node | null) ?? node);
    if (parsed !== null) imports.push(parsed);
  }
  return imports;
}

function parseImport(context: YamlContext, node: Node): ParsedImport | null {
  const section = readSection(context, node, "each item of import", importSpec);
  if (section === null) return null;
  const source = parseSource(context, node, section);
  const stage = parseStage(context, section.get("stage"), source);
  const point = parsePoint(context, node, section.get("before"), section.get("after"));

  const addEntry = section.get("add");
  let add: string | null = null;
  if (addEntry === undefined || isNullNode(addEntry.value)) {
    context.error(addEntry?.keyNode ?? node, 'an import needs "add"', "add add: /absolute/path/in/source");
  } else {
    add = readAbsolutePath(context, addEntry.value as Node, "import.add");
  }
  const toNode = sectionValue(section, "to");
  const to = isNullNode(toNode) ? add : readAbsolutePath(context, toNode as Node, "import.to");
  const includePaths = readPathPatterns(context, sectionValue(section, "includePaths"), "import.includePaths");
  const excludePaths = readPathPatterns(context, sectionValue(section, "excludePaths"), "import.excludePaths");
  const owner = readText(context, sectionValue(section, "owner"), "import.owner", "write owner: <user name or uid>");
  const group = readText(context, sectionValue(section, "group"), "import.group", "write group: <group name or gid>");

  if (add === "/" && includePaths.length === 0 && addEntry !== undefined) {
    // werf: "`add: '/'` requires not empty includePaths to interpret copy sources unambiguously".
    context.error(
      addEntry.value as Node,
      "import.add / needs includePaths, as in werf (copying a whole image root is ambiguous)",
      "list what to copy: includePaths: [usr/local/bin/tool, ...]",
    );
    return null;
  }
  if (source === null || point === null || add === null || to === null) return null;
  return {
    spec: {
      from: source.name,
      fromArtifact: source.artifact,
      external: source.external,
      stage,
      add,
      to,
      includePaths,
      excludePaths,
      owner,
      group,
      point,
      position: context.position(node),
    },
    sourcePosition: source.position,
  };
}

interface ImportSourceName {
  name: string;
  artifact: boolean;
  external: boolean;
  position: SourcePosition;
}

/**
 * The source of an import: `from:` (werf v2), `image:` (its older spelling) or `artifact:`. As in werf,
 * a name with a tag or digest (`nginx:1.25`, `nginx@sha256:...`) is an external image.
 */
function parseSource(context: YamlContext, node: Node, section: Section): ImportSourceName | null {
  const present = (["from", "image", "artifact"] as const).flatMap((key) => {
    const entry = section.get(key);
    return entry === undefined ? [] : [entry];
  });
  const [entry, ...others] = present;
  for (const other of others) {
    context.error(
      other.keyNode,
      `an import names its source with one of "from", "image" and "artifact", not "${entry?.key}" and "${other.key}"`,
      "keep one of them",
    );
  }
  if (entry === undefined) {
    context.error(node, "an import needs its source", "add from: <image of the config or reference:tag>");
    return null;
  }
  if (others.length > 0) return null;
  const what = entry.key === "artifact" ? "an artifact" : "an image";
  const name = readText(context, entry.value, `import.${entry.key}`, `write ${entry.key}: <name>`);
  if (name === null || name === "") {
    if (name === "" || isNullNode(entry.value)) {
      context.error(valueOrKey(entry), `import.${entry.key} must name ${what}`, `write ${entry.key}: <name>`);
    }
    return null;
  }
  const position = context.position(valueOrKey(entry));
  const internal = { name, artifact: entry.key === "artifact", external: false, position };
  // A config image name has neither ":" nor "@": anything else is meant as a reference, and a bad
  // one is reported as such rather than as an unknown image.
  if (entry.key === "artifact" || !/[:@]/.test(name)) return internal;
  try {
    const reference = parseReference(name);
    // werf's hasTagOrDigest: `localhost:5000/tools` (a port, no tag) still names an image of the config.
    return reference.tag !== undefined || reference.digest !== undefined ? { ...internal, external: true } : internal;
  } catch (error) {
    if (!InvalidReferenceError.isInstance(error)) throw error;
    context.error(entry.value as Node, `import.${entry.key}: ${error.message}`, error.hint ?? null);
    return null;
  }
}

function parseStage(
  context: YamlContext,
  entry: MappingEntry | undefined,
  source: ImportSourceName | null,
): UserStageName | null {
  if (entry === undefined) return null;
  const stage = readText(context, entry.value, "import.stage", "write stage: install");
  if (stage === null && !isNullNode(entry.value)) return null;
  if (stage === null || !(sourceStages as readonly string[]).includes(stage)) {
    context.error(
      valueOrKey(entry),
      `import.stage must be beforeInstall, install, beforeSetup or setup${stage === null ? "" : `, not "${stage}"`}`,
      "write stage: install (the source as it is after that stage); leave it out for the last stage",
    );
    return null;
  }
  if (source?.external) {
    context.error(
      entry.keyNode,
      `import.stage applies only to an image of the config, not to the external image "${source.name}"`,
      "remove it: an external image is copied from as it is",
    );
    return null;
  }
  return stage as UserStageName;
}

function parsePoint(
  context: YamlContext,
  node: Node,
  before: MappingEntry | undefined,
  after: MappingEntry | undefined,
): ImportPoint | null {
  if (before !== undefined && after !== undefined) {
    context.error(after.keyNode, 'an import takes "before" or "after", not both', "keep one of them");
    return null;
  }
  const entry = before ?? after;
  if (entry === undefined) {
    context.error(
      node,
      "an import needs its place in the conveyor",
      "add after: install (or before:/after: install|setup)",
    );
    return null;
  }
  const stage = readText(context, entry.value, `import.${entry.key}`, `write ${entry.key}: install`);
  const point = stage === null ? undefined : importPoints[`${entry.key} ${stage}`];
  if (point === undefined) {
    if (stage !== null || isNullNode(entry.value)) {
      context.error(
        valueOrKey(entry),
        `import.${entry.key} must be install or setup${stage === null ? "" : `, not "${stage}"`}`,
        `write ${entry.key}: install or ${entry.key}: setup`,
      );
    }
    return null;
  }
  return point;
}

function readAbsolutePath(context: YamlContext, node: Node, label: string): string | null {
  const path = readText(context, node, label, `write ${label.split(".")[1]}: /absolute/path`);
  if (path === null) return null;
  if (!isAbsolutePath(path)) {
    context.error(node, `${label} "${path}" must be an absolute path`, `write ${normalizeImagePath(path)}`);
    return null;
  }
  return normalizeImagePath(path);
}
