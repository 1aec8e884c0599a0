import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { createCli, runCli } from "./cli.js";
import type { CommandContext } from "./context.js";

/** What a run of `stages` printed, and its exit code. */
export interface InMemoryRun {
  code: number;
  stdout: string;
  stderr: string;
}

function collect(stream: PassThrough): () => string {
  let text = "";
  stream.on("data", (chunk) => {
    text += chunk;
  });
  return () => text;
}

/** Runs `stages` in-process with in-memory streams, in `cwd` (an empty folder by default). */
export async function runInMemory(
  argv: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<InMemoryRun> {
  const empty = options.cwd === undefined ? mkdtempSync(join(tmpdir(), "stages-cli-unit-")) : undefined;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  try {
    const code = await runCli(argv, {
      stdin: new PassThrough(),
      stdout,
      stderr,
      env: options.env ?? {},
      cwd: options.cwd ?? (empty as string),
      interactive: false,
      signal: new AbortController().signal,
    });
    return { code, stdout: out(), stderr: err() };
  } finally {
    if (empty !== undefined) rmSync(empty, { recursive: true, force: true });
  }
}

/** The command clipanion makes of a command line, with this environment (nothing runs). */
export function parsed<T>(argv: readonly string[], env: Record<string, string | undefined> = {}): T {
  const context: CommandContext = {
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    env,
    colorDepth: 1,
    cwd: "/",
    interactive: false,
    signal: new AbortController().signal,
  };
  return createCli().process([...argv], context) as T;
}
