import { descriptorFromLabels, localStageName, type StageDescriptor } from "@stages/core";

/** An image as the engine lists it (`GET /images/json`). */
export interface ImageSummary {
  Id: string;
  RepoTags?: string[] | null;
  Labels?: Record<string, string> | null;
  Created?: number;
  Size?: number;
}

/**
 * The stage a listed image is, or null when it is not a stage of this project. Only an image under
 * the stage name counts: final names and transfer aliases carry the same labels.
 */
export function stageOfSummary(image: ImageSummary, project: string): StageDescriptor | null {
  const descriptor = descriptorFromLabels({
    id: image.Id,
    labels: image.Labels,
    createdAt: typeof image.Created === "number" ? new Date(image.Created * 1000).toISOString() : null,
    size: typeof image.Size === "number" ? image.Size : null,
  });
  if (descriptor?.project !== project) return null;
  if (!(image.RepoTags ?? []).includes(localStageName(project, descriptor.signature))) return null;
  return descriptor;
}
