import { isScalar, isSeq, type Node } from "yaml";
import type {
  GitBasicAuth,
  GitMapping,
  GitRevision,
  RemoteRepositorySpec,
  SecretSource,
  UserStageName,
} from "./model.js";
import { isAbsolutePath, normalizeImagePath, normalizeRepositoryPath } from "./paths.js";
import { readSection, type Section, type SectionSpec, sectionValue } from "./read-section.js";
import { describeNode, isNullNode, type MappingEntry, valueOrKey, type YamlContext } from "./yaml-context.js";
import { readPathPatterns, readText, scalarText } from "./yaml-values.js";

const gitSpec: SectionSpec = {
  where: "under git",
  word: "directive",
  known: [
    "add",
    "to",
    "includePaths",
    "excludePaths",
    "owner",
    "group",
    "stageDependencies",
    "url",
    "branch",
    "tag",
    "commit",
    "basicAuth",
  ],
  unsupported: {
    herebyIAdmitThatBranchMightBreakReproducibility: {
      reason: "it is werf 1.1's switch; werf v2 and stages read a branch without it",
      hint: "remove it",
    },
    as: { reason: "named git mappings are not supported", hint: "remove it" },
  },
};

const basicAuthSpec: SectionSpec = {
  where: "under git.basicAuth",
  word: "key",
  known: ["username", "password"],
};

const passwordSpec: SectionSpec = {
  where: "under git.basicAuth.password",
  word: "key",
  known: ["env", "src", "value"],
  unsupported: {
    file: {
      reason: "werf reads the password file from src (its reference page says file, its code reads src)",
      hint: "write src: <path of the file>",
    },
  },
};

const revisionKeys = ["branch", "tag", "commit"] as const;

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

/**
 * Reads `git:`, the list of mappings into the image of paths of the work tree or, with `url`, of a
 * remote repository (werf's meaning); ids are `git-<index>`.
 */
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

  const remote = parseRemote(context, section);
  return {
    id,
    add,
    to,
    includePaths: readPathPatterns(context, sectionValue(section, "includePaths"), "git.includePaths"),
    excludePaths: readPathPatterns(context, sectionValue(section, "excludePaths"), "git.excludePaths"),
    owner: readText(context, sectionValue(section, "owner"), "git.owner", "write owner: <user name or uid>"),
    group: readText(context, sectionValue(section, "group"), "git.group", "write group: <group name or gid>"),
    stageDependencies: parseStageDependencies(context, sectionValue(section, "stageDependencies")),
    ...(remote !== null ? { remote } : {}),
    position: context.position(node),
  };
}

/**
 * werf's remote mapping: `url` with one of `branch`, `tag`, `commit` (none: the remote's default
 * branch) and `basicAuth` for http(s). Null for a mapping of the work tree, where those keys are errors.
 */
function parseRemote(context: YamlContext, section: Section): RemoteRepositorySpec | null {
  const urlEntry = section.get("url");
  const present = revisionKeys.filter((key) => section.has(key));
  if (urlEntry === undefined) {
    for (const key of [...present, "basicAuth"]) {
      const entry = section.get(key);
      if (entry !== undefined)
        context.error(
          entry.keyNode,
          `git.${key} applies to a remote repository, and this mapping has no url`,
          "add url: <repository url>, or remove it to map the work tree as it is",
        );
    }
    return null;
  }
  const url = readText(context, urlEntry.value, "git.url", "write url: https://host/group/repository.git");
  if (url === null) {
    if (isNullNode(urlEntry.value)) context.error(urlEntry.keyNode, "git.url is empty", "write url: <repository url>");
    return null;
  }
  const kind = urlKind(url);
  if (kind === null) {
    context.error(
      urlEntry.value as Node,
      `git.url "${redactUrl(url)}" is not a repository url`,
      "write https://host/path.git, ssh://git@host/path.git, git@host:path.git or file:///absolute/path",
    );
  } else if (hasUrlPassword(url)) {
    context.warning(
      urlEntry.value as Node,
      "git.url holds a password: it is kept in the git cache's configuration on this host",
      "write the url without it and add basicAuth: {username: ..., password: {env: NAME}}",
    );
  }
  const [first, ...others] = present;
  for (const other of others) {
    context.error(
      (section.get(other) as MappingEntry).keyNode,
      `a remote mapping reads one of branch, tag and commit: "${other}" conflicts with "${first}"`,
      "keep one of them (none reads the remote's default branch)",
    );
  }
  let revision: GitRevision | null = null;
  if (first !== undefined && others.length === 0)
    revision = parseRevision(context, first, section.get(first) as MappingEntry);
  const authEntry = section.get("basicAuth");
  let basicAuth: GitBasicAuth | null = null;
  if (authEntry !== undefined) {
    basicAuth = parseBasicAuth(context, authEntry);
    if (kind !== null && kind !== "http")
      context.error(
        authEntry.keyNode,
        "basicAuth is for http(s) urls; this url is reached another way",
        kind === "ssh" ? "remove basicAuth: ssh uses your SSH keys (ssh-agent)" : "remove basicAuth",
      );
  }
  return { url, revision, basicAuth };
}

function parseRevision(context: YamlContext, key: GitRevision["kind"], entry: MappingEntry): GitRevision | null {
  const example = key === "commit" ? "write commit: <full commit id>" : `write ${key}: <name>`;
  const text = readText(context, entry.value, `git.${key}`, example);
  if (text === null) {
    if (isNullNode(entry.value)) context.error(entry.keyNode, `git.${key} is empty`, example);
    return null;
  }
  if (key === "commit") {
    if (!/^[0-9a-fA-F]{7,64}$/.test(text)) {
      context.error(entry.value as Node, `git.commit "${text}" is not a commit id`, "write the commit's hex id");
      return null;
    }
    return { kind: key, name: text.toLowerCase() };
  }
  const problem = refNameProblem(text);
  if (problem !== null) {
    context.error(entry.value as Node, `git.${key} "${text}" ${problem}`, `write ${key}: <name> as git spells it`);
    return null;
  }
  return { kind: key, name: text };
}

function parseBasicAuth(context: YamlContext, entry: MappingEntry): GitBasicAuth | null {
  if (isNullNode(entry.value)) {
    context.error(entry.keyNode, "git.basicAuth is empty", "write basicAuth: {username: ..., password: {env: NAME}}");
    return null;
  }
  const section = readSection(context, entry.value as Node, "git.basicAuth", basicAuthSpec);
  if (section === null) return null;
  const username = readText(
    context,
    sectionValue(section, "username"),
    "git.basicAuth.username",
    "write username: <name>",
  );
  const passwordEntry = section.get("password");
  if (passwordEntry === undefined || isNullNode(passwordEntry.value)) {
    context.error(
      passwordEntry?.keyNode ?? (entry.value as Node),
      "git.basicAuth needs a password",
      "add password: {env: NAME} (or src: <file>, or value: <text>)",
    );
    return null;
  }
  const password = parsePassword(context, passwordEntry.value as Node);
  return password === null ? null : { username: username ?? "", password };
}

/** werf's password source: exactly one of `env`, `src`, `value` (never printed). */
function parsePassword(context: YamlContext, node: Node): SecretSource | null {
  const section = readSection(context, node, "git.basicAuth.password", passwordSpec);
  if (section === null) return null;
  const present = (["env", "src", "value"] as const).filter((key) => section.has(key));
  const [first, ...others] = present;
  for (const other of others) {
    context.error(
      (section.get(other) as MappingEntry).keyNode,
      `a password comes from one of env, src and value: "${other}" conflicts with "${first}"`,
      `keep ${first}`,
    );
  }
  if (first === undefined) {
    context.error(node, "git.basicAuth.password is empty", "write password: {env: NAME}");
    return null;
  }
  if (others.length > 0) return null;
  const entry = section.get(first) as MappingEntry;
  // The message names the key, never the text: it may be the password itself.
  const text = isScalar(entry.value) ? scalarText(entry.value) : null;
  if (text === null || text === "") {
    context.error(
      valueOrKey(entry),
      `git.basicAuth.password.${first} must be a non-empty string`,
      `write ${first}: ...`,
    );
    return null;
  }
  if (first === "env") return { kind: "env", name: text };
  if (first === "src") return { kind: "src", path: text };
  return { kind: "value", value: text };
}

/** How a url reaches its repository, as git reads it; null for what git would take as a local path. */
export function urlKind(url: string): "http" | "ssh" | "git" | "file" | null {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/[^\s]*$/.exec(url)?.[1]?.toLowerCase();
  if (scheme === "http" || scheme === "https") return /^https?:\/\/[^/\s]+/i.test(url) ? "http" : null;
  if (scheme === "ssh" || scheme === "git+ssh" || scheme === "ssh+git") return "ssh";
  if (scheme === "git") return "git";
  if (scheme === "file") return /^file:\/\/\/./i.test(url) || /^file:\/\/localhost\/./i.test(url) ? "file" : null;
  if (scheme !== undefined) return null;
  // scp-like `[user@]host:path`: git's rule is a colon before any slash.
  const colon = url.indexOf(":");
  const slash = url.indexOf("/");
  if (colon > 0 && (slash === -1 || colon < slash) && colon < url.length - 1 && !/\s/.test(url)) return "ssh";
  return null;
}

function hasUrlPassword(url: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/@]*:[^/@]*@/.test(url);
}

/** The url with the password of its user info (`https://user:secret@host`) hidden, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/, "$1:***@");
}

/** Why git would refuse a branch or tag name (git check-ref-format, the rules a config can break), or null. */
function refNameProblem(name: string): string | null {
  if (name.startsWith("-")) return "cannot start with -";
  if (name.startsWith("refs/")) return "must be the short name (without refs/heads/ or refs/tags/)";
  if (
    /[\s~^:?*[\\]/.test(name) ||
    [...name].some((character) => character.charCodeAt(0) < 0x20 || character === "\x7f")
  )
    return "contains a character git refuses in a ref name";
  if (name.includes("..") || name.includes("@{") || name.includes("//")) return "is not a valid git ref name";
  if (name.startsWith("/") || name.endsWith("/") || name.endsWith(".") || name.endsWith(".lock") || name === "@")
    return "is not a valid git ref name";
  if (name.split("/").some((part) => part.startsWith("."))) return "is not a valid git ref name";
  return null;
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
