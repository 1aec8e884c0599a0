import type { ProcedureResult } from "@stages/core";
import { Command, Option } from "clipanion";
import {
  insecureRegistryOption,
  networkOption,
  ProjectCommand,
  type Session,
  summarizeProcedure,
} from "../base-command.js";
import { conventions, rest } from "../option-conventions.js";
import { lockOption, parallelOption } from "./build.js";

const publishDetails = `
  Each image's last stage gets its final names: \`REPO:TAG\` for the nameless image, \`REPO/<image>:TAG\` otherwise. When that stage is already in REPO (as \`REPO:image-stage-<signature>\`), the manifest is copied inside the registry and its blobs mounted: no layer passes through this host. Otherwise it is tagged, pushed and the temporary alias removed.

  A tag that is not a valid Docker tag is slugified (lowercase, invalid runs to \`-\`, long ones cut with a hash suffix), and stages says so.
`;

/** Options and behaviour shared by publish and build-and-publish. */
export abstract class PublishingCommand extends ProjectCommand {
  arguments = rest(Option.Rest({ name: "REPO", required: 1 }), "[IMAGE...] <REPO>");
  tagCustom = conventions(
    Option.Array("--tag-custom", [], {
      description: "Publish under this tag (repeatable; the variable: comma-separated)",
    }),
    { value: "tag", kind: "list" },
  );
  tagGitBranch = conventions(
    Option.String("--tag-git-branch", false, {
      tolerateBoolean: true,
      description: "Tag with the git branch (given, or the current one)",
    }),
    { value: "branch", kind: "optional-value" },
  );
  tagGitTag = conventions(
    Option.String("--tag-git-tag", false, {
      tolerateBoolean: true,
      description: "Tag with the git tag (given, or the one on HEAD)",
    }),
    { value: "tag", kind: "optional-value" },
  );
  tagGitCommit = conventions(
    Option.String("--tag-git-commit", false, {
      tolerateBoolean: true,
      description: "Tag with the git commit (given, or HEAD's)",
    }),
    { value: "commit", kind: "optional-value" },
  );
  tagBySignature = conventions(
    Option.Boolean("--tag-by-signature", false, {
      description: "Tag each image with the signature of its last stage",
    }),
    { kind: "boolean" },
  );
  withStages = conventions(
    Option.Boolean("--with-stages", false, {
      description: "Push the stages cache first (then every final name is a registry-side copy)",
    }),
    { kind: "boolean" },
  );
  override insecureRegistries = insecureRegistryOption();

  override summarize(result: object): string {
    return summarizeProcedure(result as ProcedureResult);
  }
}

/** `stages publish`: the image push procedure. */
export class PublishCommand extends PublishingCommand {
  static override paths = [["publish"]];
  static override usage = Command.Usage({
    description: "Publish the images under their final names",
    details: publishDetails,
    examples: [
      ["Publish every image as v1", "stages publish registry.example.com/taxi --tag-custom v1"],
      [
        "Publish backend under the branch and commit",
        "stages publish backend registry.example.com/taxi --tag-git-branch --tag-git-commit",
      ],
      [
        "Push the stages cache, then publish by registry-side copies",
        "stages publish registry.example.com/taxi --tag-custom v1 --with-stages",
      ],
    ],
  });

  override async run(session: Session): Promise<ProcedureResult> {
    const { runPublish } = await import("../run/publish.js");
    return runPublish(session, this, this.arguments.slice(0, -1), this.arguments.at(-1)!);
  }
}

/** `stages build-and-publish`: build (reusing REPO's stages), then publish. */
export class BuildAndPublishCommand extends PublishingCommand {
  static override paths = [["build-and-publish"]];
  static override usage = Command.Usage({
    description: "Build the images, reusing REPO's stages cache, then publish them",
    details: `
      The same as \`stages build --repo REPO --push\` followed by \`stages publish REPO\` with the same images and tag options: each stage REPO lacks is pushed as soon as it is built, so every final name is then a registry-side copy. \`--lock\` (or \`STAGES_LOCK\`) is the build's Redis lock (see \`stages build --help\`).
      ${publishDetails}
    `,
    examples: [
      [
        "Build and publish every image as v1",
        "stages build-and-publish registry.example.com/taxi --tag-custom v1 --with-stages",
      ],
    ],
  });

  parallel = parallelOption();
  lock = lockOption();
  override network = networkOption();

  override async run(session: Session): Promise<ProcedureResult> {
    const { runBuildAndPublish } = await import("../run/publish.js");
    return runBuildAndPublish(session, this);
  }
}
