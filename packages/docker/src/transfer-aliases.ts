import { localStagesRepository, parseStageTag, stageLabels } from "@stages/core";
import type { EngineClient } from "./engine-client.js";
import { removeImageWith } from "./images.js";

/**
 * The names a transfer gives the engine on the way (DESIGN §7): a push tags the stage
 * `REPO:image-stage-<sig>` and the engine adds `REPO@<digest>` when it is done; a pull leaves the
 * reference it pulled and `REPO@<digest>`. None of them is meant to stay: the stage's one name is
 * `stages-storage/<project>:<sig>`. Names a user gave (any tag that is not a stage tag) are never
 * removed.
 */

/** Names in use by a transfer of this process right now (per engine): never swept. */
const inFlight = new Map<string, Map<string, number>>();

/** Marks `name` as in use by a transfer until the returned function is called. */
export function holdName(client: EngineClient, name: string): () => void {
  const names = inFlight.get(client.endpoint) ?? new Map<string, number>();
  inFlight.set(client.endpoint, names);
  names.set(name, (names.get(name) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const count = (names.get(name) ?? 1) - 1;
    if (count <= 0) names.delete(name);
    else names.set(name, count);
  };
}

function isHeld(client: EngineClient, name: string): boolean {
  return inFlight.get(client.endpoint)?.has(name) ?? false;
}

/** `REPO:image-stage-<64 hex>` outside the local stages repository. */
export function isStageAlias(name: string, project: string): boolean {
  const colon = name.lastIndexOf(":");
  if (colon <= 0 || name.slice(colon + 1).includes("/")) return false;
  const repository = name.slice(0, colon);
  return parseStageTag(name.slice(colon + 1)) !== null && repository !== localStagesRepository(project);
}

/** What the engine's image list tells about one image. */
export interface ImageNames {
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
}

/**
 * The transfer names of one image of `project`: stage-tag aliases, and `REPO@digest` references
 * in repositories where the image has no tag a user gave. Limited to `repository` when given.
 */
export function leftoverNames(image: ImageNames, project: string, repository?: string): string[] {
  const tags = (image.RepoTags ?? []).filter((name) => name !== "<none>:<none>");
  const userTagged = new Set(
    tags.filter((name) => !isStageAlias(name, project)).map((name) => name.slice(0, name.lastIndexOf(":"))),
  );
  const names: string[] = [];
  for (const tag of tags) {
    if (!isStageAlias(tag, project)) continue;
    if (repository === undefined || tag.slice(0, tag.lastIndexOf(":")) === repository) names.push(tag);
  }
  for (const reference of image.RepoDigests ?? []) {
    const at = reference.indexOf("@");
    if (at <= 0) continue;
    const repo = reference.slice(0, at);
    if (repo === localStagesRepository(project) || userTagged.has(repo)) continue;
    if (repository === undefined || repo === repository) names.push(reference);
  }
  return names;
}

/**
 * Removes the transfer names of this project's images that no transfer of this process holds
 * (limited to `repository` when given); returns what it removed. Never fails: leftovers are
 * looked for again at the next transfer.
 */
export async function sweepTransferNames(
  client: EngineClient,
  project: string,
  repository?: string,
): Promise<string[]> {
  let images: ImageNames[];
  try {
    images = ((await client.call(undefined, (docker) =>
      docker.listImages({ filters: { label: [`${stageLabels.project}=${project}`] }, digests: true }),
    )) ?? []) as ImageNames[];
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const image of images) removed.push(...(await removeTransferNames(client, image, project, repository)));
  return removed;
}

/** Removes the transfer names of one image that no transfer of this process holds; returns them. */
export async function removeTransferNames(
  client: EngineClient,
  image: ImageNames,
  project: string,
  repository?: string,
): Promise<string[]> {
  const removed: string[] = [];
  for (const name of leftoverNames(image, project, repository)) {
    if (isHeld(client, name)) continue;
    try {
      if (await removeImageWith(client, name, undefined)) removed.push(name);
    } catch {
      // E.g. 409, the image is in use by a container: the name goes at a later sweep.
    }
  }
  return removed;
}
