import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { AbortedError, GitError, throwIfAborted } from "@stages/core";

/** Reads blobs of one repository by id. */
export interface BlobReader {
  read(blobId: string, signal?: AbortSignal): Promise<Buffer>;
}

interface Request {
  blobId: string;
  resolve(bytes: Buffer): void;
  reject(error: unknown): void;
}

/** How long an idle `git cat-file --batch` lives before it is closed. */
const idleMs = 200;

/**
 * Reads blobs through one `git cat-file --batch` at a time (answers come in the order asked), so
 * that the thousands of files of a gitArchive cost one process, not one each (2000 files: 16 s with
 * a process a file on this machine). The process is closed when idle, so nothing outlives the work.
 */
export function createBlobReader(gitBinary: string, directory: string): BlobReader {
  let child: ChildProcessWithoutNullStreams | null = null;
  let queue: Request[] = [];
  let buffered: Buffer = Buffer.alloc(0);
  let idle: NodeJS.Timeout | null = null;

  function failAll(error: unknown): void {
    const failed = queue;
    queue = [];
    for (const request of failed) request.reject(error);
  }

  function start(): ChildProcessWithoutNullStreams {
    const started = spawn(gitBinary, ["-C", directory, "cat-file", "--batch"], {
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    let stderr = "";
    buffered = Buffer.alloc(0);
    started.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString("utf8");
    });
    started.stdin.on("error", () => {});
    started.stdout.on("data", (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      drain();
    });
    started.on("error", (error) => {
      if (child === started) child = null;
      failAll(new GitError(`[git] cannot run "${gitBinary} cat-file": ${error.message}`, { cause: error }));
    });
    started.on("close", (code) => {
      if (child === started) child = null;
      if (queue.length > 0)
        failAll(new GitError(`[git] git cat-file in ${directory} stopped (exit code ${code}): ${stderr.trim()}`));
    });
    return started;
  }

  /** Answers the requests whose whole answer has arrived. */
  function drain(): void {
    for (;;) {
      const newline = buffered.indexOf(10);
      if (newline === -1) return;
      const header = buffered.subarray(0, newline).toString("utf8");
      const request = queue[0];
      const [, type, sizeText] = header.split(" ");
      if (type === "missing" || sizeText === undefined) {
        buffered = buffered.subarray(newline + 1);
        queue.shift();
        request?.reject(
          new GitError(`[git] blob ${request.blobId} is missing from ${directory}`, {
            hint: `the git cache is damaged: remove ${directory} and run again`,
          }),
        );
        continue;
      }
      const size = Number(sizeText);
      if (buffered.length < newline + 1 + size + 1) return;
      const bytes = Buffer.from(buffered.subarray(newline + 1, newline + 1 + size));
      buffered = buffered.subarray(newline + 1 + size + 1);
      queue.shift();
      request?.resolve(bytes);
    }
  }

  function scheduleClose(): void {
    if (idle !== null) clearTimeout(idle);
    idle = setTimeout(() => {
      idle = null;
      if (queue.length === 0 && child !== null) {
        child.stdin.end();
        child = null;
      }
    }, idleMs);
    idle.unref();
  }

  return {
    read(blobId, signal) {
      throwIfAborted(signal);
      if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(blobId)) {
        return Promise.reject(new GitError(`[git] "${blobId}" is not a blob id`));
      }
      child ??= start();
      const running = child;
      const answer = new Promise<Buffer>((resolve, reject) => {
        queue.push({ blobId, resolve, reject });
      }).finally(scheduleClose);
      running.stdin.write(`${blobId}\n`);
      if (signal === undefined) return answer;
      // The answer still arrives and is dropped: cat-file answers in order, so it cannot be skipped.
      return Promise.race([
        answer,
        new Promise<never>((_, reject) => {
          signal.addEventListener(
            "abort",
            () => reject(new AbortedError("the operation was cancelled", { cause: signal.reason })),
            { once: true },
          );
        }),
      ]);
    },
  };
}
