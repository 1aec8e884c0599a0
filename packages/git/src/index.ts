export type { ContentCache } from "./content-cache.js";
export { createContentCache } from "./content-cache.js";
export { contentIdOf, decodeFileList, dependenciesChecksumOf, encodeFileList } from "./content-list.js";
export type { GitHistoryOptions } from "./git-history.js";
export { createGitHistory } from "./git-history.js";
export type { GitSourceOptions } from "./git-source.js";
export { createGitSource, diffFileLists } from "./git-source.js";
export { gitPlugin } from "./plugin.js";
export { purgeRemoteMirrors, remoteCacheDirectory } from "./remote-purge.js";
export { routeRemoteMappings } from "./remote-routing.js";
export type { RemoteGitSourceOptions } from "./remote-source.js";
export { createRemoteGitSource } from "./remote-source.js";

import { gitPlugin } from "./plugin.js";

/** The plugin entry: stages loads built-in adapters the same way as third-party ones. */
export default gitPlugin;
