export * from "./copy-sources.js";
export { type EvaluateOptions, evaluateDockerfile } from "./evaluate.js";
export { parseDockerfile } from "./parse.js";
export * from "./shell-lexer.js";
