import type { Signature } from "../signature-type.js";
import type { ProcedureResult, StageAction } from "./events.js";
import { actionOf, type StagesPlan } from "./plans.js";

/**
 * The result document: every stage of the plan's images with the action taken for it — the
 * planned one, unless carrying it out found otherwise (another host built the stage meanwhile).
 */
export function procedureResult(
  plan: StagesPlan,
  taken: ReadonlyMap<Signature, StageAction> = new Map(),
): ProcedureResult {
  return {
    images: plan.images.map((image) => ({
      name: image.name,
      stages: image.stages.map((stage) => ({
        name: stage.name,
        signature: stage.signature,
        action: taken.get(stage.signature) ?? actionOf(plan, stage.signature),
        ...(stage.detail !== null ? { detail: stage.detail } : {}),
      })),
    })),
  };
}
