export * from "./git-source-suite.js";
export * from "./memory-adapters.js";
export * from "./memory-storage.js";
export * from "./stages-storage-suite.js";
