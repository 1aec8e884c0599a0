import type { Writable } from "node:stream";
import {
  ConfigError,
  type ConfigProblem,
  locateRenderedProblems,
  resolvePluginSettings,
  type StagesConfig,
  StagesError,
  TemplateError,
  UnknownImageError,
  UsageError,
} from "@stages/core";
import type { ConfigCheckCommand, ConfigCommand, ConfigRenderCommand } from "../commands/config.js";
import { exitCodes } from "../exit-codes.js";
import { type ProjectConfigText, readProjectConfig, validateProjectConfig } from "../project.js";

function readConfig(command: ConfigCommand): Promise<ProjectConfigText> {
  return readProjectConfig({
    cwd: command.context.cwd,
    dir: command.dir,
    config: command.configFile,
    environment: command.context.env,
    werfEnv: command.werfEnv,
  });
}

function write(stream: Writable, text: string): void {
  stream.write(text);
}

/** A failure before any config problem: a usage error (exit 2), or another error (exit 1). */
function fail(command: ConfigCommand, error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  if (ConfigError.isInstance(error)) {
    write(command.context.stderr, formatProblemsReport(error.problems.map((problem) => problem.formatted)));
  } else {
    write(command.context.stderr, `stages: error: ${message}\n`);
    const hint = StagesError.isInstance(error) ? error.hint : undefined;
    if (hint) write(command.context.stderr, `  hint: ${hint}\n`);
  }
  if (command.json) {
    const code = StagesError.isInstance(error) ? error.code : "INTERNAL";
    write(command.context.stdout, `${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
  }
  return UsageError.isInstance(error) ? exitCodes.usage : exitCodes.failure;
}

function formatProblemsReport(lines: readonly string[]): string {
  const title = lines.length === 1 ? "error in the configuration" : `${lines.length} errors in the configuration`;
  return `stages: ${title}:\n${lines.map((line) => `  ${line}\n`).join("")}`;
}

/** `stages config render`. */
export async function executeConfigRender(command: ConfigRenderCommand): Promise<number> {
  try {
    const source = await readConfig(command);
    const rendered = command.images.length === 0 ? source.text : await imageDocuments(source, command.images);
    if (command.json) {
      const read = source.render?.read ?? { env: {}, files: [] };
      write(command.context.stdout, `${JSON.stringify({ rendered, read }, null, 2)}\n`);
    } else write(command.context.stdout, rendered);
    return exitCodes.ok;
  } catch (error) {
    return fail(command, error);
  }
}

/**
 * The rendered documents of the named images, as `werf config render IMAGE...` prints them: each
 * document's text between werf's separators, joined by `---`. The config must be valid to tell
 * which document is whose.
 */
async function imageDocuments(source: ProjectConfigText, names: readonly string[]): Promise<string> {
  const result = await validateProjectConfig(source);
  if (result.config === null) throw new ConfigError(result.errors);
  const documents = splitDocuments(source.text);
  const { images } = result.config;
  for (const name of names) {
    if (!images.some((image) => image.name === name)) {
      throw new UnknownImageError(`image "${name}" is not in the configuration`, {
        hint: `images: ${images.map((image) => image.name ?? "~").join(", ")}`,
      });
    }
  }
  // In the config's order, as werf prints them.
  const picked: string[] = [];
  for (const image of images) {
    if (image.name === null || !names.includes(image.name)) continue;
    const document = [...documents].reverse().find((candidate) => candidate.line <= image.position.line);
    if (document !== undefined && !picked.includes(document.text)) picked.push(document.text);
  }
  return picked.join("---\n");
}

/** werf's split of a config into documents: at lines of `---`, optionally followed by spaces and a comment. */
function splitDocuments(text: string): { line: number; text: string }[] {
  const documents: { line: number; text: string }[] = [];
  const lines = text.split("\n");
  let start = 0;
  for (let index = 0; index <= lines.length; index++) {
    if (index === lines.length || /^---[ \t\r]*(#.*)?$/.test(lines[index] as string)) {
      const body = lines.slice(start, index).join("\n");
      documents.push({ line: start + 1, text: index === lines.length ? body : `${body}\n` });
      start = index + 1;
    }
  }
  return documents;
}

/** One problem of `config check --json`. */
interface CheckProblem {
  severity: "error" | "warning";
  file: string;
  line: number;
  column: number;
  message: string;
  hint: string | null;
  /** For a problem in a rendered template: the template position its rendered line came from. */
  origin: { file: string; line: number; column: number } | null;
  formatted: string;
}

function checkProblem(problem: ConfigProblem): CheckProblem {
  const { severity, file, line, column, message, hint, formatted } = problem;
  return { severity, file, line, column, message, hint, origin: problem.origin ?? null, formatted };
}

/**
 * What the meta names of plugins, checked as a command would check it: the listed plugins load,
 * `adapters:` names registered adapters, `settings:` declared settings of their types. Only the
 * file is checked: flags and `STAGES_*` variables are the command's, not the configuration's.
 * Nothing is loaded for a meta that names none of them.
 */
async function pluginProblems(config: StagesConfig, source: ProjectConfigText): Promise<ConfigProblem[]> {
  const { meta } = config;
  if (meta.plugins.length === 0 && meta.adapters === undefined && meta.settings === undefined) return [];
  const { chooseAdapters, registerPlugins } = await import("../services.js");
  const plugins = await registerPlugins({ config, directory: source.directory });
  const problems: ConfigProblem[] = [];
  const collect = (check: () => unknown) => {
    try {
      check();
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      problems.push(...(error.problems as ConfigProblem[]));
    }
  };
  collect(() => chooseAdapters(plugins, meta.adapters, []));
  collect(() => resolvePluginSettings(plugins.settings, { flags: [], env: {}, config: meta.settings ?? {} }));
  // In the file's order, as parse problems are.
  problems.sort((left, right) => left.line - right.line || left.column - right.column);
  return source.render === null ? problems : locateRenderedProblems(problems, source.render, source.shown);
}

/** `stages config check`. */
export async function executeConfigCheck(command: ConfigCheckCommand): Promise<number> {
  let errors: ConfigProblem[];
  let warnings: ConfigProblem[];
  try {
    const source = await readConfig(command);
    const result = await validateProjectConfig(source);
    errors =
      result.config === null ? result.errors : [...result.errors, ...(await pluginProblems(result.config, source))];
    warnings = result.warnings;
  } catch (error) {
    if (!TemplateError.isInstance(error)) return fail(command, error);
    const { position, detail } = error;
    errors = [
      { severity: "error", ...position, message: detail, hint: null, formatted: error.message } as ConfigProblem,
    ];
    warnings = [];
  }
  const ok = errors.length === 0;
  if (command.json) {
    const document = { ok, errors: errors.map(checkProblem), warnings: warnings.map(checkProblem) };
    write(command.context.stdout, `${JSON.stringify(document, null, 2)}\n`);
  } else {
    for (const warning of warnings) write(command.context.stderr, `${warning.formatted}\n`);
    if (ok) write(command.context.stdout, "the configuration is valid\n");
    else write(command.context.stderr, formatProblemsReport(errors.map((problem) => problem.formatted)));
  }
  return ok ? exitCodes.ok : exitCodes.failure;
}
