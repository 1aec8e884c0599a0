import type { StageDescriptor } from "./adapters/stages-storage.js";
import { dockerImageName } from "./config/names.js";
import { type ContentId, isSignature, type Signature } from "./signature-type.js";
import { isStageName, type StageName } from "./stage-name.js";

/** The version written into `io.stages.version`; bump with the signature `v`. */
export const storageVersion = "1";

/** Label keys every stage image carries (DESIGN §6). */
export const stageLabels = {
  project: "io.stages.project",
  image: "io.stages.image",
  stage: "io.stages.stage",
  signature: "io.stages.signature",
  parent: "io.stages.parent",
  carried: "io.stages.carried",
  version: "io.stages.version",
} as const;

/**
 * The stage labels an imageSpec never removes (werf keeps its "essential" labels the same way): what
 * finds a stage again (project, stage, signature, version) and what cleanup follows (parent).
 * `clearWerfLabels` removes the others (`io.stages.image`, `io.stages.carried`).
 */
export const essentialStageLabels: readonly string[] = [
  stageLabels.project,
  stageLabels.stage,
  stageLabels.signature,
  stageLabels.parent,
  stageLabels.version,
];

/** Repository of local stage images of a project: `stages-storage/<project>`. */
export function localStagesRepository(project: string): string {
  return `stages-storage/${project}`;
}

/** Local image name of a stage: `stages-storage/<project>:<signature>`. */
export function localStageName(project: string, signature: Signature): string {
  return `${localStagesRepository(project)}:${signature}`;
}

/** Tag of a stage in remote storage: `image-stage-<signature>`. */
export function stageTag(signature: Signature): string {
  return `image-stage-${signature}`;
}

/** The signature in a stage tag, or null when the tag is not one. */
export function parseStageTag(tag: string): Signature | null {
  const match = /^image-stage-([0-9a-f]{64})$/.exec(tag);
  return match && isSignature(match[1]) ? match[1] : null;
}

/** Remote stage reference: `REPO:image-stage-<signature>`. */
export function remoteStageReference(repository: string, signature: Signature): string {
  return `${repository}:${stageTag(signature)}`;
}

/**
 * Final repository of an image: REPO for the nameless image, REPO/<image> otherwise, the image name
 * in lower case (werf accepts `image: MyApp`; a Docker repository path is lower case).
 */
export function finalRepository(repository: string, image: string | null): string {
  return image === null ? repository : `${repository}/${dockerImageName(image)}`;
}

/** Final reference of an image: `REPO:TAG` (nameless) or `REPO/<image>:TAG`. */
export function finalReference(repository: string, image: string | null, tag: string): string {
  return `${finalRepository(repository, image)}:${tag}`;
}

/** What the labels of a stage say. */
export interface StageLabelInput {
  project: string;
  image: string | null;
  stage: StageName;
  signature: Signature;
  parent: Signature | null;
  carried: Record<string, ContentId> | null;
}

/** The labels a stage image carries. Keys are sorted so that equal stages get equal configs. */
export function stageLabelsFor(input: StageLabelInput): Record<string, string> {
  const labels: Record<string, string> = {
    [stageLabels.project]: input.project,
    [stageLabels.image]: input.image ?? "",
    [stageLabels.stage]: input.stage,
    [stageLabels.signature]: input.signature,
    [stageLabels.version]: storageVersion,
  };
  if (input.parent !== null) labels[stageLabels.parent] = input.parent;
  if (input.carried !== null && Object.keys(input.carried).length > 0) {
    const sorted = Object.fromEntries(Object.entries(input.carried).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    labels[stageLabels.carried] = JSON.stringify(sorted);
  }
  return labels;
}

/** Extra facts a storage knows about a stored image besides its labels. */
export interface StoredImageFacts {
  id: string;
  labels: Record<string, string> | null | undefined;
  createdAt?: string | null;
  size?: number | null;
}

/**
 * Reads a stage descriptor from an image's labels; null when the image is not a stage of
 * this storage version (foreign images under the same name are ignored, not trusted).
 */
export function descriptorFromLabels(facts: StoredImageFacts): StageDescriptor | null {
  const labels = facts.labels ?? {};
  const signature = labels[stageLabels.signature];
  const stage = labels[stageLabels.stage];
  const project = labels[stageLabels.project];
  if (!isSignature(signature) || !isStageName(stage) || project === undefined) return null;
  if (labels[stageLabels.version] !== storageVersion) return null;
  const parent = labels[stageLabels.parent];
  return {
    signature,
    id: facts.id,
    project,
    image: labels[stageLabels.image] ? (labels[stageLabels.image] as string) : null,
    stage,
    parent: isSignature(parent) ? parent : null,
    carried: parseCarried(labels[stageLabels.carried]),
    labels: { ...labels },
    createdAt: facts.createdAt ?? null,
    size: facts.size ?? null,
  };
}

function parseCarried(text: string | undefined): Record<string, ContentId> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
    const carried: Record<string, ContentId> = {};
    for (const [key, id] of Object.entries(value)) {
      if (typeof id === "string" && /^[0-9a-f]{64}$/.test(id)) carried[key] = id as ContentId;
    }
    return carried;
  } catch {
    return null;
  }
}
