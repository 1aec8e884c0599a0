import type { CallOptions } from "../adapters/common.js";
import type { StagesStorage } from "../adapters/stages-storage.js";
import type { GitRevision, StagesConfig } from "../config/model.js";
import { redactUrl } from "../config/parse-git.js";
import type { Carried } from "../conveyor.js";
import { type FactsProvider, type ResolvedImage, type ResolvedProject, resolveProject } from "../resolve.js";
import type { Signature } from "../signature-type.js";
import type { StageName } from "../stage-name.js";
import type { StageAction } from "./events.js";
import { actionOf, type PublishPlanMethod, planBuild, planPull, planPush, publishMethodOf } from "./plans.js";

export interface PlanOptions extends CallOptions {
  config: StagesConfig;
  images?: readonly string[];
  local: StagesStorage;
  remote?: StagesStorage;
  /** The REPO of `remote` (werf v2 dependencies name stages there). */
  repository?: string | undefined;
  /** Git content, stageDependencies checksums and base digests (see `createFactsProvider`). */
  facts: FactsProvider;
  /** Plan pull as `pull --all` would do it. */
  pullAll?: boolean;
  /** Plan publish as `publish --with-stages` would do it. */
  withStages?: boolean;
  /** Whether the transfer can copy inside the registry (publish's `registry-copy`); default true. */
  canCopy?: boolean;
}

/** One row of the plan table. */
export interface PlannedStage {
  name: StageName;
  signature: Signature;
  /** Dockerfile stages: the build stage, instruction and line (`build: RUN make (Dockerfile:7)`). */
  detail?: string;
  local: boolean;
  /** null when no remote storage was given. */
  remote: boolean | null;
  /** Git content the stage carries (from the storage that has it, else what building it gives). */
  carried: Carried | null;
  /** What `build` (with the same remote) would do. */
  build: StageAction;
  /** What `pull` would do (null without a remote). */
  pull: StageAction | null;
  /** What `push` would do (null without a remote). */
  push: StageAction | null;
}

/** A remote git mapping (`url:`) of an image, and the commit the plan read it at. */
export interface PlannedGitMapping {
  id: string;
  /** The url, a password in it hidden. */
  url: string;
  /** null: the remote's default branch. */
  revision: GitRevision | null;
  /** The commit the revision resolved to (null when the source did not say). */
  commit: string | null;
}

export interface PlannedImage {
  name: string | null;
  artifact: boolean;
  /** werf's `final`: false for artifacts and images with `final: false`, which publish never names. */
  final: boolean;
  stages: PlannedStage[];
  /** The image's remote git mappings; absent when it has none. */
  git?: PlannedGitMapping[];
  /** How `publish` would give the image its names (null without a remote, and for images that are not final). */
  publish: PublishPlanMethod | null;
}

export interface Plan {
  images: PlannedImage[];
}

/**
 * The plan document of a resolved project: every stage's signature, where it is, and the action
 * build, pull, push and publish take for it — computed by the same functions those procedures
 * carry out. A project resolved without a remote gets only the build column.
 */
export function describePlan(
  project: ResolvedProject,
  options: Pick<PlanOptions, "pullAll" | "withStages" | "canCopy"> = {},
): Plan {
  const build = planBuild(project, project.hasRemote);
  const pull = project.hasRemote ? planPull(project, options.pullAll ?? false) : null;
  const push = project.hasRemote ? planPush(project) : null;
  return {
    images: project.selected.map((image) => ({
      name: image.name,
      artifact: image.config.artifact,
      final: image.config.final,
      ...remoteMappingsOf(image),
      stages: image.stages.map((stage) => ({
        name: stage.name,
        signature: stage.signature,
        ...(stage.detail !== null ? { detail: stage.detail } : {}),
        // Never null here: a plan asks the local storage about every stage (`always`).
        local: stage.presence.local === true,
        remote: stage.presence.remote,
        carried: stage.carriedAfter,
        build: actionOf(build, stage.signature),
        pull: pull ? actionOf(pull, stage.signature) : null,
        push: push ? actionOf(push, stage.signature) : null,
      })),
      publish:
        push && image.config.final
          ? publishMethodOf(image, {
              canCopy: options.canCopy ?? true,
              pushedFirst: options.withStages ? push : null,
            })
          : null,
    })),
  };
}

function remoteMappingsOf(image: ResolvedImage): { git?: PlannedGitMapping[] } {
  const git: PlannedGitMapping[] = [];
  for (const mapping of image.config.git) {
    if (mapping.remote === undefined) continue;
    const content = image.contents?.find((candidate) => candidate.mappingId === mapping.id);
    git.push({
      id: mapping.id,
      url: redactUrl(mapping.remote.url),
      revision: mapping.remote.revision,
      commit: content?.commit ?? null,
    });
  }
  return git.length > 0 ? { git } : {};
}

/** The plan procedure (DESIGN §7): what each procedure would do, stage by stage. Changes nothing. */
export async function plan(options: PlanOptions): Promise<Plan> {
  const project = await resolveProject({
    config: options.config,
    images: options.images,
    storages: { local: options.local, remote: options.remote, repository: options.repository },
    facts: options.facts,
    // Push and publish decide by whether REPO has the local stages too.
    remoteLookup: "always",
    signal: options.signal,
  });
  return describePlan(project, options);
}
