/*
 * werf v2's `build.imageSpec` of the project meta: an imageSpec for every final image.
 *
 * What werf reads there (rawImageSpecGlobal, pkg/config/raw_image_spec.go): author, clearHistory and
 * config.{labels, removeLabels, keepEssentialWerfLabels, clearWerfLabels}. How it meets an image's
 * own imageSpec is werf's mergeImageSpec (pkg/config/image_spec.go, and its TestMergeImageSpec):
 * the global author wins when set, clearHistory and keepEssentialWerfLabels are or-ed, the global
 * labels are written over the image's, removeLabels are the image's then the global ones not
 * already there. clearWerfLabels is read but left out of the merge, so it changes nothing in werf;
 * the same here, with a warning. Images with `final: false` (and artifacts) do not get it.
 */
import type { Node } from "yaml";
import { essentialStageLabels } from "../naming.js";
import type { ImageSpecConfig, ImageSpecMatcher } from "./model.js";
import { emptyImageSpec, imageSpecConfigKeys, readMatchers } from "./parse-image-spec.js";
import { readSection, type SectionSpec, sectionValue, type UnsupportedKey } from "./read-section.js";
import { isNullNode, type YamlContext } from "./yaml-context.js";
import { readBoolean, readText, readTextMap } from "./yaml-values.js";

const imageSpecSpec: SectionSpec = {
  where: "under build.imageSpec",
  word: "key",
  known: ["author", "clearHistory", "config"],
};

// Keys an image's imageSpec.config has and werf's global one does not: werf refuses them too.
const perImageOnly: UnsupportedKey = {
  reason: "werf's build.imageSpec.config takes labels, removeLabels and keepEssentialWerfLabels only",
  hint: "write it in the imageSpec of each image that needs it",
};
const globalConfigKeys: readonly string[] = ["labels", "removeLabels", "keepEssentialWerfLabels", "clearWerfLabels"];
const configSpec: SectionSpec = {
  where: "under build.imageSpec.config",
  word: "key",
  known: globalConfigKeys,
  unsupported: Object.fromEntries(
    imageSpecConfigKeys.filter((key) => !globalConfigKeys.includes(key)).map((key) => [key, perImageOnly]),
  ),
};

/** Reads `build.imageSpec`; null when absent, empty or not a mapping. */
export function parseMetaImageSpec(context: YamlContext, node: Node | null): ImageSpecConfig | null {
  if (isNullNode(node)) return null;
  const section = readSection(context, node as Node, "build.imageSpec", imageSpecSpec);
  if (section === null) return null;
  const spec = emptyImageSpec(context.position(node as Node));
  spec.author = readText(context, sectionValue(section, "author"), "build.imageSpec.author", "write author: <name>");
  spec.clearHistory =
    readBoolean(context, sectionValue(section, "clearHistory"), "build.imageSpec.clearHistory") ?? false;
  const configNode = sectionValue(section, "config");
  if (isNullNode(configNode)) return spec;
  const config = readSection(context, configNode as Node, "build.imageSpec.config", configSpec);
  if (config === null) return spec;
  const label = (key: string) => `build.imageSpec.config.${key}`;
  spec.keepEssentialWerfLabels =
    readBoolean(context, sectionValue(config, "keepEssentialWerfLabels"), label("keepEssentialWerfLabels")) ?? false;
  spec.labels = readTextMap(context, sectionValue(config, "labels"), label("labels"));
  spec.removeLabels = readMatchers(context, sectionValue(config, "removeLabels"), label("removeLabels"));
  const clear = config.get("clearWerfLabels");
  if (clear !== undefined && readBoolean(context, clear.value, label("clearWerfLabels")) === true) {
    context.warning(
      clear.keyNode,
      "build.imageSpec.config.clearWerfLabels changes nothing: werf reads it but does not apply it to the images, nor does stages",
      "write clearWerfLabels: true in the imageSpec of each image that needs it",
    );
  }
  const named = spec.removeLabels.filter(
    (matcher) => matcher.kind === "name" && essentialStageLabels.includes(matcher.name),
  );
  const removeEntry = config.get("removeLabels");
  if (named.length > 0 && !spec.keepEssentialWerfLabels && removeEntry !== undefined) {
    context.warning(
      removeEntry.keyNode,
      `the labels stages needs to find a stage stay in the image (${essentialStageLabels.join(", ")})`,
      "set keepEssentialWerfLabels: true to say so, as in werf",
    );
  }
  return spec;
}

/**
 * werf's mergeImageSpec(meta, image): the imageSpec a final image gets when the meta has
 * `build.imageSpec`; the image's own (or none) otherwise unchanged. Neither argument is modified.
 */
export function mergeImageSpec(meta: ImageSpecConfig, image: ImageSpecConfig | null): ImageSpecConfig {
  const base = image ?? emptyImageSpec(meta.position);
  return {
    ...base,
    author: meta.author !== null && meta.author !== "" ? meta.author : base.author,
    clearHistory: base.clearHistory || meta.clearHistory,
    keepEssentialWerfLabels: base.keepEssentialWerfLabels || meta.keepEssentialWerfLabels,
    labels: { ...base.labels, ...meta.labels },
    removeLabels: mergeMatchers(base.removeLabels, meta.removeLabels),
  };
}

/** werf's mergeSlices: the first list, then what of the second it lacks, in order. */
function mergeMatchers(first: readonly ImageSpecMatcher[], second: readonly ImageSpecMatcher[]): ImageSpecMatcher[] {
  const key = (matcher: ImageSpecMatcher) => (matcher.kind === "name" ? matcher.name : `/${matcher.source}/`);
  const merged = [...first];
  const seen = new Set(first.map(key));
  for (const matcher of second) {
    if (seen.has(key(matcher))) continue;
    seen.add(key(matcher));
    merged.push(matcher);
  }
  return merged;
}
