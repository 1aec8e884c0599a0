import type { ResolvedImage } from "../resolve.js";
import type { Signature } from "../signature-type.js";
import type { ProcedureResult, StageAction } from "./events.js";

/** The result document: every stage of the images with the action the procedure took for it. */
export function procedureResult(
  images: readonly ResolvedImage[],
  actions: ReadonlyMap<Signature | string, StageAction>,
  otherwise: StageAction,
): ProcedureResult {
  return {
    images: images.map((image) => ({
      name: image.name,
      stages: image.stages.map((stage) => ({
        name: stage.name,
        signature: stage.signature,
        action: actions.get(stage.signature) ?? otherwise,
      })),
    })),
  };
}
