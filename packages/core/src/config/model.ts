import type { EvaluatedDockerfile, ParsedDockerfile } from "../dockerfile/model.js";

/**
 * The validated model of a stages.yaml (or werf.yaml in stapel syntax).
 * Everything here is plain data: config text → this model → conveyor → signatures.
 */

/** Where a value came from in a config file (1-based line and column). */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** The names of the user stages that take shell commands. */
export type UserStageName = "beforeInstall" | "install" | "beforeSetup" | "setup";
export const userStageNames: readonly UserStageName[] = ["beforeInstall", "install", "beforeSetup", "setup"];

/** The points of the conveyor where imports are added. */
export type ImportPoint = "beforeInstall" | "afterInstall" | "beforeSetup" | "afterSetup";

export interface ProjectMeta {
  project: string;
  configVersion: number;
  /** npm package names (or paths) of plugins to load. */
  plugins: string[];
  /** `cleanup:` as written (DESIGN §15); absent: werf's default policies (`cleanupPolicies(meta)`). */
  cleanup?: CleanupConfig;
  /** werf's `build:` (absent when not written); its values are already applied to the images as their defaults. */
  build?: MetaBuild;
  /** `adapters:` (stages only, absent when not written): the adapter of each kind, by registered name. */
  adapters?: Partial<Record<AdapterKind, AdapterChoice>>;
  /** `settings:` (stages only, absent when not written): plugin settings as written; plugins declare their types. */
  settings?: Record<string, ConfigSetting>;
}

/** The kinds of adapters a project chooses by name (`adapters:` in the meta, `--adapter kind=name`). */
export type AdapterKind = "localStorage" | "builder" | "remoteStorage" | "transfer" | "lock";
export const adapterKinds: readonly AdapterKind[] = ["localStorage", "builder", "remoteStorage", "transfer", "lock"];

/** A choice of `adapters:`: the names (several only for `transfer`) and where they were written. */
export interface AdapterChoice {
  names: string[];
  position: SourcePosition;
}

/** A value of `settings:` as written (YAML scalars), and where. */
export interface ConfigSetting {
  value: string | number | boolean | (string | number | boolean)[];
  position: SourcePosition;
}

/** werf's `build:` of the meta: defaults of every image, which an image's own directive overrides (as werf does). */
export interface MetaBuild {
  /** `build.platform`: images without `platform:` get it. */
  platform: string[];
  /** `build.cacheVersion`: images without `cacheVersion:` get it. */
  cacheVersion: string | null;
  /** `build.imageSpec` (absent when not written): merged into every final image's imageSpec, as werf's mergeImageSpec. */
  imageSpec?: ImageSpecConfig;
}

/** A limit on references or on the images per reference (werf's `limit` and `imagesPerReference`). */
export interface CleanupLimit {
  /** `last: N`; null when not given (werf's -1: no limit by count). */
  last: number | null;
  /** `in: 168h` in milliseconds; null when not given. */
  inMs: number | null;
  /** How `last` and `in` combine when both are given (werf's default: And). */
  operator: "And" | "Or";
}

/**
 * `branch:`/`tag:` of a policy: a name (matched exactly), or a Go regular expression written `/.../`
 * (`source` without the slashes, RE2 syntax as written; it must match the whole name). The parser
 * checks that stages can read it (`compileGoRegexp`).
 */
export type CleanupReferenceMatcher = { kind: "name"; name: string } | { kind: "regexp"; source: string };

/** One of `cleanup.keepPolicies`. */
export interface CleanupPolicy {
  references: {
    kind: "branch" | "tag";
    match: CleanupReferenceMatcher;
    /** `references.limit`; null: every matching reference. */
    limit: CleanupLimit | null;
  };
  /** `imagesPerReference` (per image of the config); werf's default when absent: `last: 1`. */
  imagesPerReference: CleanupLimit;
  /** Where the policy is written (null for the defaults). */
  position: SourcePosition | null;
}

/** `cleanup:` of the meta document. */
export interface CleanupConfig {
  /** werf's `disable: true`: cleanup deletes no stage (werf then removes only its own metadata). */
  disabled: boolean;
  /** The policies as written; werf's defaults when `keepPolicies` is absent or empty (as werf does). */
  keepPolicies: CleanupPolicy[];
  /** Hours; stages created within them are kept. werf's default: 2. */
  keepImagesBuiltWithinLastNHours: number;
  /** `disableGitHistoryBasedPolicy`: no git history policy keeps anything (werf never had `disableKeepPolicies`). */
  disableGitHistoryBasedPolicy: boolean;
  /** `disableBuiltWithinLastNHoursPolicy`. */
  disableBuiltWithinLastNHoursPolicy: boolean;
}

export interface GitMapping {
  /** Stable id of the mapping inside its image: `git-<index>` in declaration order. */
  id: string;
  /** Path in the work tree, relative to the repository root, normalized to start with "/". */
  add: string;
  /** Absolute path in the image. */
  to: string;
  includePaths: string[];
  excludePaths: string[];
  owner: string | null;
  group: string | null;
  /** Globs (relative to `add`) per user stage whose change rebuilds that stage. */
  stageDependencies: Record<UserStageName, string[]>;
  /** werf's remote mapping (`url:`): the files come from that repository, not the work tree. Absent for the work tree. */
  remote?: RemoteRepositorySpec;
  position: SourcePosition;
}

/** Which revision of a remote repository a mapping reads (werf's `branch`, `tag`, `commit`). */
export interface GitRevision {
  kind: "branch" | "tag" | "commit";
  /** A branch or tag name as written (no `refs/heads/`), or a commit id (hex, lowercased). */
  name: string;
}

/** werf's `basicAuth` of a remote mapping: the password comes from an env variable, a file or a literal. */
export interface GitBasicAuth {
  username: string;
  password: SecretSource;
}

/** The remote repository of a git mapping (werf's `url`, `branch`/`tag`/`commit`, `basicAuth`). */
export interface RemoteRepositorySpec {
  /** As written: https://, http://, ssh://, git://, file:// or scp-like `git@host:path`. */
  url: string;
  /** null: the remote's default branch (its HEAD), as werf reads it. */
  revision: GitRevision | null;
  basicAuth: GitBasicAuth | null;
}

export interface ShellStages {
  beforeInstall: string[];
  install: string[];
  beforeSetup: string[];
  setup: string[];
  cacheVersion: string | null;
  beforeInstallCacheVersion: string | null;
  installCacheVersion: string | null;
  beforeSetupCacheVersion: string | null;
  setupCacheVersion: string | null;
}

export interface ImportSpec {
  /** Name of the source image or artifact; for an external source, its reference as written. */
  from: string;
  /** Whether the source was named with `artifact:` (true) or `image:`/`from:` (false). */
  fromArtifact: boolean;
  /**
   * werf v2: a source named with a tag or digest (`from: nginx:1.25`, `from: nginx@sha256:...`) is an
   * external image, not an image of the config. Its registry digest enters the signature.
   */
  external: boolean;
  /** werf's `stage:`: copy from the source as it is after this user stage, not from its last stage. */
  stage: UserStageName | null;
  add: string;
  to: string;
  includePaths: string[];
  excludePaths: string[];
  owner: string | null;
  group: string | null;
  /** The conveyor point, from `before:` or `after:` (`install` or `setup`); like werf, one of them is required. */
  point: ImportPoint;
  position: SourcePosition;
}

export interface DockerInstructions {
  ENV: Record<string, string>;
  LABEL: Record<string, string>;
  EXPOSE: string[];
  VOLUME: string[];
  WORKDIR: string | null;
  USER: string | null;
  /**
   * Exec form. A string in the config becomes `["/bin/sh", "-c", string]` (Docker's shell form).
   * `[]` when only ENTRYPOINT is set, because Docker resets an inherited CMD when ENTRYPOINT changes.
   */
  CMD: string[] | null;
  /** Exec form, as CMD. */
  ENTRYPOINT: string[] | null;
  /** Kept as written (`--interval=5s CMD ...`, `NONE`), like werf's string form. */
  HEALTHCHECK: string | null;
  /**
   * werf's `exactValues: true`. stages always sets values as written (quotes and spaces kept, which is
   * what werf's flag asks of Docker), so it changes only the signature, as in werf. Absent: false.
   */
  exactValues?: boolean;
}

/** A name matcher of `imageSpec.config.remove*`: a name, or a Go regular expression written `/.../`. */
export type ImageSpecMatcher = { kind: "name"; name: string } | { kind: "regexp"; source: string };

/** werf's `healthcheck:` of `imageSpec.config`; durations in seconds, 0 = unset. */
export interface ImageSpecHealthcheck {
  test: string[];
  interval: number;
  timeout: number;
  startPeriod: number;
  retries: number;
}

/**
 * werf v2's `imageSpec` of an image: edits of the final image config, without a new layer. Applied
 * by the last stage `imageSpec` (after dockerInstructions); every field is part of its signature.
 */
export interface ImageSpecConfig {
  author: string | null;
  clearHistory: boolean;
  /**
   * `clearWerfLabels`: remove stages' own `io.stages.*` labels from the image, except those a stage
   * needs to be found again (project, stage, signature, version): see `essentialStageLabels`.
   */
  clearWerfLabels: boolean;
  /** `keepEssentialWerfLabels`: accepted as in werf; the essential labels are always kept (werf only warns then). */
  keepEssentialWerfLabels: boolean;
  clearCmd: boolean;
  clearEntrypoint: boolean;
  clearUser: boolean;
  clearWorkingDir: boolean;
  removeLabels: ImageSpecMatcher[];
  removeVolumes: string[];
  removeEnv: ImageSpecMatcher[];
  volumes: string[];
  labels: Record<string, string>;
  env: Record<string, string>;
  expose: string[];
  user: string | null;
  cmd: string[] | null;
  entrypoint: string[] | null;
  workingDir: string | null;
  stopSignal: string | null;
  healthcheck: ImageSpecHealthcheck | null;
  position: SourcePosition;
}

/**
 * `mount:` of a stapel image (werf's meaning): a directory mounted into the containers of the user
 * stages (beforeInstall..setup) while their commands run, never committed into the image.
 */
export interface MountSpec {
  /**
   * `tmp_dir`: an empty directory for each build container, removed with it; `build_dir`: the
   * project's directory for that mount point, kept between builds on the engine (package caches);
   * `path`: `fromPath`, a directory of the engine's host.
   */
  from: "tmp_dir" | "build_dir" | "path";
  /** `fromPath` as written, POSIX and normalized (relative to the project directory, or absolute); null otherwise. */
  fromPath: string | null;
  /** Absolute normalized path in the container. */
  to: string;
  position: SourcePosition;
}

/** Where the value of a build secret comes from: the host's environment, a host file, or the config itself. */
export type SecretSource =
  | { kind: "env"; name: string }
  | { kind: "src"; path: string }
  | { kind: "value"; value: string };

/**
 * `secrets:` of a stapel image (werf's meaning): a file `/run/secrets/<id>` the user stages' commands
 * can read, never in the image, the logs or a signature (only its id is).
 */
export interface SecretSpec {
  /** The file name under /run/secrets; werf's defaults: the env name, the base name of src. */
  id: string;
  source: SecretSource;
  position: SourcePosition;
}

/** werf's `dependencies[].imports[].type`: what is passed of the dependency image. */
export type DependencyImportType = "ImageName" | "ImageTag" | "ImageRepo" | "ImageID" | "ImageDigest";
export const dependencyImportTypes: readonly DependencyImportType[] = [
  "ImageName",
  "ImageTag",
  "ImageRepo",
  "ImageID",
  "ImageDigest",
];

/** One value of a dependency image passed to the image: as an env variable (stapel) or a build arg (Dockerfile). */
export interface DependencyImport {
  type: DependencyImportType;
  /** Stapel images: the env variable that gets the value. */
  targetEnv: string | null;
  /** Dockerfile images: the build arg that gets the value. */
  targetBuildArg: string | null;
  position: SourcePosition;
}

/** werf v2's `dependencies:` item: an image built first whose name, tag, digest... this image gets. */
export interface DependencySpec {
  /** The dependency image (an image or artifact of the config). */
  image: string;
  /** Stapel images: where the values become env variables (`before:`/`after:` install|setup); null for Dockerfile images. */
  point: ImportPoint | null;
  imports: DependencyImport[];
  position: SourcePosition;
}

/** What an image starts from: exactly one of these. */
export type BaseSpec =
  | { kind: "image"; reference: string }
  | { kind: "stagesImage"; name: string }
  | { kind: "artifact"; name: string }
  /** A Dockerfile image: its FROM lines say (see `ImageConfig.dockerfile`). */
  | { kind: "dockerfile" };

/** A Dockerfile image (DESIGN §12, werf's keys). */
export interface DockerfileImageConfig {
  /** The Dockerfile's path inside the context, POSIX, normalized (`Dockerfile`, `docker/app.Dockerfile`). */
  path: string;
  /** The context folder relative to the project directory, POSIX, normalized; "" for the directory itself. */
  context: string;
  /** The build stage to build (`AS` name, lower case), or null for the last one. */
  target: string | null;
  /** Build args: override ARG defaults. */
  args: Record<string, string>;
  /** `host:ip` entries added to /etc/hosts of RUN containers. */
  addHost: string[];
  /** Network of RUN containers, or null for the CLI's `--network`. */
  network: string | null;
  /** Untracked files (relative to the context) that still enter it. */
  contextAddFiles: string[];
  /** One stage per instruction (true, the default) or one stage for the whole file (false). */
  staged: boolean;
  /** The Dockerfile as parsed when the project was loaded (`loadDockerfiles`); null until then. */
  parsed: ParsedDockerfile | null;
  /** The build stages the target needs, evaluated with `args` (`loadDockerfiles`); null until then. */
  evaluated: EvaluatedDockerfile | null;
  /** Where `dockerfile:` is in the config. */
  position: SourcePosition;
}

export interface ImageConfig {
  /** Image name; null for the nameless image (`image: ~`). */
  name: string | null;
  /** true for `artifact:` documents (werf's older spelling of an image with `final: false`). */
  artifact: boolean;
  /**
   * werf v2's `final`: false for an image only other images use (built, never published); always
   * false for artifacts.
   */
  final: boolean;
  /** Image-level `cacheVersion` (werf: part of the `from` stage's digest, so of every stage after it). */
  cacheVersion: string | null;
  /** `disableGitAfterPatch: true`: no gitLatestPatch stage; the git content stays as gitArchive (and stageDependencies) put it. */
  disableGitAfterPatch: boolean;
  /** `network:` of the build containers of shell stages (as `docker run --network`); null: the CLI's `--network`. Not in signatures (as in werf). */
  network: string | null;
  /** `platform:` as written (`linux/amd64`); empty: the engine's. Stages builds only for the engine's platform. */
  platform: string[];
  /** `imageSpec:` (werf v2), applied as the last stage `imageSpec`; null when absent. */
  imageSpec: ImageSpecConfig | null;
  base: BaseSpec;
  fromLatest: boolean;
  fromCacheVersion: string | null;
  git: GitMapping[];
  shell: ShellStages;
  imports: ImportSpec[];
  /** werf v2's `dependencies:` (images built first whose name, digest... this image gets). */
  dependencies: DependencySpec[];
  docker: DockerInstructions;
  /** Build-time mounts of the user stages (`mount:`), in declaration order. */
  mounts: MountSpec[];
  /** Build secrets of the user stages (`secrets:`), in declaration order. */
  secrets: SecretSpec[];
  /** The Dockerfile of a Dockerfile image (then `base` is `{kind: "dockerfile"}` and the stapel keys are empty); null for stapel images. */
  dockerfile: DockerfileImageConfig | null;
  position: SourcePosition;
}

export interface StagesConfig {
  meta: ProjectMeta;
  /** Images and artifacts in declaration order (`image: [a, b]` expanded to two). */
  images: ImageConfig[];
}

export type ProblemSeverity = "error" | "warning";

export interface ConfigProblem {
  severity: ProblemSeverity;
  file: string;
  line: number;
  column: number;
  message: string;
  /** One line telling the user how to fix it, or null. */
  hint: string | null;
  /**
   * For a problem in a rendered werf.yaml template (file/line/column are in the rendered text): the
   * template position that produced it, which `formatted` names first.
   */
  origin?: SourcePosition;
  /** `file:line:column: message (hint)` ready to print. */
  formatted: string;
}

export interface ConfigResult {
  /** The model, or null when there is at least one error. */
  config: StagesConfig | null;
  warnings: ConfigProblem[];
  errors: ConfigProblem[];
}
