#!/usr/bin/env node
import { runCli } from "./cli.js";
import { exitCodes } from "./exit-codes.js";

const controller = new AbortController();
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals) => {
  interrupts++;
  if (interrupts > 1) process.exit(exitCodes.interrupted);
  process.stderr.write(
    `\nstages: ${signal}: cancelling, removing temporary containers (press Ctrl-C again to quit at once)\n`,
  );
  controller.abort(new Error(`received ${signal}`));
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: { ...process.env },
  cwd: process.cwd(),
  interactive: Boolean(process.stderr.isTTY),
  colorOutput: Boolean(process.stdout.isTTY),
  signal: controller.signal,
});
process.exitCode = controller.signal.aborted ? exitCodes.interrupted : code;
