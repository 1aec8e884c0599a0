// "@stages/core/internal": helpers the other packages of this repository share with core, which are
// not part of the public API (no compatibility promise; see README.md). Third-party code uses
// "@stages/core".

export { canonicalJson, type JsonValue } from "./canonical-json.js";
export { createLimiter, forEachLimited, type Limiter, mapOrdered, sleep } from "./concurrency.js";
export { compileGoRegexp } from "./config/go-regexp.js";
export { emptyImageSpec } from "./config/parse-image-spec.js";
export { didYouMean, suggestClosest } from "./config/suggest.js";
export {
  carriedAfterBuild,
  carriesCurrent,
  currentContent,
  gitUpdatesFrom,
  normalizeBaseReference,
} from "./conveyor.js";
export {
  type CopyMatch,
  type CopySelection,
  type CopyTreeEntry,
  goPathMatch,
  hasCopyWildcard,
  matchCopySource,
  normalizeCopySource,
  selectCopySources,
  selectCopySourcesReading,
} from "./dockerfile/copy-sources.js";
export { completeStep, escapeTemplate, expandWord, expandWords } from "./dockerfile/shell-lexer.js";
export { errorMarker, hasErrorMarker, markError } from "./errors.js";
export {
  findImage,
  imageDependencies,
  imageDisplayName,
  imageKey,
  imageLevels,
  imageOrder,
} from "./image-graph.js";
export {
  compilePathPatterns,
  compilePathSelection,
  compileStageDependencies,
  normalizePathPattern,
  type PathMatcher,
  pathPatternProblem,
  pathPatternsPrefixes,
} from "./path-rules.js";
export { emitter } from "./procedures/events.js";
export {
  actionOf,
  planBuild,
  planPublish,
  planPull,
  planPush,
  publishedImages,
  publishMethodOf,
} from "./procedures/plans.js";
export { resolveImage } from "./resolve.js";
export { sha256Hex } from "./signature.js";
