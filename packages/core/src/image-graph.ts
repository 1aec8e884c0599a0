import type { ImageConfig, StagesConfig } from "./config/model.js";
import { configImagesOf } from "./dockerfile/references.js";
import { UnknownImageError, UsageError } from "./errors.js";

/** Key of an image in the graph: its name, or "" for the nameless image. */
export function imageKey(image: ImageConfig): string {
  return image.name ?? "";
}

/** Display name of an image: its name, or `~` for the nameless image. */
export function imageDisplayName(name: string | null): string {
  return name ?? "~";
}

/** The images (and artifacts) an image needs first: its base image, its import sources and its dependencies. */
export function imageDependencies(image: ImageConfig): string[] {
  const dependencies = new Set<string>();
  if (image.base.kind === "stagesImage" || image.base.kind === "artifact") dependencies.add(image.base.name);
  for (const stage of image.dockerfile?.evaluated?.stages ?? []) {
    for (const name of configImagesOf(stage)) dependencies.add(name);
  }
  for (const spec of image.imports) if (!spec.external) dependencies.add(spec.from);
  for (const dependency of image.dependencies) dependencies.add(dependency.image);
  return [...dependencies];
}

/** Finds an image or artifact by name (null/"" for the nameless image). */
export function findImage(config: StagesConfig, name: string | null): ImageConfig {
  const image = config.images.find((candidate) => (candidate.name ?? "") === (name ?? ""));
  if (!image) {
    const known = config.images.map((candidate) => candidate.name ?? "~").join(", ");
    throw new UnknownImageError(
      `no image or artifact "${name ?? "~"}" in the configuration (it has: ${known || "none"})`,
      {
        hint: "name one of the images of stages.yaml",
      },
    );
  }
  return image;
}

/**
 * The images to work on, dependencies first, in levels: every image of a level depends only on
 * earlier levels, so a level can be built in parallel. `selected` empty means every image.
 */
export function imageLevels(config: StagesConfig, selected: readonly string[] = []): ImageConfig[][] {
  const roots =
    selected.length > 0 ? selected.map((name) => findImage(config, name === "~" ? null : name)) : config.images;
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (image: ImageConfig, path: string[]): number => {
    const key = imageKey(image);
    const known = depth.get(key);
    if (known !== undefined) return known;
    if (visiting.has(key)) throw new UsageError(`image dependency cycle: ${[...path, key].join(" -> ")}`);
    visiting.add(key);
    let level = 0;
    for (const dependency of imageDependencies(image)) {
      level = Math.max(level, visit(findImage(config, dependency), [...path, key]) + 1);
    }
    visiting.delete(key);
    depth.set(key, level);
    return level;
  };
  for (const root of roots) visit(root, []);
  const levels: ImageConfig[][] = [];
  for (const image of config.images) {
    const level = depth.get(imageKey(image));
    if (level === undefined) continue;
    const members = levels[level] ?? [];
    members.push(image);
    levels[level] = members;
  }
  return levels.filter((level) => level.length > 0);
}

/** The images to work on, dependencies first (a topological order). */
export function imageOrder(config: StagesConfig, selected: readonly string[] = []): ImageConfig[] {
  return imageLevels(config, selected).flat();
}
