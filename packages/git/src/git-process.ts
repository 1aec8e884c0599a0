import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { AbortedError, GitError, throwIfAborted } from "@stages/core";

/** How to run one git command. */
export interface GitCommand {
  gitBinary: string;
  /** Arguments after the binary. */
  args: readonly string[];
  /** Working directory; git's own `-C` is preferred for the first contact with a work tree. */
  cwd?: string;
  /** Environment of git (default: this process's); remote fetches pass credentials this way, never in args. */
  env?: NodeJS.ProcessEnv;
  /** Written to git's standard input, which is closed afterwards. */
  input?: string;
  /** Receives stdout chunk by chunk; stdout is then not collected. */
  onStdout?: (chunk: Buffer) => void;
  signal?: AbortSignal | undefined;
}

/** What a finished git command printed. */
export interface GitOutput {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

/**
 * Runs git and resolves when it exits, whatever its exit code. Rejects with GitError when git cannot
 * be started and with AbortedError when the signal aborts it (the process is killed).
 */
export function runGit(command: GitCommand): Promise<GitOutput> {
  throwIfAborted(command.signal);
  return new Promise((resolve, reject) => {
    const child = spawn(command.gitBinary, command.args, {
      cwd: command.cwd,
      env: command.env,
      stdio: [command.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      signal: command.signal,
      windowsHide: true,
    });
    const stdoutChunks: Buffer[] = [];
    const stderrChunks: Buffer[] = [];
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      reject(error);
    };
    child.on("error", (error: NodeJS.ErrnoException) => fail(startFailure(command, error)));
    child.stdout?.on("data", (chunk: Buffer) => {
      if (failed) return;
      if (command.onStdout === undefined) {
        stdoutChunks.push(chunk);
        return;
      }
      try {
        command.onStdout(chunk);
      } catch (error) {
        fail(error);
        child.kill();
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => stderrChunks.push(chunk));
    if (command.input !== undefined && child.stdin !== null) {
      // git may exit before reading everything (e.g. a path it cannot open): that error wins.
      child.stdin.on("error", () => {});
      child.stdin.end(command.input);
    }
    child.on("close", (code, signalName) => {
      if (failed) return;
      if (command.signal?.aborted) {
        fail(new AbortedError("the operation was cancelled", { cause: command.signal.reason }));
        return;
      }
      failed = true;
      resolve({
        stdout: Buffer.concat(stdoutChunks),
        stderr: Buffer.concat(stderrChunks).toString("utf8").trim(),
        exitCode: code ?? (signalName === null ? 1 : 128),
      });
    });
  });
}

/** Runs git and rejects with GitError naming the command when it exits with a non-zero code. */
export async function runGitChecked(command: GitCommand): Promise<GitOutput> {
  const output = await runGit(command);
  if (output.exitCode !== 0) {
    throw new GitError(
      `[git] "git ${command.args.join(" ")}" failed with exit code ${output.exitCode}${output.stderr === "" ? "" : `: ${output.stderr}`}`,
    );
  }
  return output;
}

/** The error to report when git could not be started, or was killed by the command's signal. */
function startFailure(command: GitCommand, error: NodeJS.ErrnoException): Error {
  if (command.signal?.aborted) return new AbortedError("the operation was cancelled", { cause: command.signal.reason });
  if (error.code === "ENOENT") {
    return new GitError(`[git] cannot run "${command.gitBinary}": not found`, {
      cause: error,
      hint: "install git or pass gitBinary with the path of the git executable",
    });
  }
  return new GitError(`[git] cannot run "${command.gitBinary}": ${error.message}`, { cause: error });
}

/** How a streamed git command ended, for `streamGitLines`' callers that read its exit themselves. */
export interface GitExit {
  exitCode: number;
  stderr: string;
}

/**
 * Runs git and yields its stdout as git prints it, in batches of whole lines (without the newline;
 * one batch a chunk read, so the consumer pays one await per chunk rather than per line), reading no
 * faster than the consumer asks (the pipe's back-pressure holds git). When the consumer stops early
 * (`break`, `return()`, a throw), git is killed and the generator finishes only once git has exited,
 * so no process outlives the walk. Ends by calling `onExit` with git's exit code and stderr when git
 * ran to its end; without `onExit`, a non-zero exit rejects with GitError naming the command.
 * Rejects with AbortedError when the signal aborts (git is killed).
 */
export async function* streamGitLines(
  command: Omit<GitCommand, "input" | "onStdout">,
  onExit?: (exit: GitExit) => void,
): AsyncGenerator<string[], void, undefined> {
  throwIfAborted(command.signal);
  const child: ChildProcess = spawn(command.gitBinary, command.args, {
    cwd: command.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    signal: command.signal,
    windowsHide: true,
  });
  let startError: NodeJS.ErrnoException | null = null;
  // "close" follows "error" too, also when git could not be started (ENOENT): the one place that says git is gone.
  const closed = new Promise<number | null>((resolve) => {
    child.on("error", (error: NodeJS.ErrnoException) => {
      startError ??= error;
    });
    child.on("close", (code) => resolve(code));
  });
  const stderrChunks: Buffer[] = [];
  let stderrBytes = 0;
  child.stderr?.on("data", (chunk: Buffer) => {
    // Only the start is kept: git says what went wrong first, and a runaway stderr must not fill memory.
    if (stderrBytes >= 65_536) return;
    stderrChunks.push(chunk);
    stderrBytes += chunk.length;
  });
  const cancelled = () => new AbortedError("the operation was cancelled", { cause: command.signal?.reason });
  try {
    let rest = "";
    const stdout = child.stdout;
    if (stdout !== null) {
      stdout.setEncoding("utf8");
      try {
        for await (const chunk of stdout as AsyncIterable<string>) {
          const lines = (rest + chunk).split("\n");
          rest = lines.pop() ?? "";
          if (command.signal?.aborted) throw cancelled();
          if (lines.length > 0) yield lines;
        }
      } catch (error) {
        if (command.signal?.aborted) throw cancelled();
        throw error;
      }
    }
    const exitCode = await closed;
    if (startError !== null) throw startFailure(command, startError);
    if (command.signal?.aborted) throw cancelled();
    if (rest !== "") yield [rest];
    const exit = { exitCode: exitCode ?? 128, stderr: Buffer.concat(stderrChunks).toString("utf8").trim() };
    if (onExit) onExit(exit);
    else if (exit.exitCode !== 0) {
      throw new GitError(
        `[git] "git ${command.args.join(" ")}" failed with exit code ${exit.exitCode}${exit.stderr === "" ? "" : `: ${exit.stderr}`}`,
      );
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await closed;
  }
}
