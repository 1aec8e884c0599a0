import type { DependencyEnv } from "../adapters/stage-builder.js";
import type { DependencyImportType, ImageConfig } from "../config/model.js";
import { stageTag } from "../naming.js";
import type { Signature } from "../signature-type.js";

/*
 * werf v2's `dependencies` of a Dockerfile image: each import sets a build arg (`targetBuildArg`) to
 * the dependency image's name, repository, tag, id or digest. The Dockerfile is evaluated with them,
 * so an instruction that uses the ARG has the value in its signature and one that does not is
 * unchanged. ImageName, ImageRepo and ImageTag name the dependency's last stage and are known when
 * the project is resolved (as werf's name the stage in its stages storage). ImageID and ImageDigest
 * exist only once that stage is built or pushed: until then the ARG holds a placeholder naming the
 * stage (`dependencyPlaceholder`), which is what the signature sees (the stage's signature, so the
 * value follows the dependency's identity), and the builder puts the value in its place.
 */

/** Where the dependencies' stages are named: REPO (remote) or the local stages repository. */
export interface DependencyNaming {
  repository: string;
  remote: boolean;
}

/** The build args a Dockerfile image's dependencies set, and the values the build fills in. */
export interface DependencyArgs {
  /** Build arg → value (a placeholder for ImageID and ImageDigest). */
  args: Record<string, string>;
  /** ImageName values → the config image they name: FROM ${ARG} then builds on that image's stage. */
  aliases: Map<string, string>;
}

/** The text an ImageID or ImageDigest build arg holds until the build knows the value. */
export function dependencyPlaceholder(type: DependencyImportType, source: Signature): string {
  return `stages-dependency-${type}-${source}`;
}

/**
 * The build args of a Dockerfile image's `dependencies`. With `signatures` null (the project is
 * being loaded, nothing is resolved yet) every value is a placeholder naming the dependency image,
 * so that evaluation already links FROM ${ImageName arg} to it.
 */
export function dependencyArgs(
  image: ImageConfig,
  signatures: ReadonlyMap<string, Signature> | null,
  naming: DependencyNaming | null,
): DependencyArgs {
  const result: DependencyArgs = { args: {}, aliases: new Map() };
  for (const dependency of image.dependencies) {
    const source = signatures?.get(dependency.image);
    if (signatures !== null && source === undefined)
      throw new Error(`the last stage of "${dependency.image}" must be resolved before "${image.name}"`);
    for (const item of dependency.imports) {
      const name = item.targetBuildArg ?? "";
      let value: string;
      if (source === undefined || naming === null) value = `stages-dependency-${item.type}-of-${dependency.image}`;
      else if (item.type === "ImageRepo") value = naming.repository;
      else if (item.type === "ImageTag") value = naming.remote ? stageTag(source) : source;
      else if (item.type === "ImageName") value = `${naming.repository}:${naming.remote ? stageTag(source) : source}`;
      else value = dependencyPlaceholder(item.type, source);
      result.args[name] = value;
      if (item.type === "ImageName") result.aliases.set(value, dependency.image);
    }
  }
  return result;
}

/**
 * The ImageID and ImageDigest values of an image's dependencies whose placeholder `data` (a step,
 * or the build args of a whole Dockerfile) holds: the ones the build must fill for it.
 */
export function lateDependencies(
  image: ImageConfig,
  signatures: ReadonlyMap<string, Signature>,
  data: unknown,
): DependencyEnv[] {
  if (image.dependencies.length === 0) return [];
  const text = JSON.stringify(data);
  const late: DependencyEnv[] = [];
  for (const dependency of image.dependencies) {
    const source = signatures.get(dependency.image);
    if (source === undefined) continue;
    for (const item of dependency.imports) {
      if (item.type !== "ImageID" && item.type !== "ImageDigest") continue;
      if (!text.includes(dependencyPlaceholder(item.type, source))) continue;
      late.push({ name: item.targetBuildArg ?? "", type: item.type, image: dependency.image, source, value: null });
    }
  }
  return late;
}

/**
 * A Dockerfile step (or any plain data of one) with the placeholders of ImageID and ImageDigest
 * replaced by their values. Every value must be filled.
 */
export function fillDependencyValues<T>(data: T, dependencies: readonly DependencyEnv[]): T {
  if (dependencies.length === 0) return data;
  let text = JSON.stringify(data);
  for (const item of dependencies) {
    if (item.value === null) throw new Error(`the ${item.type} of "${item.image}" (${item.name}) was not filled in`);
    // The value goes into JSON text: escaped as a JSON string body.
    text = text.replaceAll(dependencyPlaceholder(item.type, item.source), JSON.stringify(item.value).slice(1, -1));
  }
  return JSON.parse(text) as T;
}
