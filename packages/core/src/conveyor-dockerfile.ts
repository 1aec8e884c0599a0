import type { DockerContextSpec, GitFile, MappingContent } from "./adapters/git-source.js";
import type { StageInstructions } from "./adapters/stage-builder.js";
import { canonicalJson, type JsonValue } from "./canonical-json.js";
import type { DockerfileImageConfig, ImageConfig, SourcePosition } from "./config/model.js";
import { createProblem } from "./config/problems.js";
import type { StageTemplate } from "./conveyor.js";
import { imageSpecDeps, normalizeBaseReference } from "./conveyor.js";
import { selectCopySources, selectCopySourcesReading } from "./dockerfile/copy-sources.js";
import { lateDependencies } from "./dockerfile/dependency-args.js";
import type { DockerfileBuildStage, DockerfileLocation, DockerfileStep } from "./dockerfile/model.js";
import { ConfigError, InvalidReferenceError } from "./errors.js";
import { sha256Hex } from "./signature.js";
import type { Signature } from "./signature-type.js";
import type { DockerfileStageName } from "./stage-name.js";

/*
 * The stages of a Dockerfile image (DESIGN §12). Staged (the default), every instruction of the
 * build stages the target needs is one stage; its signature is the formula of §5 over the
 * instruction's own inputs, chained by the previous stage of its build stage:
 *
 * - FROM: the normalized base reference (`{base}`), `scratch`, or the signature of the last stage of
 *   the build stage (`{fromStage}`) or config image (`{fromImage}`) it names; the first stage of a
 *   build stage has no previous one.
 * - RUN: the command (exec or shell form), the SHELL in effect, heredocs, the ARGs the build stage
 *   declared with their values (never an ARG it did not declare), the network and addHost. USER,
 *   WORKDIR and ENV reach it through the chain: they are stages before it.
 * - COPY/ADD: sources, destination, flags, and where the files come from: from the context, the id of
 *   the selected context files (path, git mode, git blob id — never uid, gid, mtime or umask); from a
 *   build stage or config image, its last stage's signature; from a registry image, its reference.
 * - metadata instructions: the change they make.
 *
 * Locations (line numbers) are not inputs: a comment added above an instruction changes nothing.
 * Unstaged (`staged: false`), the image is one `dockerfile` stage over the file's text, its path,
 * target, args, network, addHost and the id of the whole context.
 */

/** Facts a Dockerfile image's stages need from outside the config. */
export interface DockerfileFacts {
  /** The build context after .dockerignore; null when the image never reads it. */
  context: MappingContent | null;
  /** Last-stage signature of each config image (key: image name). */
  imageSignatures: ReadonlyMap<string, Signature>;
  /**
   * The target of a symlink of the context (its content as git stores it). A COPY source that is or
   * goes through a symlink copies what it points to, as BuildKit: the target's files are inputs too.
   */
  readLink?: ((path: string) => Promise<string>) | undefined;
}

/** The context spec of a Dockerfile image (what the git source lists). */
export function dockerContextSpec(dockerfile: DockerfileImageConfig): DockerContextSpec {
  return { directory: dockerfile.context, dockerfile: dockerfile.path, addFiles: dockerfile.contextAddFiles };
}

/** Whether an image reads its build context (a COPY/ADD from it, or the whole file built at once). */
export function readsDockerContext(dockerfile: DockerfileImageConfig): boolean {
  if (!dockerfile.staged) return true;
  return (dockerfile.evaluated?.stages ?? []).some((stage) =>
    stage.steps.some((step) => step.op === "copy" && step.from.type === "context"),
  );
}

/** The id of a set of context files: sha256 over the canonical JSON of their (path, mode, blob id). */
export function contextSelectionId(files: readonly GitFile[]): string {
  return sha256Hex(canonicalJson(files.map((file) => [file.path, file.mode, file.blobId])));
}

function evaluatedOf(image: ImageConfig): { spec: DockerfileImageConfig; stages: DockerfileBuildStage[] } {
  const spec = image.dockerfile;
  if (spec === null || spec.evaluated === null) {
    throw new Error(`image "${image.name}" has no evaluated Dockerfile: load the project with loadDockerfiles first`);
  }
  return { spec, stages: spec.evaluated.stages };
}

function located(location: DockerfileLocation | SourcePosition, message: string, hint: string): ConfigError {
  return new ConfigError([createProblem("error", location, message, hint)]);
}

function imageSignature(facts: DockerfileFacts, name: string, image: ImageConfig): Signature {
  const signature = facts.imageSignatures.get(name);
  if (!signature) throw new Error(`the last stage of "${name}" must be resolved before "${image.name}"`);
  return signature;
}

/** The `staged: false` stage: the whole Dockerfile built by the engine's builder. */
export function planDockerfileWhole(image: ImageConfig, facts: DockerfileFacts): StageTemplate {
  const { spec } = evaluatedOf(image);
  const text = spec.parsed?.text;
  if (text === undefined) throw new Error(`image "${image.name}" has no parsed Dockerfile`);
  if (facts.context === null) throw new Error(`the build context of "${image.name}" was not resolved`);
  const context = { spec: dockerContextSpec(spec), files: facts.context.files };
  const build = {
    dockerfile: text,
    path: spec.path,
    target: spec.target,
    args: spec.args,
    addHost: spec.addHost,
    network: spec.network,
  };
  const platforms = image.platform.length > 0 ? { platforms: image.platform } : {};
  const dependencies = lateDependencies(image, facts.imageSignatures, build.args);
  const late = dependencies.length > 0 ? { dependencies } : {};
  const instructions: StageInstructions = { kind: "dockerfileBuild", ...build, context, ...platforms, ...late };
  const deps: { [key: string]: JsonValue } = { ...build, context: facts.context.contentId };
  if (image.platform.length > 0) deps.platform = [...image.platform].sort();
  return { name: "dockerfile", deps, git: "none", instructions: () => instructions };
}

/**
 * werf v2's `imageSpec` of a Dockerfile image: as for a stapel image, one last stage over the
 * image's last stage (the target's), which edits its config; null when the image has none.
 */
export function planDockerfileImageSpec(image: ImageConfig): StageTemplate | null {
  const spec = image.imageSpec;
  if (spec === null) return null;
  return {
    name: "imageSpec",
    deps: imageSpecDeps(spec),
    git: "none",
    instructions: () => ({ kind: "imageSpec", spec }),
  };
}

/**
 * The stages of one build stage of a staged Dockerfile image, in order, the FROM first.
 * `stageSignatures` has the last-stage signature of every build stage resolved before this one (by
 * index in the file): the ones it starts from or copies from come first in `evaluated.stages`.
 */
export async function planDockerfileBuildStage(
  image: ImageConfig,
  stage: DockerfileBuildStage,
  facts: DockerfileFacts,
  stageSignatures: ReadonlyMap<number, Signature>,
): Promise<StageTemplate[]> {
  const { spec, stages } = evaluatedOf(image);
  const escapeCharacter = spec.evaluated?.escape ?? "\\";
  const stageSignature = (index: number): Signature => {
    const signature = stageSignatures.get(index);
    if (!signature) {
      const named = stages.find((candidate) => candidate.index === index)?.name;
      throw new Error(`build stage ${named ?? index} of "${image.name}" must be resolved before stage ${stage.index}`);
    }
    return signature;
  };
  const templates: StageTemplate[] = [];
  templates.push({
    ...fromTemplate(image, stage, facts, stageSignature),
    detail: describeStep(spec, stage, stage.location),
  });
  for (const step of stage.steps) {
    const name = stepName(step);
    const deps = stepDeps(step, spec);
    let context: { spec: DockerContextSpec; files: readonly GitFile[] } | null = null;
    let copyFrom: Signature | null = null;
    if (step.op === "copy") {
      const from = step.from;
      if (from.type === "context") {
        context = await selectContext(image, spec, step, facts);
        deps.from = { context: contextSelectionId(context.files) };
      } else if (from.type === "stage") {
        copyFrom = stageSignature(from.index);
        deps.from = { stage: copyFrom };
      } else if (from.type === "configImage") {
        copyFrom = imageSignature(facts, from.name, image);
        deps.from = { image: copyFrom };
      } else if (from.type === "image") {
        deps.from = { reference: normalizedReference(from.reference, step.location) };
      } else {
        throw located(step.location, "COPY --from=scratch copies nothing", "remove the instruction");
      }
    }
    const dependencies = lateDependencies(image, facts.imageSignatures, step);
    const instructions: StageInstructions = {
      kind: "dockerfile",
      // The image's network: reaches the RUN (its --network wins; the builder's comes last).
      step: step.op === "run" && step.network === null ? { ...step, network: spec.network } : step,
      escape: escapeCharacter,
      context,
      copyFrom,
      addHost: spec.addHost,
      ...(dependencies.length > 0 ? { dependencies } : {}),
      ...secretsOf(image, step),
    };
    templates.push({
      name,
      deps,
      git: "none",
      detail: describeStep(spec, stage, step.location),
      instructions: () => instructions,
    });
  }
  return templates;
}

function fromTemplate(
  image: ImageConfig,
  stage: DockerfileBuildStage,
  facts: DockerfileFacts,
  stageSignature: (index: number) => Signature,
): StageTemplate {
  const base = stage.base;
  let deps: { [key: string]: JsonValue };
  let instructions: Extract<StageInstructions, { kind: "from" }>;
  if (base.type === "image") {
    const reference = normalizedReference(base.reference, stage.location);
    deps = { base: reference };
    instructions = { kind: "from", base: { type: "image", reference, digest: null } };
  } else if (base.type === "scratch") {
    deps = { base: "scratch" };
    instructions = { kind: "from", base: { type: "scratch" } };
  } else if (base.type === "stage") {
    const signature = stageSignature(base.index);
    deps = { fromStage: signature };
    instructions = { kind: "from", base: { type: "stage", signature } };
  } else {
    const signature = imageSignature(facts, base.name, image);
    deps = { fromImage: signature };
    instructions = { kind: "from", base: { type: "stage", signature } };
  }
  // werf's `platform:`: the builder refuses another platform than the engine's; in the signature as
  // in a stapel image's from stage (absent when unset, so that signatures stay as before).
  if (image.platform.length > 0) {
    deps.platform = [...image.platform].sort();
    instructions = { ...instructions, platforms: image.platform };
  }
  return { name: "FROM", deps, git: "none", instructions: () => instructions };
}

/** Longest instruction text a stage's detail shows. */
const detailLength = 60;

/** `build: RUN make all (Dockerfile:7)`: the build stage, the instruction as written, where. */
function describeStep(spec: DockerfileImageConfig, stage: DockerfileBuildStage, location: DockerfileLocation): string {
  const instruction = spec.parsed?.instructions.find((candidate) => candidate.location.line === location.line);
  // The first line as written, without the escape that continues it on the next line.
  let text = (instruction?.original ?? "").replace(/\s+/g, " ").trim();
  const escapeCharacter = spec.parsed?.escape ?? "\\";
  if (instruction && instruction.endLine > instruction.location.line && text.endsWith(escapeCharacter))
    text = text.slice(0, -1).trimEnd();
  const shown = text.length > detailLength ? `${text.slice(0, detailLength - 1)}…` : text;
  const prefix = stage.name ?? `stage ${stage.index}`;
  return `${prefix}: ${shown} (${location.file}:${location.line})`;
}

function normalizedReference(reference: string, location: DockerfileLocation): string {
  try {
    return normalizeBaseReference(reference);
  } catch (error) {
    if (!InvalidReferenceError.isInstance(error)) throw error;
    throw located(location, error.message, error.hint ?? "write a reference such as alpine:3.20");
  }
}

/** The image's secrets a RUN mounts (`--mount=type=secret,id=...`); nothing for another step. */
function secretsOf(image: ImageConfig, step: DockerfileStep): { secrets?: ImageConfig["secrets"] } {
  if (step.op !== "run" || step.mounts === undefined) return {};
  const ids = new Set(step.mounts.flatMap((mount) => (mount.type === "secret" ? [mount.id] : [])));
  const secrets = image.secrets.filter((secret) => ids.has(secret.id));
  return secrets.length > 0 ? { secrets } : {};
}

function stepName(step: DockerfileStep): DockerfileStageName {
  if (step.op === "run") return "RUN";
  if (step.op === "copy") return step.add ? "ADD" : "COPY";
  return step.change.keyword;
}

/** A step's own inputs: everything but where it is written and whether it waits for the base's ENV. */
function stepDeps(step: DockerfileStep, spec: DockerfileImageConfig): { [key: string]: JsonValue } {
  const { location: _location, late: _late, ...rest } = step;
  const deps = JSON.parse(JSON.stringify(rest)) as { [key: string]: JsonValue };
  if (step.op === "run") {
    deps.network = step.network ?? spec.network;
    if (spec.addHost.length > 0) deps.addHost = spec.addHost;
  }
  return deps;
}

async function selectContext(
  image: ImageConfig,
  spec: DockerfileImageConfig,
  step: Extract<DockerfileStep, { op: "copy" }>,
  facts: DockerfileFacts,
): Promise<{ spec: DockerContextSpec; files: readonly GitFile[] }> {
  const keyword = step.add ? "ADD" : "COPY";
  if (facts.context === null) throw new Error(`the build context of "${image.name}" was not resolved`);
  if (step.late) {
    throw located(
      step.location,
      `${keyword} names its sources with a variable the Dockerfile does not define`,
      "declare it with ARG or ENV in the Dockerfile (a variable of the base image cannot select context files)",
    );
  }
  const files = facts.context.files;
  const readLink = facts.readLink;
  const selection = readLink
    ? await selectCopySourcesReading(step.sources, files, readLink)
    : selectCopySources(step.sources, files);
  if (selection.links.length > 0) {
    throw new Error(`the context symlinks ${selection.links.join(", ")} must be read to select ${keyword} sources`);
  }
  if (selection.missing.length > 0) {
    const where = spec.context === "" ? "the project directory" : spec.context;
    throw located(
      step.location,
      `${keyword} source "${selection.missing[0]}" is not in the build context (${where})`,
      "the context is the files git tracks there (uncommitted edits included) plus contextAddFiles, minus .dockerignore: `git add` the file, or list it in contextAddFiles",
    );
  }
  return { spec: dockerContextSpec(spec), files: selection.files };
}
