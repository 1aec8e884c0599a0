import type { LockHandle } from "../adapters/lock.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import { createLimiter } from "../concurrency.js";
import { remoteStageReference } from "../naming.js";
import type { ResolvedStage } from "../resolve.js";
import type { Signature } from "../signature-type.js";
import { stageSubject } from "./events.js";
import { type StageTransferContext, transferStage } from "./transfer-stage.js";

/** How many stages a build pushes at once while it goes on building. */
export const buildPushParallel = 2;

/**
 * Pushes the stages a build hands it, in the background, while the build goes on (DESIGN §14). A
 * push starts as soon as a slot is free; `finish` waits for every push, so nothing outlives the
 * build, and gives the first failure: a failed push fails the build, but only after the others ended
 * (the engine puts the manifest after its blobs, so a tag is always a whole image).
 */
export interface StagePusher {
  /**
   * Queues the push of a local stage (once per signature). `built`: this build made it, so another
   * host pushing it meanwhile is reported (`adopted`). `handle`: the stage's lock, released once the
   * push is over — another host waiting for the lock then finds the stage in REPO.
   */
  push(stage: ResolvedStage, options: { built: boolean; handle?: LockHandle | undefined }): void;
  /** Waits until the push of one stage, if it was queued, is over (however it ended). */
  settled(signature: Signature): Promise<void>;
  /** Waits for every queued push; the first failure, or null. */
  finish(): Promise<{ error: unknown } | null>;
  /** Stages this build pushed. */
  readonly pushed: ReadonlySet<Signature>;
  /** Stages built here that another host pushed first (their tag was left alone). */
  readonly adopted: ReadonlySet<Signature>;
}

export function createStagePusher(
  context: StageTransferContext & { remote: StagesStorage; force: boolean },
): StagePusher {
  const limiter = createLimiter(buildPushParallel);
  const running: Promise<void>[] = [];
  const queued = new Map<Signature, Promise<void>>();
  const pushed = new Set<Signature>();
  const adopted = new Set<Signature>();
  let failure: { error: unknown } | null = null;

  const pushOne = async (stage: ResolvedStage, built: boolean): Promise<void> => {
    const release = await limiter.acquire(context.signal);
    try {
      // Double-checked write: another host may have pushed this signature since it was looked up.
      // Its tag is a whole image with the same inputs, so it is kept rather than overwritten.
      if (!context.force && (await context.remote.has(stage.signature, { signal: context.signal }))) {
        if (built) {
          adopted.add(stage.signature);
          context.emit({
            type: "stage-note",
            note: "adopted",
            text: `another host pushed ${remoteStageReference(context.repository, stage.signature)} while this one built it: its tag is kept (force overwrites it), the build goes on from the local stage`,
            ...stageSubject(stage),
          });
        }
        return;
      }
      await transferStage("push", stage, context);
      pushed.add(stage.signature);
    } finally {
      release();
    }
  };

  return {
    pushed,
    adopted,
    push(stage, { built, handle }) {
      if (queued.has(stage.signature)) {
        void handle?.release().catch((error: unknown) => {
          failure ??= { error };
        });
        return;
      }
      const done = (async () => {
        try {
          await pushOne(stage, built);
        } catch (error) {
          failure ??= { error };
        }
        try {
          await handle?.release();
        } catch (error) {
          failure ??= { error };
        }
      })();
      queued.set(stage.signature, done);
      running.push(done);
    },
    async settled(signature) {
      await queued.get(signature);
    },
    async finish() {
      // Pushes queued while waiting are waited for too.
      let waited = 0;
      while (waited < running.length) {
        const count = running.length;
        await Promise.all(running);
        waited = count;
      }
      return failure;
    },
  };
}
