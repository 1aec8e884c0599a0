import type { Writable } from "node:stream";
import {
  ConfigError,
  type ConfigProblem,
  StagesError,
  TemplateError,
  UnknownImageError,
  UsageError,
} from "@stages/core";
import { Command, Option } from "clipanion";
import type { CommandContext } from "../context.js";
import { exitCodes } from "../exit-codes.js";
import { type ProjectConfigText, readProjectConfig, validateProjectConfig } from "../project.js";

/** The options of the config commands: where the config is and what a template renders with. */
abstract class ConfigCommand extends Command<CommandContext> {
  dir = Option.String("--dir", {
    description: "Directory of the project (where stages.yaml is); default: the current directory",
  });
  configFile = Option.String("--config", {
    description: "Config file to read instead of stages.yaml/werf.yaml in --dir",
  });
  werfEnv = Option.String("--env", {
    description: "werf's environment: .Env in a werf.yaml template (as werf's --env)",
  });
  json = Option.Boolean("--json", false, { description: "Print one JSON document on stdout" });

  protected read(): Promise<ProjectConfigText> {
    return readProjectConfig({
      cwd: this.context.cwd,
      dir: this.dir,
      config: this.configFile,
      environment: this.context.env,
      werfEnv: this.werfEnv,
    });
  }

  protected write(stream: Writable, text: string): void {
    stream.write(text);
  }

  /** A failure before any config problem: a usage error (exit 2), or another error (exit 1). */
  protected fail(error: unknown): number {
    const message = error instanceof Error ? error.message : String(error);
    if (ConfigError.isInstance(error)) {
      this.write(this.context.stderr, formatProblemsReport(error.problems.map((problem) => problem.formatted)));
    } else {
      this.write(this.context.stderr, `stages: error: ${message}\n`);
      const hint = StagesError.isInstance(error) ? error.hint : undefined;
      if (hint) this.write(this.context.stderr, `  hint: ${hint}\n`);
    }
    if (this.json) {
      const code = StagesError.isInstance(error) ? error.code : "INTERNAL";
      this.write(this.context.stdout, `${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
    }
    return UsageError.isInstance(error) ? exitCodes.usage : exitCodes.failure;
  }
}

function formatProblemsReport(lines: readonly string[]): string {
  const title = lines.length === 1 ? "error in the configuration" : `${lines.length} errors in the configuration`;
  return `stages: ${title}:\n${lines.map((line) => `  ${line}\n`).join("")}`;
}

/** `stages config render`: the configuration as stages reads it, after rendering its Go templates. */
export class ConfigRenderCommand extends ConfigCommand {
  static override paths = [["config", "render"]];
  static override usage = Command.Usage({
    description: "Print the configuration after rendering its Go templates (as werf config render)",
    details: `
      A werf.yaml with Go templates (\`{{ ... }}\`) is rendered with Sprig's and werf's functions, the partials in \`.werf/**/*.tmpl\`, \`.Files\` of the project directory, the environment (\`env\`), \`--env\` (\`.Env\`) and HEAD (\`.Commit\`). A file without templates is printed as it is. Nothing is validated: see \`stages config check\`. With IMAGE names: only their documents, joined by \`---\` (as werf).

      With \`--json\`: \`{ "rendered": text, "read": { "env": {...}, "files": [...] } }\`, what rendering read (environment variables with their values, project files), which is what the rendered text, and so the signatures, depend on.
    `,
    examples: [
      ["Print the rendered werf.yaml", "stages config render"],
      ["Render for an environment", "stages config render --env production"],
      ["Only the documents of two images", "stages config render backend frontend"],
    ],
  });

  images = Option.Rest({ name: "IMAGE" });

  async execute(): Promise<number> {
    try {
      const source = await this.read();
      const rendered = this.images.length === 0 ? source.text : await imageDocuments(source, this.images);
      if (this.json) {
        const read = source.render?.read ?? { env: {}, files: [] };
        this.write(this.context.stdout, `${JSON.stringify({ rendered, read }, null, 2)}\n`);
      } else this.write(this.context.stdout, rendered);
      return exitCodes.ok;
    } catch (error) {
      return this.fail(error);
    }
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

/** `stages config check`: renders and validates the configuration and its Dockerfiles, offline. */
export class ConfigCheckCommand extends ConfigCommand {
  static override paths = [["config", "check"]];
  static override usage = Command.Usage({
    description: "Validate the configuration and its Dockerfiles without an engine, registry or network",
    details: `
      Renders a werf.yaml template (as \`stages config render\`), then validates the configuration and reads its Dockerfiles. Every problem is reported at once with file:line:column; a problem in a rendered template names the template line it came from and the rendered line: \`werf.yaml:12:3 (rendered line 40): ...\`.

      Exits 0 when the configuration is valid, 1 when it has problems. With \`--json\`: \`{ ok, errors: [...], warnings: [...] }\`, each problem with file, line, column, message, hint and origin.
    `,
    examples: [
      ["Check the configuration", "stages config check"],
      ["Check it in CI, as JSON", "stages config check --json"],
    ],
  });

  async execute(): Promise<number> {
    let errors: ConfigProblem[];
    let warnings: ConfigProblem[];
    try {
      const result = await validateProjectConfig(await this.read());
      errors = result.errors;
      warnings = result.warnings;
    } catch (error) {
      if (!TemplateError.isInstance(error)) return this.fail(error);
      const { position, detail } = error;
      errors = [
        { severity: "error", ...position, message: detail, hint: null, formatted: error.message } as ConfigProblem,
      ];
      warnings = [];
    }
    const ok = errors.length === 0;
    if (this.json) {
      const document = { ok, errors: errors.map(checkProblem), warnings: warnings.map(checkProblem) };
      this.write(this.context.stdout, `${JSON.stringify(document, null, 2)}\n`);
    } else {
      for (const warning of warnings) this.write(this.context.stderr, `${warning.formatted}\n`);
      if (ok) this.write(this.context.stdout, "the configuration is valid\n");
      else this.write(this.context.stderr, formatProblemsReport(errors.map((problem) => problem.formatted)));
    }
    return ok ? exitCodes.ok : exitCodes.failure;
  }
}
