import { isScalar, isSeq, type Node } from "yaml";
import { defaultCleanupConfig, defaultImagesPerReference, defaultKeepPolicies } from "./cleanup-defaults.js";
import { parseGoDuration } from "./go-duration.js";
import { compileGoRegexp } from "./go-regexp.js";
import type { CleanupConfig, CleanupLimit, CleanupPolicy, CleanupReferenceMatcher } from "./model.js";
import { readSection, type SectionSpec, sectionValue } from "./read-section.js";
import { describeNode, isNullNode, type YamlContext } from "./yaml-context.js";
import { readBoolean, scalarText } from "./yaml-values.js";

/*
 * `cleanup:` of the meta document, werf's syntax and meaning (werf v2 pkg/config/raw_meta_cleanup.go,
 * meta_cleanup.go; docs usage/cleanup/cr_cleanup.md). Every problem is reported at its node, all at once.
 */

const cleanupSpec: SectionSpec = {
  where: "under cleanup",
  word: "key",
  known: [
    "disable",
    "disableKubernetesBasedPolicy",
    "disableGitHistoryBasedPolicy",
    "disableBuiltWithinLastNHoursPolicy",
    "keepImagesBuiltWithinLastNHours",
    "keepPolicies",
  ],
  unsupported: {
    disableKeepPolicies: {
      reason: "werf has no such key",
      hint: "write disableGitHistoryBasedPolicy: true to keep nothing by git history",
    },
  },
};

const policySpec: SectionSpec = {
  where: "in a keep policy",
  word: "key",
  known: ["references", "imagesPerReference"],
};

const referencesSpec: SectionSpec = {
  where: "under references",
  word: "key",
  known: ["branch", "tag", "limit"],
};

const limitSpec = (where: string): SectionSpec => ({
  where: `under ${where}`,
  word: "key",
  known: ["last", "in", "operator"],
});

/** Reads `cleanup:`; null when it is absent or unusable (the problems are reported). */
export function parseCleanup(context: YamlContext, node: Node | null): CleanupConfig | null {
  if (isNullNode(node)) return null;
  const section = readSection(context, node as Node, "cleanup", cleanupSpec);
  if (section === null) return null;
  const flag = (key: string) => readBoolean(context, sectionValue(section, key), `cleanup.${key}`) ?? false;
  const disabled = flag("disable");
  // stages never looks into Kubernetes; werf's switch for that is read and has nothing to switch off.
  flag("disableKubernetesBasedPolicy");
  const disableGitHistoryBasedPolicy = flag("disableGitHistoryBasedPolicy");
  const disableBuiltWithinLastNHoursPolicy = flag("disableBuiltWithinLastNHoursPolicy");

  const hoursNode = sectionValue(section, "keepImagesBuiltWithinLastNHours");
  const hours = isNullNode(hoursNode)
    ? defaultCleanupConfig.keepImagesBuiltWithinLastNHours
    : readInteger(context, hoursNode, "cleanup.keepImagesBuiltWithinLastNHours", 0, "write a number of hours, e.g. 2");

  const policiesEntry = section.get("keepPolicies");
  let keepPolicies: CleanupPolicy[] | null = [...defaultKeepPolicies];
  if (policiesEntry !== undefined && !isNullNode(policiesEntry.value)) {
    const policiesNode = policiesEntry.value as Node;
    if (!isSeq(policiesNode)) {
      context.error(
        policiesNode,
        `cleanup.keepPolicies must be a list, not ${describeNode(policiesNode)}`,
        "write each policy as a list item: - references: {branch: main}",
      );
      keepPolicies = null;
    } else if (policiesNode.items.length === 0) {
      context.warning(
        policiesNode,
        "an empty cleanup.keepPolicies means werf's default policies",
        "to keep nothing by git history, write disableGitHistoryBasedPolicy: true",
      );
    } else {
      const read = policiesNode.items.map((item) =>
        parsePolicy(context, context.resolve(item as Node | null), policiesNode),
      );
      keepPolicies = read.every((policy) => policy !== null) ? read : null;
    }
  }

  if (hours === null || keepPolicies === null) return null;
  return {
    disabled,
    keepPolicies,
    keepImagesBuiltWithinLastNHours: hours,
    disableGitHistoryBasedPolicy,
    disableBuiltWithinLastNHoursPolicy,
  };
}

function parsePolicy(context: YamlContext, node: Node | null, list: Node): CleanupPolicy | null {
  if (node === null || isNullNode(node)) {
    context.error(node ?? list, "a keep policy is empty", "write - references: {branch: main}");
    return null;
  }
  const section = readSection(context, node, "a keep policy", policySpec);
  if (section === null) return null;
  const referencesEntry = section.get("references");
  if (referencesEntry === undefined || isNullNode(referencesEntry.value)) {
    context.error(
      referencesEntry?.keyNode ?? node,
      "a keep policy needs references",
      "add references: {branch: <name or /regexp/>} or references: {tag: ...}",
    );
    return null;
  }
  const references = parseReferences(context, referencesEntry.value as Node);
  const imagesNode = sectionValue(section, "imagesPerReference");
  const imagesPerReference = isNullNode(imagesNode)
    ? { ...defaultImagesPerReference }
    : parseLimit(context, imagesNode as Node, "imagesPerReference", defaultImagesPerReference.last);
  if (references === null || imagesPerReference === null) return null;
  if (references.kind === "tag" && imagesPerReference.last !== null && imagesPerReference.last > 1) {
    context.warning(
      imagesNode as Node,
      "a tag keeps the images of its own commit only: imagesPerReference.last above 1 changes nothing",
      "remove last, or write last: 1",
    );
  }
  return { references, imagesPerReference, position: context.position(node) };
}

function parseReferences(context: YamlContext, node: Node): CleanupPolicy["references"] | null {
  const section = readSection(context, node, "references", referencesSpec);
  if (section === null) return null;
  const branch = section.get("branch");
  const tag = section.get("tag");
  if ((branch === undefined) === (tag === undefined)) {
    context.error(
      branch?.keyNode ?? tag?.keyNode ?? node,
      branch === undefined ? "references need a branch or a tag" : "references take a branch or a tag, not both",
      branch === undefined ? "add branch: <name or /regexp/> or tag: ..." : "write two policies, one for each",
    );
    return null;
  }
  const kind = branch === undefined ? "tag" : "branch";
  const entry = (branch ?? tag) as NonNullable<typeof branch>;
  const match = parseMatcher(context, entry.value ?? entry.keyNode, kind);
  const limitNode = sectionValue(section, "limit");
  const limit = isNullNode(limitNode) ? null : parseLimit(context, limitNode as Node, "references.limit", null);
  if (match === null || (limit === null && !isNullNode(limitNode))) return null;
  return { kind, match, limit };
}

function parseMatcher(context: YamlContext, node: Node, kind: "branch" | "tag"): CleanupReferenceMatcher | null {
  const text = scalarText(node);
  const example = kind === "branch" ? "main or /^feature\\/.*/" : "v1.0.0 or /^v.*/";
  if (text === null || text === "") {
    context.error(
      node,
      `${kind} must be a name or a /regexp/, not ${describeNode(node)}`,
      `write e.g. ${kind}: ${example}`,
    );
    return null;
  }
  if (!(text.length >= 2 && text.startsWith("/") && text.endsWith("/"))) return { kind: "name", name: text };
  const source = text.slice(1, -1);
  if (source === "") {
    context.error(
      node,
      `${kind} "${text}" is an empty regexp, which matches no ${kind}`,
      `write ${kind}: /.*/ for every ${kind}`,
    );
    return null;
  }
  const compiled = compileGoRegexp(source);
  if (!compiled.ok) {
    context.error(
      node,
      `${kind} "${text}" is not a Go regular expression stages can read: ${compiled.problem}`,
      "see https://pkg.go.dev/regexp/syntax; the whole name must match",
    );
    return null;
  }
  return { kind: "regexp", source };
}

/** Reads `limit:` or `imagesPerReference:`; `defaultLast` is what an absent `last` means (null: no limit). */
function parseLimit(context: YamlContext, node: Node, label: string, defaultLast: number | null): CleanupLimit | null {
  const section = readSection(context, node, label, limitSpec(label));
  if (section === null) return null;
  const lastNode = sectionValue(section, "last");
  const last = isNullNode(lastNode)
    ? undefined
    : readInteger(context, lastNode, `${label}.last`, -1, "-1 means no limit");
  const inNode = sectionValue(section, "in");
  const inMs = isNullNode(inNode) ? undefined : readDuration(context, inNode as Node, `${label}.in`);
  const operatorNode = sectionValue(section, "operator");
  let operator: "And" | "Or" | null = "And";
  if (!isNullNode(operatorNode)) {
    const text = scalarText(operatorNode);
    if (text === "And" || text === "Or") operator = text;
    else {
      context.error(
        operatorNode as Node,
        `${label}.operator must be And or Or, not ${text === null ? describeNode(operatorNode) : `"${text}"`}`,
        "write operator: And (both conditions) or operator: Or (either)",
      );
      operator = null;
    }
  }
  if (last === null || inMs === null || operator === null) return null;
  return { last: last === undefined ? defaultLast : last === -1 ? null : last, inMs: inMs ?? null, operator };
}

function readInteger(
  context: YamlContext,
  node: Node | null,
  label: string,
  minimum: number,
  hint: string,
): number | null {
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    const what = typeof value === "number" ? "a fraction" : describeNode(node);
    context.error(node as Node, `${label} must be a whole number, not ${what}`, hint);
    return null;
  }
  if (value < minimum) {
    context.error(node as Node, `${label} must be ${minimum} or more, not ${value}`, hint);
    return null;
  }
  return value;
}

function readDuration(context: YamlContext, node: Node, label: string): number | null {
  // werf's YAML reader takes a number for a time.Duration as nanoseconds; only 0 means the same as written.
  if (isScalar(node) && node.value === 0) return 0;
  const text = isScalar(node) && typeof node.value === "string" ? node.value : null;
  const hint = "write a Go duration: 168h, 30m, 1h30m (h, m, s, ms; no days)";
  if (text === null) {
    context.error(node, `${label} must be a duration such as 168h, not ${describeNode(node)}`, hint);
    return null;
  }
  const parsed = parseGoDuration(text);
  if (!parsed.ok) {
    context.error(node, `${label} "${text}" is not a duration: ${parsed.problem}`, hint);
    return null;
  }
  return parsed.milliseconds;
}
