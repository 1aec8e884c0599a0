export * from "./copy-sources.js";
