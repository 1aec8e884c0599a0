// The public API of @stages/core: what configs, hosts, plugins and adapters written outside this
// repository use. It is listed in README.md; anything not named here is not part of it. Helpers only
// this repository's own packages need are exported by "@stages/core/internal" instead.

// Adapter contracts, each with its own specification version.
export type {
  CallOptions,
  RegistryCredentials,
  RegistryCredentialsProvider,
  TransferProgress,
} from "./adapters/common.js";
export type { GitCommitInfo, GitHead, GitHistory, GitReference } from "./adapters/git-history.js";
export {
  type DockerContextSpec,
  type GitDiff,
  type GitFile,
  type GitSource,
  type GitSourceSpecificationVersion,
  gitSourceSpecificationVersion,
  type MappingContent,
} from "./adapters/git-source.js";
export type {
  CommitRecord,
  ForeignTag,
  HostHousekeeping,
  LocalStageUse,
  RegistryHousekeeping,
  StageDeletion,
  StageLease,
  StorageUsage,
} from "./adapters/housekeeping.js";
export {
  type CopyRequest,
  type ImageTransfer,
  type ImageTransferSpecificationVersion,
  imageTransferSpecificationVersion,
  type StageTransferRequest,
} from "./adapters/image-transfer.js";
export {
  type Lock,
  type LockAcquireOptions,
  type LockHandle,
  type LockSpecificationVersion,
  lockSpecificationVersion,
} from "./adapters/lock.js";
export {
  type BuilderEvent,
  type BuildSecretReader,
  type DependencyEnv,
  type DockerContextFiles,
  type GitUpdate,
  type ImportSource,
  type StageBuilder,
  type StageBuilderSpecificationVersion,
  type StageBuildRequest,
  type StageInstructions,
  stageBuilderSpecificationVersion,
} from "./adapters/stage-builder.js";
export {
  type StageDescriptor,
  type StagesStorage,
  type StagesStorageSpecificationVersion,
  stagesStorageSpecificationVersion,
} from "./adapters/stages-storage.js";
export { type CleanupOptions, type CleanupResult, type CleanupStage, cleanup } from "./cleanup/cleanup.js";
export type { HousekeepingOptions } from "./cleanup/housekeeping-options.js";
// Cleanup policies (werf's `cleanup:`): the defaults and the pure evaluation over git history.
export {
  type BuildTimeRule,
  buildTimeRule,
  cleanupPolicies,
  defaultCleanupConfig,
  defaultKeepPolicies,
  imageVersionsOf,
  isBuiltWithin,
  type KeptImage,
  type SelectKeptImagesInput,
  selectKeptImages,
} from "./cleanup/policies.js";
export { type PurgeOptions, type PurgeResult, purge } from "./cleanup/purge.js";
export { imageClosure } from "./cleanup/records.js";
// Config parsing.
export {
  type AdapterChoice,
  type AdapterKind,
  adapterKinds,
  type BaseSpec,
  type CleanupConfig,
  type CleanupLimit,
  type CleanupPolicy,
  type CleanupReferenceMatcher,
  type ConfigProblem,
  type ConfigResult,
  type ConfigSetting,
  createProblem,
  type DependencyImport,
  type DependencyImportType,
  type DependencySpec,
  type DockerfileImageConfig,
  type DockerInstructions,
  emptyDockerInstructions,
  formatProblem,
  type GitBasicAuth,
  type GitMapping,
  type GitRevision,
  type ImageConfig,
  type ImageSpecConfig,
  type ImageSpecHealthcheck,
  type ImageSpecMatcher,
  type ImportPoint,
  type ImportSpec,
  loadConfigOrThrow,
  type MountSpec,
  type ParseConfigOptions,
  type ProblemSeverity,
  type ProjectMeta,
  parseConfig,
  type RemoteRepositorySpec,
  type SecretSource,
  type SecretSpec,
  type ShellStages,
  type SourcePosition,
  type StagesConfig,
  type UserStageName,
  userStageNames,
} from "./config/index.js";
// The conveyor: which stages an image has and what each carries.
export { type Carried, type ConveyorFacts, planConveyor, type StageGitEffect, type StageTemplate } from "./conveyor.js";
export {
  contextSelectionId,
  type DockerfileFacts,
  dockerContextSpec,
  planDockerfileBuildStage,
  planDockerfileWhole,
} from "./conveyor-dockerfile.js";
// Dockerfile images: the model, and loading (parse + evaluate) with the project's files.
export { dockerfilePathOf, loadDockerfiles, type ProjectFileReader } from "./dockerfile/load.js";
export type * from "./dockerfile/model.js";
// Errors.
export {
  AbortedError,
  AuthenticationError,
  ConfigError,
  type ConfigProblemLike,
  DigestMismatchError,
  EngineError,
  GitError,
  InvalidReferenceError,
  InvalidSignatureError,
  InvalidTagError,
  PluginError,
  RegistryError,
  StageBuildError,
  StageMissingError,
  StagesError,
  type StagesErrorCode,
  type StagesErrorOptions,
  StorageError,
  throwIfAborted,
  UnknownImageError,
  UsageError,
} from "./errors.js";
// Naming: stage tags, labels and repositories.
export {
  descriptorFromLabels,
  essentialStageLabels,
  finalReference,
  finalRepository,
  localStageName,
  localStagesRepository,
  parseStageTag,
  remoteStageReference,
  type StageLabelInput,
  type StoredImageFacts,
  stageLabels,
  stageLabelsFor,
  stageTag,
  storageVersion,
} from "./naming.js";
// Plugins.
export {
  assertAdapterVersion,
  assertPlugin,
  type BuilderFactory,
  composeImageTransfer,
  createPluginRegistry,
  definePlugin,
  type GitSourceFactory,
  type ImageTransferPart,
  type LocalStorageFactory,
  type LockFactory,
  type PluginCommandApi,
  type PluginCommands,
  type PluginContext,
  type PluginHooks,
  type PluginRegistry,
  type PluginSettingDefinition,
  type PluginSettingType,
  type PluginSettingValue,
  type PluginSpecificationVersion,
  pluginCommandsOf,
  pluginSpecificationVersion,
  type RemoteStorageFactory,
  type StagesPlugin,
  settingValueHasType,
  type TransferFactory,
} from "./plugin.js";
export { type PluginSettingSources, resolvePluginSettings, settingEnvironmentName } from "./plugin-settings.js";
// Procedures, their plans and events.
export { type BuildOptions, build } from "./procedures/build.js";
export type {
  EventListener,
  ImageResult,
  ProcedureResult,
  PublishMethod,
  StageAction,
  StageEventSubject,
  StageNote,
  StageResult,
  StagesEvent,
  TagResult,
} from "./procedures/events.js";
// Host cleanup and host purge: the local stage images of a project on one engine.
export {
  cleanupHost,
  defaultAllowedVolumeUsage,
  defaultKeepBuiltWithinHours,
  defaultVolumeUsageMargin,
  type HostCleanupEvent,
  type HostCleanupOptions,
  type HostCleanupResult,
  type HostPurgeOptions,
  type HostSelection,
  type HostSelectionInput,
  type HostStageDecision,
  type HostStageReason,
  type HostStageReport,
  type HostUsageReport,
  purgeHost,
  selectHostRemovals,
  usagePercent,
} from "./procedures/host-cleanup.js";
export {
  describePlan,
  type Plan,
  type PlannedGitMapping,
  type PlannedImage,
  type PlannedStage,
  type PlanOptions,
  plan,
} from "./procedures/plan.js";
export type {
  PlannedStep,
  PublishPlanMethod,
  PublishPlanOptions,
  PublishStep,
  StagesPlan,
} from "./procedures/plans.js";
export { type PublishOptions, publish } from "./procedures/publish.js";
export { type PullOptions, pullStages } from "./procedures/pull.js";
export { type PushOptions, pushStages } from "./procedures/push.js";
// Redaction of secrets in text that leaves the process (for plugin authors too).
export {
  createSecretRedactor,
  redactCredentialPatterns,
  redactedText,
  type SecretRedactor,
} from "./redact.js";
// References.
export {
  type Digest,
  defaultDomain,
  defaultTag,
  familiarReference,
  formatReference,
  type ImageReference,
  isDigest,
  parseDigest,
  parseReference,
  parseRepository,
  referenceEquals,
  repositoryOf,
  repositoryPathMaxLength,
  withDefaultTag,
} from "./reference.js";
// Resolving a project once: facts, signatures and presence of every stage.
export {
  createFactsProvider,
  type FactSources,
  type FactsProvider,
  type RemoteLookup,
  type ResolvedImage,
  type ResolvedProject,
  type ResolvedStage,
  type ResolveImageOptions,
  type ResolveProjectOptions,
  type ResolveStorages,
  resolveDockerfileImage,
  resolveProject,
  type StagePresence,
} from "./resolve.js";
// Signatures.
export {
  computeSignature,
  type SignatureInput,
  signatureDocument,
  signatureVersion,
} from "./signature.js";
export {
  type ContentId,
  isSignature,
  parseContentId,
  parseSignature,
  type Signature,
} from "./signature-type.js";
export {
  type ConveyorStageName,
  type DockerfileStageName,
  dockerfileStageNames,
  isStageName,
  type StageName,
  stageNames,
} from "./stage-name.js";
// Tags.
export { assertValidTag, isValidTag, type SlugifiedTag, slugifyTag, tagMaxLength } from "./tag.js";
export { TemplateError } from "./template/errors.js";
export type { TemplatePosition, TemplateSource } from "./template/model.js";
// werf.yaml rendering: Go templates with Sprig's and werf's functions, before parsing (DESIGN §13).
export {
  type ConfigFileReader,
  type HeadCommit,
  isTemplate,
  locateRenderedProblems,
  prepareWerfConfigFunctions,
  renderWerfConfig,
  type WerfConfigInput,
  type WerfConfigReads,
  type WerfConfigRender,
  werfTemplatesDirectory,
} from "./template/render-config.js";
