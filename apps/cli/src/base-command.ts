import type { SecretRedactor, StagesEvent } from "@stages/core";
import { Command, Option } from "clipanion";
import type { CommandContext } from "./context.js";
import { conventions } from "./option-conventions.js";
import type { Project } from "./project.js";
import type { Renderer } from "./render.js";
import type { Services } from "./services.js";

// Commands import it from here, next to the command they extend.
export { summarizeProcedure } from "./summary.js";

/** What a command's `run` gets: the loaded project, its adapters, and where to report. */
export interface Session {
  project: Project;
  services: Services;
  renderer: Renderer;
  signal: AbortSignal;
  /** The command's environment (flags' fallbacks such as STAGES_LOCK). */
  env: Readonly<Record<string, string | undefined>>;
  /** Secrets of the run (the lock URL's password): blanked out of stderr, stdout and --json. */
  redactor: SecretRedactor;
  /** Passes events to the renderer and to plugin hooks. */
  onEvent(event: StagesEvent): void;
}

/**
 * The options every project command takes, and the one way errors and results are printed.
 *
 * This file and the command classes import nothing heavy: `stages --help` and `stages build --help`
 * load only them. What a command does is loaded when it runs (`./run/*.js`, and core, the engine,
 * registry and git adapters behind them).
 */
export abstract class ProjectCommand extends Command<CommandContext> {
  dir = dirOption();
  configFile = configOption();
  json = conventions(
    Option.Boolean("--json", false, {
      description: "Print one JSON result document on stdout (logs stay on stderr)",
    }),
    { kind: "boolean" },
  );
  debug = conventions(Option.Boolean("--debug", false, { description: "Show stack traces of errors" }), {
    kind: "boolean",
  });
  werfEnv = werfEnvOption();
  /**
   * Only commands that talk to a registry take `--insecure-registry` (they override this with
   * insecureRegistryOption()), only those that build take `--network` (networkOption()): `--network`
   * on `stages push` is a usage error rather than an option that does nothing.
   */
  insecureRegistries: string[] = [];
  network: string | undefined = undefined;
  /** Plugin settings (`stages plugins` lists them); each has its own STAGES_<NAME> variable. */
  settings = conventions(
    Option.Array("--setting", [], {
      description: "A plugin setting, name=value (repeatable; `stages plugins` lists them and their variables)",
    }),
    { value: "name=value", kind: "list", env: false },
  );
  adapters = conventions(
    Option.Array("--adapter", [], {
      description:
        "The adapter of a kind by the name a plugin registered, kind=name (repeatable): localStorage, builder, remoteStorage, transfer, lock",
    }),
    { value: "kind=name", kind: "list", env: false },
  );

  /** Does the command's work; the returned document is what `--json` prints. */
  abstract run(session: Session): Promise<object>;

  /** A human summary of the result, printed on stdout without --json. */
  summarize(_result: object): string | null {
    return null;
  }

  async execute(): Promise<number> {
    const { executeProjectCommand } = await import("./run/project-command.js");
    return executeProjectCommand(this);
  }
}

/** `--dir`: where the project is (every command that reads the config). */
export const dirOption = () =>
  conventions(
    Option.String("--dir", {
      description: "Directory of the project (where stages.yaml is); default: the current directory",
    }),
    { value: "path" },
  );

/** `--config`: another config file than stages.yaml/werf.yaml. */
export const configOption = () =>
  conventions(
    Option.String("--config", { description: "Config file to read instead of stages.yaml/werf.yaml in --dir" }),
    { value: "file" },
  );

/** `--env`: werf's environment of templates. */
export const werfEnvOption = () =>
  conventions(
    Option.String("--env", { description: "werf's environment: .Env in a werf.yaml template (as werf's --env)" }),
    { value: "env" },
  );

/** `--insecure-registry`: for the commands that talk to a registry. */
export const insecureRegistryOption = () =>
  conventions(
    Option.Array("--insecure-registry", [], {
      description:
        "Registry host allowed over plain HTTP (repeatable; the variable: comma-separated); localhost and 127.0.0.0/8 always are",
    }),
    { value: "host", kind: "list" },
  );

/** `--network`: for the commands that build. */
export const networkOption = () =>
  conventions(
    Option.String("--network", {
      description: "Network mode of build containers: none (the default), host, default, or a network name",
    }),
    { value: "mode" },
  );
