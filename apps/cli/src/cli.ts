import type { Readable, Writable } from "node:stream";
import { Builtins, type CommandClass } from "clipanion";
import { BuildCommand } from "./commands/build.js";
import { CleanupCommand, PurgeCommand } from "./commands/cleanup.js";
import { CompletionCommand } from "./commands/completion.js";
import { ConfigCheckCommand, ConfigRenderCommand } from "./commands/config.js";
import { HelpCommand } from "./commands/help.js";
import { HostCleanupCommand, HostPurgeCommand } from "./commands/host.js";
import { ListCommand } from "./commands/list.js";
import { PlanCommand } from "./commands/plan.js";
import { PluginsCommand } from "./commands/plugins.js";
import { BuildAndPublishCommand, PublishCommand } from "./commands/publish.js";
import { PullCommand } from "./commands/pull.js";
import { PushCommand } from "./commands/push.js";
import type { CommandContext } from "./context.js";
import { environmentVariableOf } from "./option-conventions.js";
import { StagesCli } from "./stages-cli.js";
import { version } from "./version.js";

/** The commands of stages itself; plugins add theirs. */
export const builtinCommands: CommandClass<CommandContext>[] = [
  BuildCommand,
  PushCommand,
  PullCommand,
  PublishCommand,
  BuildAndPublishCommand,
  PlanCommand,
  ListCommand,
  CleanupCommand,
  PurgeCommand,
  HostCleanupCommand,
  HostPurgeCommand,
  ConfigRenderCommand,
  ConfigCheckCommand,
  PluginsCommand,
  HelpCommand,
  CompletionCommand,
];

/** Creates the clipanion app with the built-in commands and those of the given plugins. */
export function createCli(extraCommands: readonly unknown[] = [], options: { colors?: boolean } = {}): StagesCli {
  const cli = new StagesCli({
    binaryLabel: "stages",
    binaryName: "stages",
    binaryVersion: version,
    enableCapture: false,
    enableColors: options.colors ?? false,
  });
  for (const command of [...builtinCommands, ...(extraCommands as CommandClass<CommandContext>[])])
    cli.register(command);
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  return cli;
}

function optionValue(argv: readonly string[], name: string): string | undefined {
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (argument === name) return argv[index + 1];
    if (argument.startsWith(`${name}=`)) return argument.slice(name.length + 1);
  }
  return undefined;
}

/**
 * Whether the command line can name a plugin's command, which only the project's config says
 * (`plugins:` in its meta). Not when it starts with `--version`/`-v` or with the whole path of a
 * built-in command (`build`, `host cleanup`...): that command owns what follows, so a plugin cannot
 * add `build something`. Then neither the config nor core is loaded before the command runs, and
 * `stages build --help` loads nothing but the command classes. `stages`, `--help`, `help` and
 * anything else look the plugins up (the help lists their commands).
 */
export function mayNamePluginCommand(argv: readonly string[]): boolean {
  const first = argv[0];
  if (first === "--version" || first === "-v") return false;
  return !builtinCommands.some((command) =>
    (command.paths ?? []).some(
      (path) => path.length > 0 && path.length <= argv.length && path.every((word, index) => argv[index] === word),
    ),
  );
}

/** Commands of the plugins the project lists, found before parsing the command line. */
async function pluginCommands(argv: readonly string[], context: CommandContext): Promise<unknown[]> {
  if (!mayNamePluginCommand(argv)) return [];
  let pluginCommandClasses: typeof import("./plugin-commands.js").pluginCommandClasses;
  let plugins: Awaited<ReturnType<typeof import("./plugins.js").loadPlugins>>;
  try {
    const [{ projectOfRun }, { loadPlugins }, commands] = await Promise.all([
      import("./run/project-of-run.js"),
      import("./plugins.js"),
      import("./plugin-commands.js"),
    ]);
    pluginCommandClasses = commands.pluginCommandClasses;
    // The command that runs gets this same project (context.projects).
    const project = await projectOfRun(context, {
      cwd: context.cwd,
      dir: optionValue(argv, "--dir"),
      config: optionValue(argv, "--config"),
      environment: context.env,
      werfEnv: optionValue(argv, "--env"),
    });
    if (project.config.meta.plugins.length === 0) return [];
    plugins = await loadPlugins(project.config.meta.plugins, project.directory);
  } catch {
    // The command itself reports a broken config or plugin, with the right exit code.
    return [];
  }
  return plugins.flatMap((plugin) => {
    try {
      return pluginCommandClasses(plugin);
    } catch (error) {
      // Said here: without its commands, the command line would fail as an unknown command only.
      const { hint } = error as { hint?: string };
      const hintLine = hint ? `\n  hint: ${hint}` : "";
      context.stderr.write(`stages: error: ${(error as Error).message}${hintLine}\n`);
      return [];
    }
  });
}

/**
 * The command line as the plugin lookup reads it: `--dir`, `--config` and `--env` from STAGES_DIR,
 * STAGES_CONFIG and STAGES_ENV when not given, as the command will take them, so that the lookup
 * loads the project the command runs in (and the command reuses that load).
 */
function withProjectDefaults(argv: readonly string[], env: Readonly<Record<string, string | undefined>>) {
  const defaults = ["--dir", "--config", "--env"].flatMap((name) => {
    const value = env[environmentVariableOf(name)];
    const given = argv.some((argument) => argument === name || argument.startsWith(`${name}=`));
    return given || !value ? [] : [`${name}=${value}`];
  });
  return [...argv, ...defaults];
}

/** `stages help [COMMAND...]` is `stages [COMMAND...] --help`. */
function helpAsOption(argv: readonly string[]): readonly string[] {
  if (argv[0] !== "help") return argv;
  return [...argv.slice(1), "--help"];
}

export interface RunOptions {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  cwd: string;
  interactive: boolean;
  /** Whether stdout is a terminal (colored help). */
  colorOutput?: boolean;
  signal: AbortSignal;
}

/** Runs `stages` with these arguments; resolves with the exit code. */
export async function runCli(argv: readonly string[], options: RunOptions): Promise<number> {
  const colors = (options.colorOutput ?? false) && options.env.NO_COLOR === undefined;
  const context: CommandContext = {
    stdin: options.stdin,
    stdout: options.stdout,
    stderr: options.stderr,
    env: options.env,
    colorDepth: options.interactive && options.env.NO_COLOR === undefined ? 8 : 1,
    cwd: options.cwd,
    interactive: options.interactive,
    signal: options.signal,
    projects: new Map(),
  };
  const words = helpAsOption(argv);
  const cli = createCli(await pluginCommands(withProjectDefaults(words, options.env), context), { colors });
  if (words[0] === "__complete") {
    const { completionCandidates } = await import("./completion/candidates.js");
    const candidates = await completionCandidates(cli.commands(), words.slice(1), options);
    if (candidates.length > 0) options.stdout.write(`${candidates.join("\n")}\n`);
    return 0;
  }
  let command: ReturnType<typeof cli.process>;
  try {
    command = cli.process([...words], context);
  } catch (error) {
    const { describeUsageError, groupUsage, writeUsageError, wantsJson } = await import("./usage-error.js");
    // `stages host --help`: the commands of the group.
    const group = words.includes("--help") || words.includes("-h") ? groupUsage(cli, words) : null;
    if (group !== null) {
      options.stdout.write(group);
      return 0;
    }
    writeUsageError(await describeUsageError(cli, words, error), options, wantsJson(words, options.env));
    return 2;
  }
  return cli.run(command, context);
}
