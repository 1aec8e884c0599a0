import type { TransferProgress } from "@stages/core";

/** What one message of the engine's JSON progress stream (pull, push, import) means. */
export type ProgressMessage =
  | { kind: "layer"; progress: TransferProgress }
  | { kind: "status"; text: string }
  | { kind: "digest"; digest: string }
  | { kind: "error"; message: string };

const digestPattern = /\b(sha256:[0-9a-f]{64})\b/;

/**
 * Reads one decoded message. Layer messages carry an `id` (a short layer id); the ones whose
 * `id` is a tag ("Pulling from ...") are statuses. A push ends with an `aux` holding the manifest
 * digest; a pull says `Digest: sha256:...`.
 */
export function parseProgressMessage(value: unknown): ProgressMessage[] {
  if (typeof value !== "object" || value === null) return [];
  const message = value as {
    status?: unknown;
    id?: unknown;
    progressDetail?: { current?: unknown; total?: unknown };
    error?: unknown;
    errorDetail?: { message?: unknown };
    aux?: { Digest?: unknown };
    stream?: unknown;
  };
  if (message.errorDetail !== undefined || message.error !== undefined) {
    const text = message.errorDetail?.message ?? message.error;
    return [{ kind: "error", message: typeof text === "string" ? text.trim() : JSON.stringify(text) }];
  }
  const results: ProgressMessage[] = [];
  if (typeof message.aux?.Digest === "string") results.push({ kind: "digest", digest: message.aux.Digest });
  const status = typeof message.status === "string" ? message.status : null;
  if (status !== null) {
    const id = typeof message.id === "string" ? message.id : null;
    if (id !== null && !status.startsWith("Pulling from")) {
      const current = numberOrNull(message.progressDetail?.current);
      const total = numberOrNull(message.progressDetail?.total);
      results.push({ kind: "layer", progress: { id, status, current, total } });
    } else {
      results.push({ kind: "status", text: id === null ? status : `${id}: ${status}` });
      const digest = /^Digest: /.test(status) || /: digest: /.test(status) ? digestPattern.exec(status)?.[1] : null;
      if (digest) results.push({ kind: "digest", digest });
    }
  } else if (typeof message.stream === "string" && message.stream.trim() !== "") {
    results.push({ kind: "status", text: message.stream.trim() });
  }
  return results;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** Splits a stream of JSON values separated by newlines into values; keeps partial lines. */
export class JsonLinesDecoder {
  private buffer = "";

  /** The complete values in `chunk` (together with what came before). */
  push(chunk: string): unknown[] {
    this.buffer += chunk;
    const values: unknown[] = [];
    let newline = this.buffer.indexOf("\n");
    while (newline !== -1) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line !== "") values.push(parseLine(line));
      newline = this.buffer.indexOf("\n");
    }
    return values;
  }

  /** Whatever is left at the end of the stream. */
  end(): unknown[] {
    const line = this.buffer.trim();
    this.buffer = "";
    return line === "" ? [] : [parseLine(line)];
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    // Not JSON: an engine or proxy said something in plain text; keep it as a status.
    return { status: line };
  }
}
