import type { BaseContext } from "clipanion";

/**
 * What every command gets from the process: commands never touch `process` themselves, so that
 * tests run them in-process with their own streams, environment and directory.
 */
export interface CommandContext extends BaseContext {
  cwd: string;
  /** Whether stderr is a terminal (live progress) or not (one plain line per event). */
  interactive: boolean;
  /** Aborted on Ctrl-C: every adapter call takes it. */
  signal: AbortSignal;
}
