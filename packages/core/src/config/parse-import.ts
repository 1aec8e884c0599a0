import { isSeq, type Node } from "yaml";
import type { ImportPoint, ImportSpec, SourcePosition } from "./model.js";
import { isAbsolutePath, normalizeImagePath } from "./paths.js";
import { readSection, type SectionSpec, sectionValue } from "./read-section.js";
import { describeNode, isNullNode, type MappingEntry, valueOrKey, type YamlContext } from "./yaml-context.js";
import { readPathPatterns, readText } from "./yaml-values.js";

const importSpec: SectionSpec = {
  where: "under import",
  word: "directive",
  known: ["image", "artifact", "add", "to", "includePaths", "excludePaths", "owner", "group", "before", "after"],
  unsupported: {
    from: {
      reason: "importing from an external image is not supported",
      hint: "declare an artifact with from: <reference> and import from it with artifact: <name>",
    },
    stage: {
      reason: "importing from a chosen stage is not supported; files come from the source's last stage",
      hint: "remove it",
    },
  },
};

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
  const source = parseSource(context, node, section.get("image"), section.get("artifact"));
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

  if (source === null || point === null || add === null || to === null) return null;
  return {
    spec: {
      from: source.name,
      fromArtifact: source.artifact,
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

function parseSource(
  context: YamlContext,
  node: Node,
  image: MappingEntry | undefined,
  artifact: MappingEntry | undefined,
): { name: string; artifact: boolean; position: SourcePosition } | null {
  if (image !== undefined && artifact !== undefined) {
    context.error(
      artifact.keyNode,
      'an import names its source with "image" or "artifact", not both',
      "keep one of them",
    );
    return null;
  }
  const entry = image ?? artifact;
  if (entry === undefined) {
    // An unsupported `from:` has been reported already: a second error would only repeat it.
    if (context.findEntry(node, "from") === undefined) {
      context.error(node, "an import needs its source", "add image: <name> or artifact: <name>");
    }
    return null;
  }
  const name = readText(context, entry.value, `import.${entry.key}`, `write ${entry.key}: <name>`);
  if (name === null || name === "") {
    if (name === "" || isNullNode(entry.value)) {
      context.error(valueOrKey(entry), `import.${entry.key} must name an ${entry.key}`, `write ${entry.key}: <name>`);
    }
    return null;
  }
  return { name, artifact: entry === artifact, position: context.position(valueOrKey(entry)) };
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
