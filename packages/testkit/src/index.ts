export * from "./git-source-suite.js";
export * from "./image-transfer-suite.js";
export * from "./lock-suite.js";
export * from "./memory-adapters.js";
export * from "./memory-lock.js";
export * from "./memory-storage.js";
export * from "./stage-builder-suite.js";
export * from "./stages-storage-suite.js";
