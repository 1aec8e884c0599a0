export { type BuildOptions, build, selectedImages } from "./build.js";
export * from "./events.js";
export { type Plan, type PlannedImage, type PlannedStage, type PlanOptions, plan, planBuild } from "./plan.js";
export { type PublishOptions, type PublishStep, planPublish, publish } from "./publish.js";
export { type PullOptions, planPull, pullStages } from "./pull.js";
export { type PushOptions, pushStages } from "./push.js";
