import { isSeq, type Node } from "yaml";
import type { GitMapping, UserStageName } from "./model.js";
import { isAbsolutePath, normalizeImagePath, normalizeRepositoryPath } from "./paths.js";
import { readSection, type SectionSpec, sectionValue } from "./read-section.js";
import { describeNode, isNullNode, type YamlContext } from "./yaml-context.js";
import { readPathPatterns, readText } from "./yaml-values.js";

const remoteOnly = (key: string) => ({
  reason: `"${key}" selects a revision of a remote repository, and stages maps only the local work tree`,
  hint: "remove it; the work tree is used as it is",
  notYet: true,
});

const gitSpec: SectionSpec = {
  where: "under git",
  word: "directive",
  known: ["add", "to", "includePaths", "excludePaths", "owner", "group", "stageDependencies"],
  unsupported: {
    url: {
      reason: "stages maps files of the local work tree only, not of remote git repositories",
      hint: "clone the repository in a shell stage, or vendor it into this repository",
      notYet: true,
    },
    basicAuth: remoteOnly("basicAuth"),
    branch: remoteOnly("branch"),
    tag: remoteOnly("tag"),
    commit: remoteOnly("commit"),
    herebyIAdmitThatBranchMightBreakReproducibility: remoteOnly("herebyIAdmitThatBranchMightBreakReproducibility"),
    as: { reason: "named git mappings are not supported", hint: "remove it" },
  },
};

const stageDependenciesSpec: SectionSpec = {
  where: "under git stageDependencies",
  word: "key",
  known: ["install", "beforeSetup", "setup"],
  unsupported: {
    beforeInstall: {
      reason: "git files are added after the beforeInstall stage",
      hint: "list these paths under install",
    },
  },
};

/** Reads `git:`, the list of mappings of work tree paths into the image; ids are `git-<index>`. */
export function parseGitMappings(context: YamlContext, node: Node | null): GitMapping[] {
  if (isNullNode(node)) return [];
  if (!isSeq(node)) {
    context.error(
      node as Node,
      `git must be a list of mappings, not ${describeNode(node)}`,
      "start each mapping with -",
    );
    return [];
  }
  const mappings: GitMapping[] = [];
  node.items.forEach((item, index) => {
    const mapping = parseGitMapping(context, context.resolve(item as Node | null) ?? node, `git-${index}`);
    if (mapping !== null) mappings.push(mapping);
  });
  return mappings;
}

function parseGitMapping(context: YamlContext, node: Node, id: string): GitMapping | null {
  const section = readSection(context, node, "each item of git", gitSpec);
  if (section === null) return null;

  const addText = readText(context, sectionValue(section, "add"), "git.add", "write add: /path/in/repository");
  let add = "/";
  if (addText !== null) {
    const normalized = normalizeRepositoryPath(addText);
    if (normalized === null) {
      context.error(
        sectionValue(section, "add") as Node,
        `git.add "${addText}" must not contain ".."`,
        "name a path inside the repository",
      );
    } else {
      add = normalized;
    }
  }

  const toEntry = section.get("to");
  const toText = readText(context, toEntry?.value ?? null, "git.to", "write to: /absolute/path/in/image");
  let to = "/";
  if (toEntry === undefined || isNullNode(toEntry.value)) {
    context.error(toEntry?.keyNode ?? node, 'a git mapping needs "to"', "add to: /absolute/path/in/image");
  } else if (toText !== null) {
    if (isAbsolutePath(toText)) to = normalizeImagePath(toText);
    else
      context.error(
        toEntry.value as Node,
        `git.to "${toText}" must be an absolute path`,
        `write to: ${normalizeImagePath(toText)}`,
      );
  }

  return {
    id,
    add,
    to,
    includePaths: readPathPatterns(context, sectionValue(section, "includePaths"), "git.includePaths"),
    excludePaths: readPathPatterns(context, sectionValue(section, "excludePaths"), "git.excludePaths"),
    owner: readText(context, sectionValue(section, "owner"), "git.owner", "write owner: <user name or uid>"),
    group: readText(context, sectionValue(section, "group"), "git.group", "write group: <group name or gid>"),
    stageDependencies: parseStageDependencies(context, sectionValue(section, "stageDependencies")),
    position: context.position(node),
  };
}

function parseStageDependencies(context: YamlContext, node: Node | null): Record<UserStageName, string[]> {
  const dependencies: Record<UserStageName, string[]> = { beforeInstall: [], install: [], beforeSetup: [], setup: [] };
  if (isNullNode(node)) return dependencies;
  const section = readSection(context, node as Node, "git.stageDependencies", stageDependenciesSpec);
  if (section === null) return dependencies;
  for (const stage of ["install", "beforeSetup", "setup"] as const) {
    dependencies[stage] = readPathPatterns(context, sectionValue(section, stage), `git.stageDependencies.${stage}`);
  }
  return dependencies;
}
