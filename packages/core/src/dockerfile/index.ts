export * from "./copy-sources.js";
export { parseDockerfile } from "./parse.js";
