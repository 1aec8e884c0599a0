import type {
  DependencyImportType,
  DockerInstructions,
  GitMapping,
  ImageSpecConfig,
  ImportSpec,
  MountSpec,
  SecretSpec,
} from "../config/model.js";
import type { DockerfileStep } from "../dockerfile/model.js";
import type { ContentId, Signature } from "../signature-type.js";
import type { StageName } from "../stage-name.js";
import type { CallOptions, TransferProgress } from "./common.js";
import type { DockerContextSpec, GitFile, MappingContent } from "./git-source.js";
import type { StageDescriptor } from "./stages-storage.js";

/** Bring one git mapping in the image up to `content`. */
export interface GitUpdate {
  mapping: GitMapping;
  content: MappingContent;
  /** The content the base already carries (a patch is applied), or null (the whole mapping is put). */
  from: ContentId | null;
}

/** One import into a stage: files copied out of another image's stage, or out of an external image. */
export interface ImportSource {
  spec: ImportSpec;
  /**
   * The local stage the files come from: the source image's last stage, or with `stage:` the last
   * stage of its conveyor up to that user stage. Null for an external image.
   */
  source: Signature | null;
  /** An external source (`from: nginx:1.25`): its normalized reference and the registry digest the signature holds. */
  external: { reference: string; digest: string } | null;
}

/**
 * One value of a dependency image (werf v2 `dependencies`) set as an env variable by an imports
 * stage. Core fills `value` before the builder sees it.
 */
export interface DependencyEnv {
  /** The env variable (`targetEnv`). */
  name: string;
  type: DependencyImportType;
  /** The dependency image. */
  image: string;
  /** Its last stage. */
  source: Signature;
  /**
   * ImageName, ImageRepo and ImageTag are known when the stage is planned; ImageID and ImageDigest
   * only once the dependency's stage is local (its engine image id) or in REPO (its manifest digest):
   * null until the build procedure resolves them.
   */
  value: string | null;
}

/** Files of a Dockerfile build context a stage uses. */
export interface DockerContextFiles {
  spec: DockerContextSpec;
  /** The context files the stage uses (a COPY's selection, or the whole context), sorted by path. */
  files: readonly GitFile[];
}

/** What a stage does on top of its base. */
export type StageInstructions =
  | {
      kind: "from";
      base:
        | { type: "image"; reference: string; digest: string | null }
        | { type: "stage"; signature: Signature }
        /** `FROM scratch`: an empty image. */
        | { type: "scratch" };
      /** The image's `platform:` (werf); the builder refuses to build when the engine's platform is not among them. */
      platforms?: readonly string[];
    }
  /** One step of a staged Dockerfile build stage (DESIGN §12). */
  | {
      kind: "dockerfile";
      step: DockerfileStep;
      /** The Dockerfile's escape character (for `completeStep`). */
      escape: "\\" | "`";
      /** COPY/ADD from the context: the files its sources select. Null otherwise. */
      context: DockerContextFiles | null;
      /** `COPY --from` a build stage or an image of the config: the local stage the files come from. */
      copyFrom: Signature | null;
      /** `addHost:` of the image (`host:ip`), for RUN. */
      addHost: readonly string[];
      /**
       * werf v2 dependencies whose ImageID or ImageDigest the step holds as a placeholder (build args
       * of a Dockerfile image): the build procedure fills `value` and puts it in the step. Absent: none.
       */
      dependencies?: readonly DependencyEnv[];
      /**
       * The image's `secrets:` a RUN's `--mount=type=secret` names (values come from `BuildSecretReader`);
       * a mount whose id is not here is left out, as BuildKit leaves out a missing optional secret. Absent: none.
       */
      secrets?: readonly SecretSpec[];
    }
  /** A whole Dockerfile built by the engine's own builder (`staged: false`). */
  | {
      kind: "dockerfileBuild";
      /** The Dockerfile text. */
      dockerfile: string;
      /** Its path relative to the context. */
      path: string;
      target: string | null;
      args: Readonly<Record<string, string>>;
      addHost: readonly string[];
      network: string | null;
      context: DockerContextFiles;
      /** The image's `platform:` (werf); the builder refuses to build when the engine's platform is not among them. */
      platforms?: readonly string[];
      /** As for `dockerfile`: dependency values `args` holds as placeholders until the build fills them. */
      dependencies?: readonly DependencyEnv[];
    }
  | {
      kind: "shell";
      commands: readonly string[];
      gitUpdates: readonly GitUpdate[];
      /** The image's `mount:`: directories mounted while the commands run, never committed. Absent: none. */
      mounts?: readonly MountSpec[];
      /** The image's `secrets:`: files /run/secrets/<id> while the commands run; values come from `BuildSecretReader`. */
      secrets?: readonly SecretSpec[];
      /** The image's `network:` for the build container; absent or null: the builder's own. */
      network?: string | null;
    }
  /** Files imported from other images, and the values of dependency images set as env variables. */
  | { kind: "imports"; imports: readonly ImportSource[]; dependencies: readonly DependencyEnv[] }
  | { kind: "git"; gitUpdates: readonly GitUpdate[] }
  | { kind: "docker"; instructions: DockerInstructions }
  /**
   * werf v2's imageSpec: a new image config over the base's layers (no container runs); the stage's
   * essential labels (`essentialStageLabels`) stay whatever removeLabels/clearWerfLabels say.
   */
  | { kind: "imageSpec"; spec: ImageSpecConfig };

/**
 * Reads the value of a build secret (`secrets:`) on the host: an environment variable, a file, or the
 * config's own value. The host gives it to builders, so that neither core nor a builder reads the
 * environment; the host also blanks every value it hands out from its output.
 */
export interface BuildSecretReader {
  read(secret: SecretSpec, options?: CallOptions): Promise<Uint8Array>;
}

/** Something a builder reports while it works. */
export type BuilderEvent =
  | { type: "output"; stream: "stdout" | "stderr"; text: string }
  | { type: "progress"; progress: TransferProgress };

/** Everything needed to build one stage. */
export interface StageBuildRequest extends CallOptions {
  project: string;
  image: string | null;
  stage: StageName;
  signature: Signature;
  /** The previous non-empty stage (null only for a `from` stage). */
  base: Signature | null;
  instructions: StageInstructions;
  /** Labels the committed stage image carries (DESIGN §6), computed by core. */
  labels: Record<string, string>;
  onEvent?: (event: BuilderEvent) => void;
}

/**
 * The version of the StageBuilder contract. Each adapter contract has its own, so one can change without the
 * others; an adapter declares the version it implements and the host refuses one that differs.
 */
export const stageBuilderSpecificationVersion = "v1" as const;
export type StageBuilderSpecificationVersion = typeof stageBuilderSpecificationVersion;

/** Builds stages into local stages storage. */
export interface StageBuilder {
  readonly specificationVersion: StageBuilderSpecificationVersion;
  /**
   * Builds the stage and stores it under its signature. The stage is tagged only after it was
   * committed: a failed or aborted build leaves no stage and no container behind.
   */
  build(request: StageBuildRequest): Promise<StageDescriptor>;
  /** Resolves the registry digest of a base image (for `fromLatest`). */
  resolveBaseDigest?(reference: string, options?: CallOptions): Promise<string>;
}
