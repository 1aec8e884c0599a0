import type { CallOptions } from "../adapters/common.js";
import type { ImageTransfer } from "../adapters/image-transfer.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import type { HousekeepingOptions } from "../cleanup/housekeeping-options.js";
import type { StagesConfig } from "../config/model.js";
import { throwIfAborted, UsageError } from "../errors.js";
import { remoteStageReference } from "../naming.js";
import { type FactsProvider, type ResolvedImage, type ResolvedProject, resolveProject } from "../resolve.js";
import { assertValidTag } from "../tag.js";
import { type EventListener, emitter, type ImageResult, type ProcedureResult, type TagResult } from "./events.js";
import { planPublish, planPush, publishedImages } from "./plans.js";
import { carryOutPush, recordImages } from "./push.js";
import { procedureResult } from "./result.js";

export interface PublishOptions extends CallOptions, HousekeepingOptions {
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
  /** Git content, stageDependencies checksums and base digests (see `createFactsProvider`). */
  facts: FactsProvider;
  /** Run the stages push procedure first. */
  withStages?: boolean;
  /**
   * The project as a build of the same images that pushed to REPO just left it (`onBuilt`): publish
   * then resolves nothing again (build-and-publish).
   */
  resolved?: ResolvedProject;
  onEvent?: EventListener;
}

/**
 * The image push procedure (DESIGN §7): give each image's last stage its final names. A stage
 * already in REPO is copied registry-side (no layer through this host); otherwise it is pushed.
 * With `withStages` the stages push runs first, from the same resolution and plan.
 */
export async function publish(options: PublishOptions): Promise<ProcedureResult> {
  if (options.tags.length === 0 && !options.tagBySignature)
    throw new UsageError("publish needs at least one tag", {
      hint: "add --tag-custom, --tag-git-branch, --tag-git-tag, --tag-git-commit or --tag-by-signature",
    });
  for (const tag of options.tags) assertValidTag(tag);
  const names = options.images ?? [];
  for (const image of options.config.images) {
    if (image.artifact && image.name !== null && names.includes(image.name))
      throw new UsageError(`"${image.name}" is an artifact: artifacts are only imported from, never published`, {
        hint: "name an image instead, or turn the artifact into an image",
      });
    if (!image.final && !image.artifact && image.name !== null && names.includes(image.name))
      throw new UsageError(`"${image.name}" has final: false: it is only used by other images, never published`, {
        hint: "name a final image instead, or remove final: false from it",
      });
  }
  const project =
    options.resolved ??
    (await resolveProject({
      config: options.config,
      images: names,
      storages: { local: options.local, remote: options.remote, repository: options.repository },
      facts: options.facts,
      remoteLookup: "always",
      signal: options.signal,
    }));
  const pushPlan = options.withStages ? planPush(project) : null;
  const steps = planPublish(project, {
    repository: options.repository,
    tags: options.tags,
    tagBySignature: options.tagBySignature,
    canCopy: options.transfer.copy !== undefined,
    pushedFirst: pushPlan,
  });
  if (pushPlan) await carryOutPush(pushPlan, { ...options, parallel: 2 });

  const emit = emitter(options.onEvent);
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
  const pushed = pushPlan ? procedureResult(pushPlan) : null;
  const images: ImageResult[] = publishedImages(project).map((image) => {
    const stages = pushed?.images.find((candidate) => candidate.name === image.name)?.stages ?? [];
    return { name: image.name, stages, tags: tags.get(image) ?? [] };
  });
  const recorded = await recordImages(project, options);
  return recorded ? { images, recorded } : { images };
}
