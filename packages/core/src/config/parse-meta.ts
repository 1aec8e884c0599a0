import { isScalar, type Node } from "yaml";
import { parseMetaImageSpec } from "./meta-image-spec.js";
import type { MetaBuild, ProjectMeta } from "./model.js";
import { isProjectName, nameHint } from "./names.js";
import { parseCleanup } from "./parse-cleanup.js";
import { parsePlatforms } from "./parse-platform.js";
import { parseAdapters, parseSettings } from "./parse-plugin-meta.js";
import { readSection, type SectionSpec, sectionValue } from "./read-section.js";
import { describeNode, isNullNode, plainKeys, valueOrKey, type YamlContext } from "./yaml-context.js";
import { readText, readTextList } from "./yaml-values.js";

const keepForWerf = "remove it if only stages reads this file";

const metaSpec: SectionSpec = {
  where: "in the project meta",
  word: "key",
  known: ["project", "configVersion", "plugins", "adapters", "settings", "cleanup", "build"],
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
  },
};

/** Reads the first document of the config, the project meta; null when it is unusable. */
export function parseMeta(context: YamlContext, contents: Node): ProjectMeta | null {
  const section = readSection(context, contents, "the project meta", metaSpec);
  if (section === null) return null;

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

  const adapters = parseAdapters(context, sectionValue(section, "adapters"));
  const settings = parseSettings(context, sectionValue(section, "settings"));

  // `cleanup:` with no value is werf's defaults, as an absent one.
  const cleanup = parseCleanup(context, sectionValue(section, "cleanup"));

  const build = parseMetaBuild(context, sectionValue(section, "build"));

  if (project === null || !versionIsOne) return null;
  // Absent `cleanup:` stays absent: `cleanupPolicies(meta)` gives werf's defaults.
  const meta: ProjectMeta =
    cleanup === null ? { project, configVersion: 1, plugins } : { project, configVersion: 1, plugins, cleanup };
  if (build !== null) meta.build = build;
  if (adapters !== null) meta.adapters = adapters;
  if (settings !== null) meta.settings = settings;
  return meta;
}

// werf's rawMetaBuild (pkg/config/raw_meta_build.go).
const buildSpec: SectionSpec = {
  where: "under build",
  word: "key",
  known: ["platform", "cacheVersion", "imageSpec"],
  ignored: {
    staged: {
      reason: "each Dockerfile image says staged: itself (stages builds them instruction by instruction by default)",
      hint: "write staged: in the Dockerfile images",
    },
  },
};

/** werf's `build:`: platform and cacheVersion, the defaults of every image, and imageSpec, merged into every final image's. */
function parseMetaBuild(context: YamlContext, node: Node | null): MetaBuild | null {
  if (isNullNode(node)) return null;
  const section = readSection(context, node as Node, "build", buildSpec);
  if (section === null) return null;
  const build: MetaBuild = {
    platform: parsePlatforms(context, sectionValue(section, "platform"), "build.platform"),
    cacheVersion: readText(
      context,
      sectionValue(section, "cacheVersion"),
      "build.cacheVersion",
      'write cacheVersion: "1"',
    ),
  };
  const imageSpec = parseMetaImageSpec(context, sectionValue(section, "imageSpec"));
  if (imageSpec !== null) build.imageSpec = imageSpec;
  return build;
}

/** Whether a document's top level looks like an image or artifact rather than the project meta. */
export function looksLikeImageDocument(contents: Node | null): boolean {
  const keys = plainKeys(contents);
  return (keys.includes("image") || keys.includes("artifact")) && !keys.includes("project");
}
