import { setMaxListeners } from "node:events";
import { exitCodes } from "./exit-codes.js";

/** How long a second Ctrl-C still lets the cleanup of the first run before the process exits. */
export const secondSignalGraceMs = 5_000;

/** What the interruption needs from the process; `main.ts` passes the real ones, tests their own. */
export interface InterruptionHost {
  write(text: string): void;
  exit(code: number): void;
  /** Starts a timer that must not keep the process alive by itself. */
  startTimer(milliseconds: number, callback: () => void): void;
}

export interface Interruption {
  /** Aborted by the first signal: every adapter call takes it. */
  readonly signal: AbortSignal;
  /** Handles one SIGINT or SIGTERM. */
  onSignal(name: string): void;
  /** Records that the work ended with this exit code; returns the code the process exits with. */
  finish(code: number): number;
}

/**
 * Ctrl-C semantics (DESIGN §10):
 * - the first signal cancels the work; the work's own cleanup (build containers, push aliases) runs
 *   and the command exits 130;
 * - a second signal must not cut that cleanup short (`timeout` without `--foreground` sends two
 *   signals ~10 ms apart, so a user never pressed twice): the cleanup keeps going for at most
 *   `graceMs`, then the process exits 130;
 * - a third signal exits at once;
 * - once the work has finished, its exit code stands: a signal that comes after a printed result
 *   does not turn a success into 130.
 */
export function createInterruption(host: InterruptionHost, graceMs: number = secondSignalGraceMs): Interruption {
  const controller = new AbortController();
  // Every adapter call in flight listens to this one signal (a project's stage lookups run side by
  // side: a Dockerfile of 20 instructions is 20 at once): many listeners here are no leak.
  setMaxListeners(0, controller.signal);
  let signals = 0;
  let finishedWith: number | null = null;
  return {
    signal: controller.signal,
    onSignal(name) {
      // The work is over and its result printed: leave now, with the work's code.
      if (finishedWith !== null) return host.exit(finishedWith);
      signals++;
      if (signals === 1) {
        host.write(
          `\nstages: ${name}: cancelling, removing temporary containers and aliases (press Ctrl-C again to stop waiting for them)\n`,
        );
        controller.abort(new Error(`received ${name}`));
        return;
      }
      if (signals === 2) {
        host.write(
          `stages: ${name} again: still removing temporary containers and aliases, for at most ${Math.round(graceMs / 1000)} s (press Ctrl-C once more to quit at once and leave them)\n`,
        );
        host.startTimer(graceMs, () => {
          if (finishedWith !== null) return;
          host.write(`stages: cleanup did not finish within ${Math.round(graceMs / 1000)} s: quitting\n`);
          host.exit(exitCodes.interrupted);
        });
        return;
      }
      host.exit(exitCodes.interrupted);
    },
    finish(code) {
      finishedWith = code;
      return code;
    },
  };
}
