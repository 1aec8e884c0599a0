import type { Writable } from "node:stream";
import {
  AbortedError,
  ConfigError,
  createSecretRedactor,
  type ProcedureResult,
  type SecretRedactor,
  StagesError,
  type StagesEvent,
  UsageError as StagesUsageError,
} from "@stages/core";
import { Command, Option } from "clipanion";
import type { CommandContext } from "./context.js";
import { exitCodes } from "./exit-codes.js";
import { loadProject, type Project } from "./project.js";
import { redactingStream } from "./redacting-stream.js";
import { createRenderer, type Renderer } from "./render.js";
import { createServices, type Services } from "./services.js";

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

/** The options every project command takes, and the one way errors and results are printed. */
export abstract class ProjectCommand extends Command<CommandContext> {
  dir = Option.String("--dir", {
    description: "Directory of the project (where stages.yaml is); default: the current directory",
  });
  configFile = Option.String("--config", {
    description: "Config file to read instead of stages.yaml/werf.yaml in --dir",
  });
  json = Option.Boolean("--json", false, {
    description: "Print one JSON result document on stdout (logs stay on stderr)",
  });
  insecureRegistries = Option.Array("--insecure-registry", [], {
    description: "Registry host allowed over plain HTTP (repeatable); localhost and 127.0.0.0/8 always are",
  });
  debug = Option.Boolean("--debug", false, { description: "Show stack traces of errors" });
  werfEnv = Option.String("--env", {
    description: "werf's environment: .Env in a werf.yaml template (as werf's --env)",
  });
  network = Option.String("--network", {
    description: "Network mode of build containers: none (the default), host, default, or a network name",
  });

  /** Does the command's work; the returned document is what `--json` prints. */
  abstract run(session: Session): Promise<object>;

  /** A human summary of the result, printed on stdout without --json. */
  summarize(_result: object): string | null {
    return null;
  }

  async execute(): Promise<number> {
    const env = this.context.env;
    const redactor = createSecretRedactor();
    const stderr = redactingStream(this.context.stderr, redactor);
    const stdout = redactingStream(this.context.stdout, redactor);
    const renderer = createRenderer({
      stream: stderr,
      live: this.context.interactive && env.CI !== "true" && !this.json,
      color: this.context.interactive && env.NO_COLOR === undefined && env.TERM !== "dumb",
    });
    try {
      const project = await loadProject({
        cwd: this.context.cwd,
        dir: this.dir,
        config: this.configFile,
        environment: env,
        werfEnv: this.werfEnv,
      });
      // `formatted` already says "warning:" after the position.
      for (const warning of project.warnings) renderer.info(warning.formatted);
      const services = await createServices(
        project,
        { env, network: this.network, insecureRegistries: this.insecureRegistries, redactor },
        (line) => renderer.info(line),
      );
      const hooks = services.plugins.plugins.map((plugin) => plugin.hooks).filter((hooks) => hooks !== undefined);
      const session: Session = {
        project,
        services,
        renderer,
        signal: this.context.signal,
        env,
        redactor,
        onEvent: (event) => {
          renderer.onEvent(event);
          for (const hook of hooks) hook.onEvent?.(event);
        },
      };
      const result = await this.run(session);
      renderer.close();
      if ("images" in result) {
        for (const hook of hooks)
          await hook.afterProcedure?.(this.path.join(" "), result as ProcedureResult, services.context);
      }
      if (this.json) stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        const summary = this.summarize(result);
        if (summary) stdout.write(summary.endsWith("\n") ? summary : `${summary}\n`);
      }
      return exitCodes.ok;
    } catch (error) {
      renderer.close();
      return this.report(error, stderr, stdout);
    }
  }

  private report(error: unknown, stderr: Writable, stdout: Writable): number {
    const interrupted = AbortedError.isInstance(error) || this.context.signal.aborted;
    const code = interrupted
      ? exitCodes.interrupted
      : StagesUsageError.isInstance(error)
        ? exitCodes.usage
        : exitCodes.failure;
    const message = interrupted
      ? "interrupted: finished stages are kept, a re-run continues from them"
      : error instanceof Error
        ? error.message
        : String(error);
    if (ConfigError.isInstance(error)) {
      stderr.write(
        `stages: ${error.problems.length === 1 ? "error in the configuration" : `${error.problems.length} errors in the configuration`}:\n`,
      );
      for (const problem of error.problems) stderr.write(`  ${problem.formatted}\n`);
    } else {
      stderr.write(`stages: error: ${message}\n`);
      const hint = StagesError.isInstance(error) ? error.hint : undefined;
      if (hint && !interrupted) stderr.write(`  hint: ${hint}\n`);
    }
    if (this.debug && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
    else if (!StagesError.isInstance(error) && !interrupted)
      stderr.write("  (run with --debug to see where it happened)\n");
    if (this.json) {
      const stagesCode = StagesError.isInstance(error) ? error.code : interrupted ? "ABORTED" : "INTERNAL";
      stdout.write(`${JSON.stringify({ error: { code: stagesCode, message } }, null, 2)}\n`);
    }
    return code;
  }
}
