import type { Writable } from "node:stream";
import {
  AbortedError,
  ConfigError,
  createSecretRedactor,
  type ProcedureResult,
  StagesError,
  UsageError as StagesUsageError,
} from "@stages/core";
import type { ProjectCommand, Session } from "../base-command.js";
import { exitCodes } from "../exit-codes.js";
import { redactingStream } from "../redacting-stream.js";
import { createRenderer } from "../render.js";
import { createServices } from "../services.js";
import { projectOfRun } from "./project-of-run.js";

/** What `ProjectCommand.execute` does: load the project and adapters, run the command, print its result. */
export async function executeProjectCommand(command: ProjectCommand): Promise<number> {
  const { context } = command;
  const env = context.env;
  const redactor = createSecretRedactor();
  const stderr = redactingStream(context.stderr, redactor);
  const stdout = redactingStream(context.stdout, redactor);
  const renderer = createRenderer({
    stream: stderr,
    live: context.interactive && env.CI !== "true" && !command.json,
    color: context.interactive && env.NO_COLOR === undefined && env.TERM !== "dumb",
  });
  try {
    const project = await projectOfRun(context, {
      cwd: context.cwd,
      dir: command.dir,
      config: command.configFile,
      environment: env,
      werfEnv: command.werfEnv,
    });
    // `formatted` already says "warning:" after the position.
    for (const warning of project.warnings) renderer.info(warning.formatted);
    const services = await createServices(
      project,
      {
        env,
        network: command.network,
        insecureRegistries: command.insecureRegistries,
        settings: command.settings,
        adapters: command.adapters,
        redactor,
      },
      (line) => renderer.info(line),
    );
    const hooks = services.plugins.plugins.map((plugin) => plugin.hooks).filter((hooks) => hooks !== undefined);
    const session: Session = {
      project,
      services,
      renderer,
      signal: context.signal,
      env,
      redactor,
      onEvent: (event) => {
        renderer.onEvent(event);
        for (const hook of hooks) hook.onEvent?.(event);
      },
    };
    const result = await command.run(session);
    renderer.close();
    if ("images" in result) {
      for (const hook of hooks)
        await hook.afterProcedure?.(command.path.join(" "), result as ProcedureResult, services.context);
    }
    if (command.json) stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const summary = command.summarize(result);
      if (summary) stdout.write(summary.endsWith("\n") ? summary : `${summary}\n`);
    }
    return exitCodes.ok;
  } catch (error) {
    renderer.close();
    return report(command, error, stderr, stdout);
  }
}

function report(command: ProjectCommand, error: unknown, stderr: Writable, stdout: Writable): number {
  const interrupted = AbortedError.isInstance(error) || command.context.signal.aborted;
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
  if (command.debug && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  else if (!StagesError.isInstance(error) && !interrupted)
    stderr.write("  (run with --debug to see where it happened)\n");
  if (command.json) {
    const stagesCode = StagesError.isInstance(error) ? error.code : interrupted ? "ABORTED" : "INTERNAL";
    stdout.write(`${JSON.stringify({ error: { code: stagesCode, message } }, null, 2)}\n`);
  }
  return code;
}
