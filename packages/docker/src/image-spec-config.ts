import type { ImageSpecConfig, ImageSpecMatcher } from "@stages/core";
import { essentialStageLabels } from "@stages/core";
import { compileGoRegexp } from "@stages/core/internal";
import { envMap, expandVariables } from "./image-config.js";

/** The image config JSON of an image as `docker save` writes it (only what imageSpec touches is typed). */
export interface ImageConfigFile {
  author?: string;
  created?: string;
  config?: {
    User?: string;
    ExposedPorts?: Record<string, object> | null;
    Env?: string[] | null;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Volumes?: Record<string, object> | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    StopSignal?: string;
    Healthcheck?: Record<string, unknown> | null;
    [key: string]: unknown;
  };
  history?: unknown[];
  [key: string]: unknown;
}

/** What the imageSpec stage needs besides the spec. */
export interface ImageSpecContext {
  project: string;
  image: string | null;
  /** The labels of the stage being built (DESIGN §6). */
  stageLabels: Readonly<Record<string, string>>;
  /** The stage's creation time (ISO 8601): cleanup reads a stage's age from it. */
  created: string;
}

const stagesLabelPrefix = "io.stages.";
const secondInNanoseconds = 1e9;

/**
 * The config of the imageSpec stage: the base's config changed as werf's imageSpec stage and
 * `UpdateConfigFile` change it. Labels: the base's user labels less `removeLabels`, plus `labels`
 * (`%image%` and `%project%` replaced as werf does); then the stage's own labels, of which
 * `clearWerfLabels` and `removeLabels` can remove all but the essential ones.
 */
export function applyImageSpec(
  base: ImageConfigFile,
  spec: ImageSpecConfig,
  context: ImageSpecContext,
): ImageConfigFile {
  const file: ImageConfigFile = structuredClone(base);
  const config = { ...(file.config ?? {}) };
  file.created = context.created;
  if (spec.author !== null && spec.author !== "") file.author = spec.author;
  if (spec.clearHistory) file.history = [];

  const removeLabel = matcherOf(spec.removeLabels);
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.Labels ?? {})) {
    // The base's stage labels belong to the stage before; this stage writes its own below.
    if (key.startsWith(stagesLabelPrefix) || removeLabel(key)) continue;
    labels[key] = value;
  }
  for (const [key, value] of Object.entries(spec.labels)) {
    labels[labelTemplate(key, context)] = labelTemplate(value, context);
  }
  for (const [key, value] of Object.entries(context.stageLabels)) {
    const essential = essentialStageLabels.includes(key);
    if (!essential && (spec.clearWerfLabels || removeLabel(key))) continue;
    labels[key] = value;
  }
  config.Labels = labels;

  const removeEnv = matcherOf(spec.removeEnv);
  const before = envMap(config.Env);
  const env = new Map([...before].filter(([key]) => !removeEnv(key)));
  for (const key of Object.keys(spec.env).sort()) {
    // As werf (shlex ProcessWord over the base's env): $NAME and ${NAME} are the base's values.
    env.set(key, expandVariables(spec.env[key] as string, before));
  }
  config.Env = [...env].map(([key, value]) => `${key}=${value}`);

  const volumes: Record<string, object> = { ...(config.Volumes ?? {}) };
  for (const volume of spec.removeVolumes) delete volumes[volume];
  for (const volume of spec.volumes) volumes[volume] = {};
  config.Volumes = Object.keys(volumes).length > 0 ? volumes : null;

  // werf replaces the exposed ports when expose is given.
  if (spec.expose.length > 0) {
    config.ExposedPorts = Object.fromEntries(
      spec.expose.map((port) => [port.includes("/") ? port : `${port}/tcp`, {}]),
    );
  }
  if (spec.clearUser) config.User = "";
  if (spec.user !== null && spec.user !== "") config.User = spec.user;
  // Setting an entrypoint resets an inherited cmd, as in a Dockerfile (werf's baseConfig does the same).
  const entrypointSet = spec.entrypoint !== null && spec.entrypoint.length > 0;
  if (spec.clearCmd || (entrypointSet && (spec.cmd === null || spec.cmd.length === 0))) config.Cmd = null;
  if (spec.cmd !== null && spec.cmd.length > 0) config.Cmd = [...spec.cmd];
  if (spec.clearEntrypoint) config.Entrypoint = null;
  if (entrypointSet) config.Entrypoint = [...(spec.entrypoint as string[])];
  if (spec.clearWorkingDir) config.WorkingDir = "";
  if (spec.workingDir !== null && spec.workingDir !== "") config.WorkingDir = spec.workingDir;
  if (spec.stopSignal !== null && spec.stopSignal !== "") config.StopSignal = spec.stopSignal;
  if (spec.healthcheck !== null) {
    const health: Record<string, unknown> = { Test: [...spec.healthcheck.test] };
    // werf gives seconds; the image config holds nanoseconds, zero ones left out.
    if (spec.healthcheck.interval > 0) health.Interval = spec.healthcheck.interval * secondInNanoseconds;
    if (spec.healthcheck.timeout > 0) health.Timeout = spec.healthcheck.timeout * secondInNanoseconds;
    if (spec.healthcheck.startPeriod > 0) health.StartPeriod = spec.healthcheck.startPeriod * secondInNanoseconds;
    if (spec.healthcheck.retries > 0) health.Retries = spec.healthcheck.retries;
    config.Healthcheck = health;
  }
  file.config = config;
  return file;
}

/** Whether a name matches one of the matchers (a regexp matches the whole name, as werf's `^...$`). */
export function matcherOf(matchers: readonly ImageSpecMatcher[]): (name: string) => boolean {
  const names = new Set<string>();
  const patterns: RegExp[] = [];
  for (const matcher of matchers) {
    if (matcher.kind === "name") names.add(matcher.name);
    else {
      // The parser checked that stages can read it.
      const compiled = compileGoRegexp(matcher.source);
      if (compiled.ok) patterns.push(compiled.regexp);
    }
  }
  return (name) => names.has(name) || patterns.some((pattern) => pattern.test(name));
}

/** werf's label templates, `%image%` and `%project%` (Go template delimiters `%`). */
function labelTemplate(text: string, context: ImageSpecContext): string {
  return text.replace(/%\s*(image|project)\s*%/g, (_, name: string) =>
    name === "image" ? (context.image ?? "") : context.project,
  );
}
