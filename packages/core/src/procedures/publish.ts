import type { CallOptions } from "../adapters/common.js";
import type { GitSource } from "../adapters/git-source.js";
import type { ImageTransfer } from "../adapters/image-transfer.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import type { StagesConfig } from "../config/model.js";
import { StageMissingError, throwIfAborted, UsageError } from "../errors.js";
import { finalReference, remoteStageReference } from "../naming.js";
import { type ResolvedImage, type ResolvedStage, resolveImages } from "../resolve.js";
import { assertValidTag } from "../tag.js";
import { selectedImages } from "./build.js";
import {
  type EventListener,
  emitter,
  type ImageResult,
  type ProcedureResult,
  type PublishMethod,
  type TagResult,
} from "./events.js";
import { pushStages } from "./push.js";

export interface PublishOptions extends CallOptions {
  config: StagesConfig;
  /** Images to publish; empty = every image (artifacts are never published). */
  images?: readonly string[];
  /** Valid Docker tags (the CLI slugifies what users give). */
  tags: readonly string[];
  /** Also tag each image with the signature of its last stage. */
  tagBySignature?: boolean;
  local: StagesStorage;
  remote: StagesStorage;
  repository: string;
  transfer: ImageTransfer;
  git?: GitSource;
  /** Run the stages push procedure first. */
  withStages?: boolean;
  onEvent?: EventListener;
}

/** How each final name of an image would be made: copy inside the registry, or push from here. */
export interface PublishStep {
  image: ResolvedImage;
  last: ResolvedStage;
  reference: string;
  method: PublishMethod;
}

/** Plans publishing: registry-side copy when the last stage is in REPO, push when only local. */
export function planPublish(
  images: readonly ResolvedImage[],
  repository: string,
  tags: readonly string[],
  canCopy: boolean,
  tagBySignature = false,
): PublishStep[] {
  const steps: PublishStep[] = [];
  for (const image of images) {
    const last = image.stages.at(-1);
    if (!last) continue;
    const imageTags = tagBySignature ? [...tags, last.signature] : tags;
    for (const tag of imageTags) {
      const reference = finalReference(repository, image.name, tag);
      if (last.presence.remote && canCopy) steps.push({ image, last, reference, method: "registry-copy" });
      else if (last.presence.local) steps.push({ image, last, reference, method: "push" });
      else {
        throw new StageMissingError(
          `image "${image.name ?? "~"}": its last stage ${last.name} (${last.signature.slice(0, 12)}) is neither local nor in ${repository}`,
          { hint: "run `stages build` first (or publish with --with-stages from the host that built it)" },
        );
      }
    }
  }
  return steps;
}

/**
 * The image push procedure (DESIGN §7): give each image's last stage its final names. A stage
 * already in REPO is copied registry-side (no layer through this host); otherwise it is pushed.
 */
export async function publish(options: PublishOptions): Promise<ProcedureResult> {
  if (options.tags.length === 0 && !options.tagBySignature)
    throw new UsageError("publish needs at least one tag", {
      hint: "add --tag-custom, --tag-git-branch, --tag-git-tag, --tag-git-commit or --tag-by-signature",
    });
  for (const tag of options.tags) assertValidTag(tag);
  const emit = emitter(options.onEvent);
  const pushed = options.withStages ? await pushStages({ ...options, parallel: 2 }) : null;
  const resolved = await resolveImages({
    config: options.config,
    images: options.images ?? [],
    storages: { local: options.local, remote: options.remote },
    git: options.git,
    signal: options.signal,
    lookupRemoteAlways: true,
  });
  const selected = selectedImages(resolved, options.images ?? []).filter((image) => {
    if (!image.config.artifact) return true;
    if ((options.images ?? []).includes(image.name ?? "")) {
      throw new UsageError(`"${image.name}" is an artifact: artifacts are only imported from, never published`, {
        hint: "name an image instead, or turn the artifact into an image",
      });
    }
    return false;
  });
  const steps = planPublish(
    selected,
    options.repository,
    options.tags,
    options.transfer.copy !== undefined,
    options.tagBySignature,
  );
  const tags = new Map<ResolvedImage, TagResult[]>();
  for (const step of steps) {
    throwIfAborted(options.signal);
    const started = Date.now();
    emit({ type: "publish-started", image: step.image.name, reference: step.reference, method: step.method });
    const { digest } =
      step.method === "registry-copy"
        ? await options.transfer.copy!({
            from: remoteStageReference(options.repository, step.last.signature),
            to: step.reference,
            signal: options.signal,
          })
        : await options.transfer.push({
            project: options.config.meta.project,
            signature: step.last.signature,
            reference: step.reference,
            signal: options.signal,
            onProgress: (progress) =>
              emit({
                type: "transfer-progress",
                reference: step.reference,
                progress,
                image: step.image.name,
                stage: step.last.name,
                signature: step.last.signature,
              }),
          });
    emit({
      type: "publish-finished",
      image: step.image.name,
      reference: step.reference,
      method: step.method,
      digest,
      durationMs: Date.now() - started,
    });
    const list = tags.get(step.image) ?? [];
    list.push({ reference: step.reference, method: step.method, digest });
    tags.set(step.image, list);
  }
  const images: ImageResult[] = selected.map((image) => {
    const stages = pushed?.images.find((candidate) => candidate.name === image.name)?.stages ?? [];
    return { name: image.name, stages, tags: tags.get(image) ?? [] };
  });
  return { images };
}
