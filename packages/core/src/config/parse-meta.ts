import { isMap, isScalar, type Node } from "yaml";
import type { ProjectMeta } from "./model.js";
import { isProjectName, nameHint } from "./names.js";
import { parseCleanup } from "./parse-cleanup.js";
import { readSection, type SectionSpec, sectionValue } from "./read-section.js";
import { describeNode, isNullNode, plainKeys, valueOrKey, type YamlContext } from "./yaml-context.js";
import { readText, readTextList } from "./yaml-values.js";

const keepForWerf = "remove it if only stages reads this file";

const metaSpec: SectionSpec = {
  where: "in the project meta",
  word: "key",
  known: ["project", "configVersion", "plugins", "cleanup"],
  unsupported: {
    image: { reason: "images belong in their own documents", hint: "end the project meta with --- before image:" },
    artifact: {
      reason: "artifacts belong in their own documents",
      hint: "end the project meta with --- before artifact:",
    },
  },
  ignored: {
    deploy: { reason: "stages builds and publishes, it does not deploy", hint: keepForWerf },
    gitWorktree: { reason: "stages reads the work tree as it is, without fetching or unshallowing", hint: keepForWerf },
    build: { reason: "werf's build settings do not apply to stages", hint: keepForWerf },
  },
};

/** Reads the first document of the config, the project meta; null when it is unusable. */
export function parseMeta(context: YamlContext, contents: Node): ProjectMeta | null {
  const section = readSection(context, contents, "the project meta", metaSpec);
  if (section === null) return null;
  checkBuildPlatform(context, context.findEntry(contents, "build")?.value ?? null);

  const projectEntry = section.get("project");
  let project: string | null = null;
  if (projectEntry === undefined || isNullNode(projectEntry.value)) {
    context.error(projectEntry?.keyNode ?? contents, 'the project meta needs "project"', "add project: <name>");
  } else {
    project = readText(context, projectEntry.value, '"project"', "write project: <name>");
    if (project !== null && !isProjectName(project)) {
      context.error(projectEntry.value as Node, `invalid project name "${project}"`, nameHint(project, false));
      project = null;
    }
  }

  const versionEntry = section.get("configVersion");
  const version = versionEntry?.value ?? null;
  const versionIsOne = isScalar(version) && version.value === 1;
  if (!versionIsOne) {
    const message =
      versionEntry === undefined
        ? 'the project meta needs "configVersion"'
        : `configVersion must be the number 1, not ${isScalar(version) && typeof version.value === "number" ? version.value : describeNode(version)}`;
    context.error(versionEntry === undefined ? contents : valueOrKey(versionEntry), message, "write configVersion: 1");
  }

  const pluginsNode = sectionValue(section, "plugins");
  const plugins = readTextList(context, pluginsNode, '"plugins"');
  if (plugins.some((plugin) => plugin.trim() === "")) {
    context.error(pluginsNode as Node, "a plugin name is empty", "name an npm package or a path");
  }

  // `cleanup:` with no value is werf's defaults, as an absent one.
  const cleanup = parseCleanup(context, sectionValue(section, "cleanup"));

  if (project === null || !versionIsOne) return null;
  // Absent `cleanup:` stays absent: `cleanupPolicies(meta)` gives werf's defaults.
  return cleanup === null ? { project, configVersion: 1, plugins } : { project, configVersion: 1, plugins, cleanup };
}

/** werf's `build.platform` would change what is built: refusing it beats ignoring it. */
function checkBuildPlatform(context: YamlContext, build: Node | null): void {
  if (!isMap(build)) return;
  const platform = context.entries(build).find((entry) => entry.key === "platform");
  if (platform !== undefined) {
    context.error(
      platform.keyNode,
      'unsupported key "build.platform": stages builds for the platform of the Docker Engine',
      "remove it, or build on a host of the platform you need",
    );
  }
}

/** Whether a document's top level looks like an image or artifact rather than the project meta. */
export function looksLikeImageDocument(contents: Node | null): boolean {
  const keys = plainKeys(contents);
  return (keys.includes("image") || keys.includes("artifact")) && !keys.includes("project");
}
