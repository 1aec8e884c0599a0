import type {
  ConfigProblem,
  DockerfileImageConfig,
  ImageConfig,
  SourcePosition,
  StagesConfig,
} from "../config/model.js";
import { createProblem } from "../config/problems.js";
import { ConfigError } from "../errors.js";
import type { Signature } from "../signature-type.js";
import { type DependencyNaming, dependencyArgs } from "./dependency-args.js";
import { evaluateDockerfile, parseAndEvaluateDockerfile } from "./evaluate.js";
import type { EvaluatedDockerfile } from "./model.js";
import { configImagesOf } from "./references.js";

/** Reads the text of a file of the project; null when there is no such file. Core does no I/O itself. */
export interface ProjectFileReader {
  /** `path` is relative to the project directory, POSIX. */
  read(path: string): Promise<string | null>;
}

/** The path of an image's Dockerfile relative to the project directory. */
export function dockerfilePathOf(dockerfile: DockerfileImageConfig): string {
  return dockerfile.context === "" ? dockerfile.path : `${dockerfile.context}/${dockerfile.path}`;
}

/**
 * Reads, parses and evaluates the Dockerfile of every Dockerfile image of a config, so that every
 * error in a Dockerfile is reported with its file:line:column before anything runs, and the images
 * a Dockerfile names (FROM, COPY --from) are known to the image graph. Returns a new config; throws
 * ConfigError with every problem found.
 */
export async function loadDockerfiles(config: StagesConfig, reader: ProjectFileReader): Promise<StagesConfig> {
  const names = new Set(config.images.flatMap((image) => (image.name === null ? [] : [image.name])));
  const problems: ConfigProblem[] = [];
  const texts = new Map<string, Promise<string | null>>();
  const images: ImageConfig[] = [];
  for (const image of config.images) {
    const spec = image.dockerfile;
    if (spec === null) {
      images.push(image);
      continue;
    }
    const path = dockerfilePathOf(spec);
    let text = texts.get(path);
    if (!text) {
      text = reader.read(path);
      texts.set(path, text);
    }
    const content = await text;
    if (content === null) {
      problems.push(
        problem(
          spec.position,
          `no Dockerfile at ${path}`,
          `create it, or set dockerfile: to its path inside the context ("${spec.context || "."}")`,
        ),
      );
      images.push(image);
      continue;
    }
    try {
      // An image does not name itself: FROM app inside app's Dockerfile is the registry's app.
      const others = new Set([...names].filter((name) => name !== image.name));
      // The dependencies' build args are placeholders until the project is resolved (`withDependencyArgs`).
      const dependencies = dependencyArgs(image, null, null);
      const { parsed, evaluated } = parseAndEvaluateDockerfile(content, path, {
        args: { ...spec.args, ...dependencies.args },
        target: spec.target,
        configImages: others,
        // staged: false gives FROM the name itself: the engine's builder finds the dependency's stage by it.
        ...(spec.staged ? { imageAliases: dependencies.aliases } : {}),
        staged: spec.staged,
      });
      if (!spec.staged) {
        const named = evaluated.stages.flatMap((stage) => configImagesOf(stage));
        if (named.length > 0) {
          const first = evaluated.stages.find((stage) => configImagesOf(stage).length > 0);
          problems.push(
            problem(
              first?.location ?? spec.position,
              `image "${named[0]}" of the config is named in ${path}, but staged: false builds with the engine's builder, which does not know it`,
              "remove staged: false, or name a registry image",
            ),
          );
        }
      }
      problems.push(...missingSecrets(image, evaluated));
      images.push({ ...image, dockerfile: { ...spec, parsed, evaluated } });
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      for (const found of error.problems) problems.push(found as ConfigProblem);
      images.push(image);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...config, images };
}

/**
 * `RUN --mount=type=secret,required` naming an id the image's `secrets:` lacks: BuildKit fails the
 * build, so stages says it before anything runs. A missing optional one is left out (as BuildKit does).
 */
function missingSecrets(image: ImageConfig, evaluated: EvaluatedDockerfile): ConfigProblem[] {
  const ids = new Set(image.secrets.map((secret) => secret.id));
  const problems: ConfigProblem[] = [];
  for (const stage of evaluated.stages) {
    for (const step of stage.steps) {
      if (step.op !== "run") continue;
      for (const mount of step.mounts ?? []) {
        if (mount.type !== "secret" || !mount.required || ids.has(mount.id)) continue;
        problems.push(
          problem(
            step.location,
            `RUN mounts the secret "${mount.id}" (required), which image "${image.name ?? "~"}" does not have`,
            `add it to the image's secrets: (- {id: ${mount.id}, env: <VARIABLE>} or src: <file>), or drop required`,
          ),
        );
      }
    }
  }
  return problems;
}

function problem(position: SourcePosition, message: string, hint: string | null): ConfigProblem {
  return createProblem("error", position, message, hint);
}

/**
 * A Dockerfile image evaluated again with the build args of its werf v2 `dependencies` (their
 * stages resolved: `signatures` has each dependency's last stage): `args` gains them, so that the
 * steps that use them (and a `staged: false` build) have them. Unchanged without dependencies.
 * Throws ConfigError when the values make the Dockerfile invalid.
 */
export function withDependencyArgs(
  image: ImageConfig,
  configImages: readonly string[],
  signatures: ReadonlyMap<string, Signature>,
  naming: DependencyNaming,
): ImageConfig {
  const spec = image.dockerfile;
  if (spec === null || image.dependencies.length === 0) return image;
  if (spec.parsed === null) throw new Error(`image "${image.name}" has no parsed Dockerfile`);
  const dependencies = dependencyArgs(image, signatures, naming);
  const args = { ...spec.args, ...dependencies.args };
  const evaluated = evaluateDockerfile(spec.parsed, {
    args,
    target: spec.target,
    configImages: new Set(configImages.filter((name) => name !== image.name)),
    // staged: false gives FROM the name itself: the engine's builder finds the dependency's stage by it.
    ...(spec.staged ? { imageAliases: dependencies.aliases } : {}),
    staged: spec.staged,
  });
  return { ...image, dockerfile: { ...spec, args, evaluated } };
}
