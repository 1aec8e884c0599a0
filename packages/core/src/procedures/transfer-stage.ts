import type { ImageTransfer } from "../adapters/image-transfer.js";
import { throwIfAborted } from "../errors.js";
import { remoteStageReference } from "../naming.js";
import type { ResolvedStage } from "../resolve.js";
import { type EventListener, stageSubject } from "./events.js";

/** Where stages move to or from, and who reports it. */
export interface StageTransferContext {
  project: string;
  repository: string;
  transfer: ImageTransfer;
  signal?: AbortSignal | undefined;
  emit: EventListener;
}

/** Pushes a local stage to `REPO:image-stage-<sig>`, or pulls it from there, with its events. */
export async function transferStage(
  direction: "push" | "pull",
  stage: ResolvedStage,
  context: StageTransferContext,
): Promise<void> {
  throwIfAborted(context.signal);
  const started = Date.now();
  const subject = stageSubject(stage);
  const reference = remoteStageReference(context.repository, stage.signature);
  context.emit({ type: "stage-started", work: direction, ...subject });
  await context.transfer[direction]({
    project: context.project,
    signature: stage.signature,
    reference,
    signal: context.signal,
    onProgress: (progress) => context.emit({ type: "transfer-progress", reference, progress, ...subject }),
  });
  context.emit({
    type: "stage-finished",
    action: direction === "push" ? "pushed" : "pulled",
    durationMs: Date.now() - started,
    ...subject,
  });
}
