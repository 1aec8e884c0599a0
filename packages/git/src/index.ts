export type { ContentCache } from "./content-cache.js";
export { createContentCache } from "./content-cache.js";
export { contentIdOf, decodeFileList, dependenciesChecksumOf, encodeFileList } from "./content-list.js";
export type { GitSourceOptions } from "./git-source.js";
export { createGitSource, diffFileLists } from "./git-source.js";
export type { PathMatcher } from "./path-patterns.js";
export { compilePatterns, compileSelection, normalizePattern } from "./path-patterns.js";
