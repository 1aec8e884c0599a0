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
] as const;

/** The name of one conveyor stage. */
export type StageName = (typeof stageNames)[number];

/** True when `value` names a conveyor stage. */
export function isStageName(value: unknown): value is StageName {
  return typeof value === "string" && (stageNames as readonly string[]).includes(value);
}
