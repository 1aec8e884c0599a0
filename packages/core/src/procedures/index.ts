export { type BuildOptions, build } from "./build.js";
export * from "./events.js";
export { describePlan, type Plan, type PlannedImage, type PlannedStage, type PlanOptions, plan } from "./plan.js";
export {
  actionOf,
  type PlannedStep,
  type PublishPlanMethod,
  type PublishPlanOptions,
  type PublishStep,
  planBuild,
  planPublish,
  planPull,
  planPush,
  publishedImages,
  publishMethodOf,
  type StagesPlan,
} from "./plans.js";
export { type PublishOptions, publish } from "./publish.js";
export { type PullOptions, pullStages } from "./pull.js";
export { type PushOptions, pushStages } from "./push.js";
