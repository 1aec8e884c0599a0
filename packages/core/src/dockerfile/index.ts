export * from "./copy-sources.js";
export { type EvaluateOptions, evaluateDockerfile, parseAndEvaluateDockerfile } from "./evaluate.js";
export { type DockerfileReading, parseDockerfile, readDockerfile } from "./parse.js";
export * from "./shell-lexer.js";
