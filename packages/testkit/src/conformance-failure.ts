import { AbortedError } from "@stages/core";

/**
 * A conformance check that failed: the message says what the adapter did and what to change, since
 * the reader is often a plugin author who has not read the procedures that rely on the contract.
 */
export class ConformanceFailure extends Error {
  override name = "ConformanceFailure";
}

/** One line naming an error the adapter threw (name, code when a StagesError, message). */
export function describeThrown(error: unknown): string {
  if (!(error instanceof Error)) return `a non-Error value (${String(error)})`;
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === "string" ? ` [${code}]` : ""}: ${error.message}`;
}

/** Awaits `call`, turning an unexpected rejection into a failure that names the call. */
export async function expectResolves<T>(what: string, call: () => Promise<T>, fix: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new ConformanceFailure(`${what} rejected with ${describeThrown(error)}; ${fix}`, { cause: error });
  }
}

const abortFix =
  "call throwIfAborted(options?.signal) from @stages/core at the start of the method (and after each " +
  "await that did not get the signal), and pass the signal on to your I/O (fetch, fs, child processes)";

/**
 * Calls `call` with an already aborted signal: it must reject with AbortedError, which the
 * procedures tell apart from failures (a cancelled build is not a broken storage).
 */
export async function expectAbortedError(what: string, call: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  const controller = new AbortController();
  controller.abort(new Error("aborted by the conformance suite"));
  let outcome: { resolved: true } | { resolved: false; error: unknown };
  try {
    await call(controller.signal);
    outcome = { resolved: true };
  } catch (error) {
    outcome = { resolved: false, error };
  }
  if (outcome.resolved) {
    throw new ConformanceFailure(`${what} resolved although its signal was already aborted: ${abortFix}`);
  }
  if (!AbortedError.isInstance(outcome.error)) {
    throw new ConformanceFailure(
      `${what} rejected with ${describeThrown(outcome.error)} for an aborted signal, not with AbortedError: ` +
        "throw AbortedError (throwIfAborted(signal) from @stages/core throws it; wrap the AbortError of fetch " +
        "or fs as new AbortedError(message, { cause: error }))",
      { cause: outcome.error },
    );
  }
}
