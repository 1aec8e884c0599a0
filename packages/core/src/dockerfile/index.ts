export * from "./copy-sources.js";
export { parseDockerfile } from "./parse.js";
export * from "./shell-lexer.js";
