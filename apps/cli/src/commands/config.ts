import { Command, Option } from "clipanion";
import { configOption, dirOption, werfEnvOption } from "../base-command.js";
import type { CommandContext } from "../context.js";
import { conventions, rest } from "../option-conventions.js";

/** The options of the config commands: where the config is and what a template renders with. */
export abstract class ConfigCommand extends Command<CommandContext> {
  dir = dirOption();
  configFile = configOption();
  werfEnv = werfEnvOption();
  json = conventions(Option.Boolean("--json", false, { description: "Print one JSON document on stdout" }), {
    kind: "boolean",
  });
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

  images = rest(Option.Rest({ name: "IMAGE" }), "[IMAGE...]");

  async execute(): Promise<number> {
    const { executeConfigRender } = await import("../run/config.js");
    return executeConfigRender(this);
  }
}

/** `stages config check`: renders and validates the configuration and its Dockerfiles, offline. */
export class ConfigCheckCommand extends ConfigCommand {
  static override paths = [["config", "check"]];
  static override usage = Command.Usage({
    description: "Validate the configuration and its Dockerfiles without an engine, registry or network",
    details: `
      Renders a werf.yaml template (as \`stages config render\`), then validates the configuration and reads its Dockerfiles. With \`plugins:\`, \`adapters:\` or \`settings:\` in the meta, it loads the plugins and checks the adapter names and settings written there (not \`--setting\` or \`STAGES_*\` variables, which are the command's). Every problem is reported at once with file:line:column; a problem in a rendered template names the template line it came from and the rendered line: \`werf.yaml:12:3 (rendered line 40): ...\`.

      Exits 0 when the configuration is valid, 1 when it has problems. With \`--json\`: \`{ ok, errors: [...], warnings: [...] }\`, each problem with file, line, column, message, hint and origin.
    `,
    examples: [
      ["Check the configuration", "stages config check"],
      ["Check it in CI, as JSON", "stages config check --json"],
    ],
  });

  async execute(): Promise<number> {
    const { executeConfigCheck } = await import("../run/config.js");
    return executeConfigCheck(this);
  }
}
