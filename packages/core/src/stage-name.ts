/** The stages of a conveyor, in order (DESIGN §4). */
export const stageNames = [
  "from",
  "beforeInstall",
  "importsBeforeInstall",
  "gitArchive",
  "install",
  "importsAfterInstall",
  "beforeSetup",
  "importsBeforeSetup",
  "setup",
  "importsAfterSetup",
  "gitLatestPatch",
  "dockerInstructions",
  /** werf v2's `imageSpec`: edits of the image config (and history) without a new layer; always last. */
  "imageSpec",
] as const;

/**
 * The stages of a Dockerfile image (DESIGN §12): `dockerfile` is a whole file built at once
 * (`staged: false`); the others are one Dockerfile instruction each, named by its keyword.
 */
export const dockerfileStageNames = [
  "dockerfile",
  "FROM",
  "RUN",
  "COPY",
  "ADD",
  "ENV",
  "LABEL",
  "WORKDIR",
  "USER",
  "EXPOSE",
  "VOLUME",
  "CMD",
  "ENTRYPOINT",
  "HEALTHCHECK",
  "STOPSIGNAL",
  "ONBUILD",
  "SHELL",
  "MAINTAINER",
] as const;

/** The name of one stapel conveyor stage. */
export type ConveyorStageName = (typeof stageNames)[number];
/** The name of one Dockerfile image stage. */
export type DockerfileStageName = (typeof dockerfileStageNames)[number];
/** The name of one stage: a conveyor stage or a Dockerfile one. */
export type StageName = ConveyorStageName | DockerfileStageName;

/** True when `value` names a stage. */
export function isStageName(value: unknown): value is StageName {
  return (
    typeof value === "string" &&
    ((stageNames as readonly string[]).includes(value) || (dockerfileStageNames as readonly string[]).includes(value))
  );
}
