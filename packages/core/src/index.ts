export * from "./adapters/index.js";
export * from "./errors.js";
export * from "./naming.js";
export * from "./signature-type.js";
export * from "./stage-name.js";
export type * from "./config/model.js";
export { userStageNames } from "./config/model.js";
