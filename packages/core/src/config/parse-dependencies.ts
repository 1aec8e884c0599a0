import { isSeq, type Node } from "yaml";
import {
  type DependencyImport,
  type DependencyImportType,
  type DependencySpec,
  dependencyImportTypes,
  type ImportPoint,
} from "./model.js";
import { readSection, type Section, type SectionSpec, sectionValue } from "./read-section.js";
import { didYouMean } from "./suggest.js";
import { describeNode, isNullNode, type MappingEntry, valueOrKey, type YamlContext } from "./yaml-context.js";
import { readText } from "./yaml-values.js";

/** Which builder the image uses: stapel images get env variables, Dockerfile images build args. */
export type DependencyTarget = "stapel" | "dockerfile";

const importPoints: Record<string, ImportPoint> = {
  "before install": "beforeInstall",
  "after install": "afterInstall",
  "before setup": "beforeSetup",
  "after setup": "afterSetup",
};

function dependencySpec(target: DependencyTarget): SectionSpec {
  return {
    where: "under dependencies",
    word: "directive",
    known: target === "stapel" ? ["image", "before", "after", "imports"] : ["image", "imports"],
    unsupported:
      target === "stapel"
        ? {}
        : {
            before: {
              reason: "a Dockerfile image gets its dependencies as build args",
              hint: "remove it (werf refuses it too)",
            },
            after: {
              reason: "a Dockerfile image gets its dependencies as build args",
              hint: "remove it (werf refuses it too)",
            },
          },
  };
}

function importSpec(target: DependencyTarget): SectionSpec {
  const wrong = target === "stapel" ? "targetBuildArg" : "targetEnv";
  return {
    where: "under dependencies.imports",
    word: "directive",
    known: ["type", target === "stapel" ? "targetEnv" : "targetBuildArg"],
    unsupported: {
      [wrong]: {
        reason:
          target === "stapel"
            ? "a stapel image gets the values as env variables"
            : "a Dockerfile image gets the values as build args",
        hint: target === "stapel" ? "write targetEnv: <VARIABLE>" : "write targetBuildArg: <ARG>",
      },
    },
  };
}

/**
 * Reads werf v2's `dependencies:`: images built before this one whose name, tag, repository, id or
 * digest this one gets, as env variables of its user stages after `before:`/`after:` (stapel) or as
 * build args (Dockerfile). `position` of each is where `image:` names the dependency.
 */
export function parseDependencies(context: YamlContext, node: Node | null, target: DependencyTarget): DependencySpec[] {
  if (isNullNode(node)) return [];
  if (!isSeq(node)) {
    context.error(
      node as Node,
      `dependencies must be a list of mappings, not ${describeNode(node)}`,
      "start each dependency with - image: <name>",
    );
    return [];
  }
  const dependencies: DependencySpec[] = [];
  const targets = new Map<string, Node>();
  for (const item of node.items) {
    const parsed = parseDependency(context, context.resolve(item as Node | null) ?? node, target, targets);
    if (parsed !== null) dependencies.push(parsed);
  }
  return dependencies;
}

function parseDependency(
  context: YamlContext,
  node: Node,
  target: DependencyTarget,
  targets: Map<string, Node>,
): DependencySpec | null {
  const section = readSection(context, node, "each item of dependencies", dependencySpec(target));
  if (section === null) return null;
  const imageEntry = section.get("image");
  let image: string | null = null;
  if (imageEntry === undefined) {
    context.error(node, "a dependency needs the image it depends on", "add image: <name of an image of the config>");
  } else {
    image = readText(context, imageEntry.value, "dependencies.image", "write image: <name>");
    if (image === "" || (image === null && isNullNode(imageEntry.value))) {
      context.error(valueOrKey(imageEntry), "dependencies.image must name an image", "write image: <name>");
      image = null;
    }
  }
  const point = target === "stapel" ? parsePoint(context, node, section) : null;
  const imports = parseImports(context, sectionValue(section, "imports"), target, targets);
  if (image === null || imageEntry === undefined || imports === null) return null;
  if (target === "stapel" && point === null) return null;
  return { image, point, imports, position: context.position(valueOrKey(imageEntry)) };
}

function parsePoint(context: YamlContext, node: Node, section: Section): ImportPoint | null {
  const before = section.get("before");
  const after = section.get("after");
  if (before !== undefined && after !== undefined) {
    context.error(after.keyNode, 'a dependency takes "before" or "after", not both', "keep one of them");
    return null;
  }
  const entry: MappingEntry | undefined = before ?? after;
  if (entry === undefined) {
    context.error(
      node,
      "a dependency of a stapel image needs the place where its values become env variables",
      "add after: install (or before:/after: install|setup), as werf requires",
    );
    return null;
  }
  const stage = readText(context, entry.value, `dependencies.${entry.key}`, `write ${entry.key}: install`);
  const point = stage === null ? undefined : importPoints[`${entry.key} ${stage}`];
  if (point === undefined) {
    if (stage !== null || isNullNode(entry.value)) {
      context.error(
        valueOrKey(entry),
        `dependencies.${entry.key} must be install or setup${stage === null ? "" : `, not "${stage}"`}`,
        `write ${entry.key}: install or ${entry.key}: setup`,
      );
    }
    return null;
  }
  return point;
}

function parseImports(
  context: YamlContext,
  node: Node | null,
  target: DependencyTarget,
  targets: Map<string, Node>,
): DependencyImport[] | null {
  if (isNullNode(node)) return [];
  if (!isSeq(node)) {
    context.error(
      node as Node,
      `dependencies.imports must be a list of mappings, not ${describeNode(node)}`,
      `start each with - type: ImageName`,
    );
    return null;
  }
  const imports: DependencyImport[] = [];
  let failed = false;
  for (const item of node.items) {
    const parsed = parseImport(context, context.resolve(item as Node | null) ?? node, target, targets);
    if (parsed === null) failed = true;
    else imports.push(parsed);
  }
  return failed ? null : imports;
}

function parseImport(
  context: YamlContext,
  node: Node,
  target: DependencyTarget,
  targets: Map<string, Node>,
): DependencyImport | null {
  const section = readSection(context, node, "each item of dependencies.imports", importSpec(target));
  if (section === null) return null;
  const typeEntry = section.get("type");
  let type: DependencyImportType | null = null;
  if (typeEntry === undefined) {
    context.error(node, "a dependency import needs its type", `add type: ${dependencyImportTypes.join("|")}`);
  } else {
    const text = readText(context, typeEntry.value, "dependencies.imports.type", "write type: ImageName");
    if (text !== null && (dependencyImportTypes as readonly string[]).includes(text)) {
      type = text as DependencyImportType;
    } else if (text !== null || isNullNode(typeEntry.value)) {
      context.error(
        valueOrKey(typeEntry),
        `dependencies.imports.type must be one of ${dependencyImportTypes.join(", ")}${text === null ? "" : `, not "${text}"`}`,
        (text !== null ? didYouMean(text, dependencyImportTypes) : null) ?? "write type: ImageName",
      );
    }
  }
  const key = target === "stapel" ? "targetEnv" : "targetBuildArg";
  const nameEntry = section.get(key);
  let name: string | null = null;
  if (nameEntry === undefined) {
    context.error(
      node,
      `a dependency import of a ${target === "stapel" ? "stapel" : "Dockerfile"} image needs ${key}`,
      `add ${key}: <${target === "stapel" ? "VARIABLE" : "ARG"}>`,
    );
  } else {
    name = readText(context, nameEntry.value, `dependencies.imports.${key}`, `write ${key}: <NAME>`);
    if (name !== null && !/^[^=\s]+$/.test(name)) {
      context.error(
        nameEntry.value as Node,
        `dependencies.imports.${key} "${name}" is not a valid ${target === "stapel" ? "variable" : "build arg"} name`,
        "use letters, digits and _ (no spaces, no =)",
      );
      name = null;
    } else if (name === null && isNullNode(nameEntry.value)) {
      context.error(valueOrKey(nameEntry), `dependencies.imports.${key} must name a variable`, `write ${key}: <NAME>`);
    } else if (name !== null) {
      const first = targets.get(name);
      if (first !== undefined) {
        const at = context.position(first);
        context.error(
          nameEntry.value as Node,
          `${key} "${name}" is set twice (first at ${at.file}:${at.line}:${at.column})`,
          `each ${key} of an image's dependencies must be unique`,
        );
        name = null;
      } else targets.set(name, nameEntry.value as Node);
    }
  }
  if (type === null || name === null) return null;
  return {
    type,
    targetEnv: target === "stapel" ? name : null,
    targetBuildArg: target === "dockerfile" ? name : null,
    position: context.position(node),
  };
}
