import type { DockerfileBuildStage } from "./model.js";

/** The names of the config images a build stage uses: its base and its COPY --from sources. */
export function configImagesOf(stage: DockerfileBuildStage): string[] {
  const used: string[] = [];
  if (stage.base.type === "configImage") used.push(stage.base.name);
  for (const step of stage.steps) {
    if (step.op === "copy" && step.from.type === "configImage") used.push(step.from.name);
  }
  return used;
}
