import { type Document, LineCounter, type Node, parseAllDocuments, type YAMLError } from "yaml";
import { ConfigError } from "../errors.js";
import { mergeImageSpec } from "./meta-image-spec.js";
import type { ConfigProblem, ConfigResult, ImageConfig, ProjectMeta, StagesConfig } from "./model.js";
import { type ImageDraft, parseImageDocument } from "./parse-image.js";
import { looksLikeImageDocument, parseMeta } from "./parse-meta.js";
import { ProblemCollector, sortProblems } from "./problems.js";
import { validateImages } from "./validate-images.js";
import { isNullNode, YamlContext } from "./yaml-context.js";

/** Options of parseConfig. */
export interface ParseConfigOptions {
  /** The file name that problems name; default "stages.yaml". */
  file?: string;
}

const syntaxHints: Partial<Record<YAMLError["code"], string>> = {
  DUPLICATE_KEY: "remove one of the two keys",
  TAB_AS_INDENT: "indent with spaces, not tabs",
  BAD_INDENT: "check the indentation, and that every [ and { is closed",
  MULTILINE_IMPLICIT_KEY: "quote the value, or indent the lines that continue it",
  BAD_ALIAS: "define the anchor (&name) before using it (*name)",
};

/**
 * Parses and validates a stages.yaml or a werf.yaml in stapel syntax. A werf.yaml with Go templates is
 * rendered first (template/render-config.ts): `{{` still in the text is the text's own, e.g. a shell's.
 * Never throws for bad input: every problem is in `errors` or `warnings`, and `config` is null on any error.
 */
export function parseConfig(text: string, options: ParseConfigOptions = {}): ConfigResult {
  const file = options.file ?? "stages.yaml";
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false, merge: true }) as Document[];
  const problems = new ProblemCollector();
  const textContext = new YamlContext(file, lineCounter, problems, null);
  const result = (config: StagesConfig | null): ConfigResult => ({
    config: problems.errors.length === 0 ? config : null,
    warnings: sortProblems(problems.warnings),
    errors: sortProblems(problems.errors),
  });

  let syntaxErrors = false;
  for (const document of documents) {
    for (const error of document.errors) {
      syntaxErrors = true;
      textContext.error(error.pos[0], error.message, syntaxHints[error.code] ?? "fix the YAML syntax here");
    }
    for (const warning of document.warnings) textContext.warning(warning.pos[0], warning.message, null);
  }

  const filled = documents.filter((document) => !isNullNode(document.contents as Node | null));
  const [first, ...rest] = filled;
  if (first === undefined) {
    if (!syntaxErrors) {
      textContext.error(0, "the config is empty", "start it with project: <name> and configVersion: 1");
    }
    return result(null);
  }

  // Without a meta, a first document that declares an image is read as one, for its own problems.
  const metaMissing = looksLikeImageDocument(first.contents);
  const imageDocuments = metaMissing ? [first, ...rest] : rest;
  let meta: ProjectMeta | null = null;
  if (metaMissing) {
    textContext.error(
      first.contents?.range?.[0] ?? 0,
      "the config must start with the project meta",
      "add a first document: project: <name>, configVersion: 1, then ---",
    );
  } else if (first.errors.length === 0 && first.contents !== null) {
    meta = parseMeta(new YamlContext(file, lineCounter, problems, first), first.contents);
  }

  const drafts: ImageDraft[] = [];
  for (const document of imageDocuments) {
    if (document.errors.length > 0 || document.contents === null) continue;
    drafts.push(...parseImageDocument(new YamlContext(file, lineCounter, problems, document), document.contents));
  }
  // A broken document may declare what the others refer to: checking across images would mislead.
  if (!syntaxErrors) validateImages(drafts, problems);
  if (!syntaxErrors && drafts.length === 0 && meta !== null) {
    textContext.warning(
      first.contents?.range?.[0] ?? 0,
      "the config declares no image",
      "add a document: image: <name>, from: <base image>",
    );
  }

  if (meta === null) return result(null);
  return result({ meta, images: drafts.map((draft) => withMetaBuild(draft.config, meta)) });
}

/**
 * werf's `build.platform` is what an image without its own gets, `build.cacheVersion` a stapel image;
 * `build.imageSpec` is merged into the imageSpec of every final image, Dockerfile ones too.
 */
function withMetaBuild(image: ImageConfig, meta: ProjectMeta): ImageConfig {
  const build = meta.build;
  if (build === undefined) return image;
  const imageSpec =
    build.imageSpec !== undefined && image.final ? mergeImageSpec(build.imageSpec, image.imageSpec) : image.imageSpec;
  const platform = image.platform.length > 0 ? image.platform : [...build.platform];
  // A Dockerfile image takes build.platform too (werf's default of every image); cacheVersion is stapel's.
  if (image.dockerfile !== null) return { ...image, imageSpec, platform };
  return {
    ...image,
    imageSpec,
    platform,
    cacheVersion: image.cacheVersion ?? build.cacheVersion,
  };
}

/** Parses a config and throws a ConfigError listing every problem when it is invalid. */
export function loadConfigOrThrow(
  text: string,
  options: ParseConfigOptions = {},
): { config: StagesConfig; warnings: ConfigProblem[] } {
  const { config, errors, warnings } = parseConfig(text, options);
  if (config === null) {
    // Each problem carries its own hint in `formatted`, which is what the message lists.
    throw new ConfigError(errors);
  }
  return { config, warnings };
}
