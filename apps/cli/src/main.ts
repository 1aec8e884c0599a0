#!/usr/bin/env node
import { enableCompileCache } from "./compile-cache.js";
import { version } from "./version.js";

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
  // What clipanion's version command prints, without loading clipanion and the command classes:
  // `stages --version` costs little more than starting Node.
  process.stdout.write(`${version}\n`);
} else {
  // First, so that every module loaded after it (all of the CLI but this entry) is compiled once
  // and then read from the cache. Nothing heavy is imported statically: a static import is compiled
  // before this line runs.
  enableCompileCache(process.env);
  await run();
}

async function run(): Promise<never> {
  const { createInterruption } = await import("./interruption.js");

  // The handlers are in place before the CLI's modules load, so that a Ctrl-C at any moment ends the
  // same way (exit 130 after cleanup) rather than by the default signal death.
  const interruption = createInterruption({
    write: (text) => process.stderr.write(text),
    exit: (code) => process.exit(code),
    startTimer: (milliseconds, callback) => setTimeout(callback, milliseconds).unref(),
  });
  process.on("SIGINT", (signal) => interruption.onSignal(signal));
  process.on("SIGTERM", (signal) => interruption.onSignal(signal));

  const { runCli } = await import("./cli.js");
  const code = await runCli(argv, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: { ...process.env },
    cwd: process.cwd(),
    interactive: Boolean(process.stderr.isTTY),
    colorOutput: Boolean(process.stdout.isTTY),
    signal: interruption.signal,
  });
  // The code follows the work: an interrupted command already returns 130, a finished one keeps its code.
  interruption.finish(code);
  // Leave as soon as the output is out rather than through Node's teardown: a signal that arrives while
  // the event loop winds down finds the default disposition again and kills the process (exit 130 for
  // the shell) after a result was printed.
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write("", () => resolve()));
}
