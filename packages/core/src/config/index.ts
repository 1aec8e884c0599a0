export type {
  BaseSpec,
  CleanupConfig,
  CleanupLimit,
  CleanupPolicy,
  CleanupReferenceMatcher,
  ConfigProblem,
  ConfigResult,
  DependencyImport,
  DependencyImportType,
  DependencySpec,
  DockerfileImageConfig,
  DockerInstructions,
  GitMapping,
  ImageConfig,
  ImageSpecConfig,
  ImageSpecHealthcheck,
  ImageSpecMatcher,
  ImportPoint,
  ImportSpec,
  MountSpec,
  ProblemSeverity,
  ProjectMeta,
  SecretSource,
  SecretSpec,
  ShellStages,
  SourcePosition,
  StagesConfig,
  UserStageName,
} from "./model.js";
export { dependencyImportTypes, userStageNames } from "./model.js";
export { loadConfigOrThrow, type ParseConfigOptions, parseConfig } from "./parse-config.js";
export { emptyDockerInstructions } from "./parse-docker.js";
export { formatProblem } from "./problems.js";
