import { spawn } from "node:child_process";
import { AbortedError, GitError, throwIfAborted } from "@stages/core";

/** How to run one git command. */
export interface GitCommand {
  gitBinary: string;
  /** Arguments after the binary. */
  args: readonly string[];
  /** Working directory; git's own `-C` is preferred for the first contact with a work tree. */
  cwd?: string;
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
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (command.signal?.aborted) {
        fail(new AbortedError("the operation was cancelled", { cause: command.signal.reason }));
      } else if (error.code === "ENOENT") {
        fail(
          new GitError(`[git] cannot run "${command.gitBinary}": not found`, {
            cause: error,
            hint: "install git or pass gitBinary with the path of the git executable",
          }),
        );
      } else {
        fail(new GitError(`[git] cannot run "${command.gitBinary}": ${error.message}`, { cause: error }));
      }
    });
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
