import type { BaseContext } from "clipanion";
import type { Project } from "./project.js";

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
  /**
   * The projects this run loaded, by where and how they were read: the project `runCli` loaded to
   * find plugin commands is the one the command gets (a templated config renders once a run).
   */
  projects?: Map<string, Promise<Project>>;
}
