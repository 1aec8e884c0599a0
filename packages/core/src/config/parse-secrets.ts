import { isSeq, type Node } from "yaml";
import type { SecretSource, SecretSpec } from "./model.js";
import { readSection, type SectionSpec } from "./read-section.js";
import { describeNode, isNullNode, type MappingEntry, valueOrKey, type YamlContext } from "./yaml-context.js";
import { readText } from "./yaml-values.js";

const secretSpec: SectionSpec = {
  where: "under secrets",
  word: "key",
  known: ["env", "src", "value", "id"],
};

const sourceKeys = ["env", "src", "value"] as const;

/**
 * Reads `secrets:` (werf's meaning): each item is `{env: NAME}`, `{src: path}` or `{value: text, id}`,
 * with an optional `id` (werf's defaults: the env name, the base name of src; `value` needs one).
 * Ids are unique within the image.
 */
export function parseSecrets(context: YamlContext, node: Node | null): SecretSpec[] {
  if (isNullNode(node)) return [];
  if (!isSeq(node)) {
    context.error(
      node as Node,
      `secrets must be a list of mappings, not ${describeNode(node)}`,
      "write secrets: [{env: NAME}, {src: ./file, id: name}, {value: text, id: name}]",
    );
    return [];
  }
  const secrets: SecretSpec[] = [];
  const taken = new Map<string, SecretSpec>();
  for (const item of node.items) {
    const itemNode = context.resolve(item as Node | null) ?? node;
    const secret = parseSecret(context, itemNode);
    if (secret === null) continue;
    const earlier = taken.get(secret.id);
    if (earlier !== undefined) {
      context.error(
        itemNode,
        `duplicated secret "${secret.id}" (the first is at line ${earlier.position.line})`,
        "give each secret its own id:",
      );
      continue;
    }
    taken.set(secret.id, secret);
    secrets.push(secret);
  }
  return secrets;
}

function parseSecret(context: YamlContext, node: Node): SecretSpec | null {
  const section = readSection(context, node, "each item of secrets", secretSpec);
  if (section === null) return null;
  const present = sourceKeys.filter((key) => section.has(key));
  const [first, ...others] = present;
  for (const other of others) {
    context.error(
      (section.get(other) as MappingEntry).keyNode,
      `a secret comes from one of env, src and value: "${other}" conflicts with "${first}"`,
      "split it into two secrets",
    );
  }
  if (first === undefined) {
    context.error(node, "a secret needs its value", "add env: NAME, src: ./file or value: text");
    return null;
  }
  if (others.length > 0) return null;
  const idEntry = section.get("id");
  const id = idEntry === undefined ? null : readId(context, idEntry);
  if (idEntry !== undefined && id === null) return null;
  const entry = section.get(first) as MappingEntry;
  const text = readText(context, entry.value, `secrets.${first}`, exampleOf(first));
  if (text === null || text === "") {
    if (text === "" || isNullNode(entry.value)) {
      context.error(valueOrKey(entry), `secrets.${first} is empty`, exampleOf(first));
    }
    return null;
  }
  const source: SecretSource =
    first === "env"
      ? { kind: "env", name: text }
      : first === "src"
        ? { kind: "src", path: text }
        : { kind: "value", value: text };
  let defaultId: string | null = null;
  if (first === "env") defaultId = text;
  else if (first === "src")
    defaultId =
      text
        .replace(/[\\/]+$/, "")
        .split(/[\\/]/)
        .pop() ?? "";
  const resolved = id ?? defaultId;
  if (resolved === null) {
    context.error(entry.keyNode, "a secret with value needs an id", "add id: <name> (the file /run/secrets/<name>)");
    return null;
  }
  const problem = idProblem(resolved);
  if (problem !== null) {
    context.error(
      entry.value as Node,
      `the secret's id "${resolved}" (taken from ${first}) ${problem}`,
      "add id: <name>",
    );
    return null;
  }
  return { id: resolved, source, position: context.position(node) };
}

function readId(context: YamlContext, entry: MappingEntry): string | null {
  const id = readText(context, entry.value, "secrets.id", "write id: <name>");
  if (id === null) {
    if (isNullNode(entry.value)) context.error(entry.keyNode, "secrets.id is empty", "write id: <name> or remove it");
    return null;
  }
  const problem = idProblem(id);
  if (problem !== null) {
    context.error(entry.value as Node, `secrets.id "${id}" ${problem}`, "write a plain file name, e.g. id: npmrc");
    return null;
  }
  return id;
}

/** Why an id cannot be a file name directly under /run/secrets, or null. */
function idProblem(id: string): string | null {
  if (id === "") return "is empty";
  if (id === "." || id === "..") return "is not a file name";
  if (/[/\\]/.test(id)) return "cannot contain a slash: it is a file name under /run/secrets";
  if ([...id].some((character) => character.charCodeAt(0) < 0x20)) return "cannot contain control characters";
  return null;
}

function exampleOf(key: "env" | "src" | "value"): string {
  if (key === "env") return "write env: NAME (an environment variable of the build host)";
  if (key === "src") return "write src: ./path/to/file (relative to the project directory)";
  return "write value: <text> with id: <name>";
}
