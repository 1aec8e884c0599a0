export type { DockerConnection, EngineVersion } from "./connection.js";
export { createDockerConnection } from "./connection.js";
export type {
  DockerCertificates,
  DockerConnectionOptions,
  DockerEndpoint,
  DockerSshOptions,
} from "./docker-options.js";
export {
  defaultDockerHost,
  dockerOptionsFromEnv,
  dockerOptionsFromSettings,
  formatDockerEndpoint,
  resolveDockerEndpoint,
} from "./docker-options.js";
export type { DockerHostHousekeepingOptions } from "./host-housekeeping.js";
export { createDockerHostHousekeeping } from "./host-housekeeping.js";
export type { HealthConfig } from "./image-config.js";
export { parseHealthcheck } from "./image-config.js";
export type { DockerImageTransferOptions } from "./image-transfer.js";
export { createDockerImageTransfer } from "./image-transfer.js";
export type { ImageConfigSummary, ImageInspection, ImportRootfsOptions } from "./images.js";
export { importRootfs, inspectImage, removeImage, tagImage } from "./images.js";
export type { KnownHostsFile } from "./known-hosts.js";
export { dockerPlugin } from "./plugin.js";
export { encodeRegistryAuth } from "./registry-auth.js";
export type { DockerStageBuilderOptions } from "./stage-builder.js";
export { createDockerStageBuilder } from "./stage-builder.js";
export type { DockerStagesStorageOptions } from "./stages-storage.js";
export { createDockerStagesStorage } from "./stages-storage.js";
export { engineKey, stateDirectoryFromEnv } from "./state-directory.js";
export type { FileSystemStats } from "./storage-usage.js";
export { measureLocalStorage, usageFromStatfs, usedPercent } from "./storage-usage.js";
export type { EngineTransferPolicy } from "./transfer-retry.js";
export { defaultEngineTransferPolicy } from "./transfer-retry.js";

import { dockerPlugin } from "./plugin.js";

/** The plugin entry: stages loads built-in adapters the same way as third-party ones. */
export default dockerPlugin;
