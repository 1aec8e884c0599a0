import type { TransferProgress } from "../adapters/common.js";
import type { Signature } from "../signature-type.js";
import type { StageName } from "../stage-name.js";

/** What happened to a stage: build `cached|pulled|built`, push `pushed|skipped|missing`, pull `pulled|local|skipped`. */
export type StageAction = "cached" | "pulled" | "built" | "pushed" | "skipped" | "missing" | "local";

/**
 * Something a build met while sharing stages with other hosts (`build` with a remote):
 * - `adopted`: built here, but another host pushed the same signature meanwhile; its tag is kept (not
 *   overwritten without `force`) and the build goes on from the local stage (same signature = same inputs);
 * - `vanished`: REPO no longer had a stage the build meant to pull (cleanup deleted it): built here instead.
 */
export type StageNote = "adopted" | "vanished";

/** How a final name was given to an image: copied inside the registry, or pushed from this host. */
export type PublishMethod = "registry-copy" | "push";

/** Identifies the stage an event is about. */
export interface StageEventSubject {
  image: string | null;
  stage: StageName;
  signature: Signature;
  /** What the stage is in the user's words, for Dockerfile stages (`build: RUN make (Dockerfile:7)`). */
  detail?: string;
}

/** Typed events procedures emit instead of printing; the CLI renders them. */
export type StagesEvent =
  | ({ type: "stage-started"; work: "build" | "pull" | "push" } & StageEventSubject)
  | ({ type: "stage-finished"; action: StageAction; durationMs: number } & StageEventSubject)
  | ({ type: "stage-output"; stream: "stdout" | "stderr"; text: string } & StageEventSubject)
  | ({ type: "transfer-progress"; reference: string; progress: TransferProgress } & StageEventSubject)
  | ({ type: "stage-note"; note: StageNote; text: string } & StageEventSubject)
  /** Something the user should know that is about no single stage (a lease REPO refused, a deleted stage). */
  | { type: "note"; level: "info" | "warning"; text: string }
  | { type: "publish-started"; image: string | null; reference: string; method: PublishMethod }
  | {
      type: "publish-finished";
      image: string | null;
      reference: string;
      method: PublishMethod;
      digest: string;
      durationMs: number;
    };

/** The subject of a resolved stage's events. */
export function stageSubject(stage: {
  image: string | null;
  name: StageName;
  signature: Signature;
  detail: string | null;
}): StageEventSubject {
  const subject: StageEventSubject = { image: stage.image, stage: stage.name, signature: stage.signature };
  if (stage.detail !== null) subject.detail = stage.detail;
  return subject;
}

/** Receives events; a throwing listener does not break a procedure. */
export type EventListener = (event: StagesEvent) => void;

/** One stage in a procedure's result. */
export interface StageResult {
  name: StageName;
  signature: Signature;
  action: StageAction;
  /** Dockerfile stages: the build stage, instruction and line (`build: RUN make (Dockerfile:7)`). */
  detail?: string;
  /**
   * Builds with `push` only: whether this build pushed the stage to `REPO:image-stage-<signature>`
   * (false: REPO had it already, another host pushed it first, or it is not on this host).
   */
  pushed?: boolean;
  /** Builds with `push` only, when true: built here while another host pushed it first (see `StageNote`). */
  adopted?: boolean;
}

/** One final name in a publish result. */
export interface TagResult {
  reference: string;
  method: PublishMethod;
  digest: string;
}

/** One image in a procedure's result. */
export interface ImageResult {
  name: string | null;
  stages: StageResult[];
  tags?: TagResult[];
}

/** The result document of build, push, pull and publish (the CLI's `--json`). */
export interface ProcedureResult {
  images: ImageResult[];
  /**
   * Push, publish and build --push: the commit recorded in REPO as having these images (DESIGN §15);
   * absent when nothing was recorded (no git repository, or a remote without records).
   */
  recorded?: { commit: string; dirty: boolean; images: (string | null)[] };
}

/** Calls the listener, shielding the procedure from its failures. */
export function emitter(listener: EventListener | undefined): EventListener {
  return (event) => {
    if (!listener) return;
    try {
      listener(event);
    } catch {
      // A rendering problem must not fail a build.
    }
  };
}
