import { type ProcedureResult, publish, type ResolvedProject } from "@stages/core";
import type { Session } from "../base-command.js";
import type { BuildAndPublishCommand, PublishingCommand } from "../commands/publish.js";
import { resolveTags } from "../tags.js";
import { runBuild } from "./build.js";
import { housekeepingOptions, repositoryProcedureOptions } from "./procedure-options.js";

/** `stages publish [IMAGE...] REPO`: the images under the tags the command's options name. */
export async function runPublish(
  session: Session,
  command: PublishingCommand,
  images: readonly string[],
  repo: string,
  resolved?: ResolvedProject,
): Promise<ProcedureResult> {
  const { tags, notes } = resolveTags(
    {
      custom: command.tagCustom,
      gitBranch: command.tagGitBranch,
      gitTag: command.tagGitTag,
      gitCommit: command.tagGitCommit,
    },
    session.project.directory,
  );
  for (const note of notes) session.renderer.info(note);
  return publish({
    ...(await repositoryProcedureOptions(session, repo)),
    ...(await housekeepingOptions(session)),
    images,
    tags,
    tagBySignature: command.tagBySignature,
    withStages: command.withStages,
    ...(resolved ? { resolved } : {}),
  });
}

/** `stages build-and-publish [IMAGE...] REPO`: build with --push, then publish. */
export async function runBuildAndPublish(session: Session, command: BuildAndPublishCommand): Promise<ProcedureResult> {
  const images = command.arguments.slice(0, -1);
  const repo = command.arguments.at(-1)!;
  // The build's resolution, with what it pushed, is the one publish works from: one resolution.
  let resolved: ResolvedProject | undefined;
  const built = await runBuild(session, {
    images,
    repo,
    parallel: command.parallel,
    push: true,
    lock: command.lock,
    onBuilt: (project) => {
      resolved = project;
    },
  });
  const published = await runPublish(session, command, images, repo, resolved);
  // One document: the build's stage actions, the published names.
  return {
    images: built.images.map((image) => ({
      ...image,
      tags: published.images.find((candidate) => candidate.name === image.name)?.tags ?? [],
    })),
    ...(published.recorded ? { recorded: published.recorded } : {}),
  };
}
