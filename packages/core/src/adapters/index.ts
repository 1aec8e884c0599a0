export * from "./common.js";
export type * from "./git-source.js";
export type * from "./image-transfer.js";
export type * from "./lock.js";
export type * from "./stage-builder.js";
export type * from "./stages-storage.js";
