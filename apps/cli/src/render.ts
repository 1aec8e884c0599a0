import type { Writable } from "node:stream";
import type { StagesEvent, TransferProgress } from "@stages/core";

/** Turns procedure events into what a person reads on stderr. */
export interface Renderer {
  onEvent(event: StagesEvent): void;
  /** Prints an informational line (not tied to a stage). */
  info(line: string): void;
  /** Stops live updates, leaving the final state on screen. */
  close(): void;
}

export interface RendererOptions {
  stream: Writable;
  /** Live progress on a terminal; one plain line per event otherwise. */
  live: boolean;
  color: boolean;
  /** Print the output of building commands (always on failure, through the error). */
  verbose?: boolean;
}

const finishedStatuses =
  /^(Pushed|Pull complete|Already exists|Layer already exists|Mounted from|Download complete|Downloaded)/;

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function formatDuration(milliseconds: number): string {
  return milliseconds < 1000 ? `${milliseconds}ms` : `${(milliseconds / 1000).toFixed(1)}s`;
}

function imageLabel(image: string | null): string {
  return image ?? "~";
}

/** Creates the renderer for a terminal (live) or a log (plain lines). */
export function createRenderer(options: RendererOptions): Renderer {
  const paint = (code: string, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const actionColor: Record<string, string> = {
    built: "32",
    pushed: "32",
    pulled: "36",
    cached: "2",
    skipped: "2",
    local: "2",
    missing: "33",
  };

  // A Dockerfile stage shows its instruction and line instead of the bare keyword.
  const stageLine = (
    event: { image: string | null; stage: string; signature: string; detail?: string | undefined },
    rest: string,
  ) =>
    `${paint("1", `[${imageLabel(event.image)}]`)} ${(event.detail ?? event.stage).padEnd(20)} ${paint("2", event.signature.slice(0, 12))}  ${rest}`;

  if (!options.live) {
    return {
      onEvent(event) {
        switch (event.type) {
          case "stage-started":
            options.stream.write(
              `${stageLine(event, `${event.work === "build" ? "building" : `${event.work}ing`}`)}\n`,
            );
            break;
          case "stage-finished":
            options.stream.write(
              `${stageLine(event, `${paint(actionColor[event.action] ?? "0", event.action)}${event.durationMs > 0 ? ` in ${formatDuration(event.durationMs)}` : ""}`)}\n`,
            );
            break;
          case "stage-output":
            if (options.verbose !== false) {
              for (const line of event.text.replace(/\n$/, "").split("\n"))
                options.stream.write(`${paint("2", `[${imageLabel(event.image)}] ${event.stage} |`)} ${line}\n`);
            }
            break;
          case "transfer-progress":
            if (finishedStatuses.test(event.progress.status)) {
              const size = event.progress.total ? ` ${formatBytes(event.progress.total)}` : "";
              options.stream.write(
                `${stageLine(event, `layer ${event.progress.id} ${event.progress.status}${size}`)}\n`,
              );
            }
            break;
          case "stage-note":
            options.stream.write(`${stageLine(event, `${paint("33", event.note)}: ${event.text}`)}\n`);
            break;
          case "note":
            options.stream.write(`${event.level === "warning" ? `${paint("33", "warning")}: ` : ""}${event.text}\n`);
            break;
          case "publish-started":
            break;
          case "publish-finished":
            options.stream.write(
              `${paint("1", `[${imageLabel(event.image)}]`)} published ${event.reference} (${event.method}) ${paint("2", event.digest)}\n`,
            );
            break;
        }
      },
      info(line) {
        options.stream.write(`${line}\n`);
      },
      close() {},
    };
  }

  // Live: finished lines scroll up; a block at the bottom shows stages in progress and their layers.
  const active = new Map<string, { label: string; started: number; layers: Map<string, TransferProgress> }>();
  let drawn = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const clear = () => {
    if (drawn > 0) options.stream.write(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    timer = undefined;
    clear();
    const lines: string[] = [];
    for (const entry of active.values()) {
      lines.push(`${entry.label} ${paint("33", `${formatDuration(Date.now() - entry.started)}`)}`);
      for (const layer of entry.layers.values()) {
        const amount =
          layer.current !== null && layer.total ? ` ${formatBytes(layer.current)}/${formatBytes(layer.total)}` : "";
        lines.push(`    ${paint("2", layer.id)} ${layer.status}${amount}`);
      }
    }
    if (lines.length > 0) options.stream.write(`${lines.join("\n")}\n`);
    drawn = lines.length;
  };
  const schedule = () => {
    timer ??= setTimeout(draw, 80);
  };
  const permanent = (line: string) => {
    clear();
    options.stream.write(`${line}\n`);
    schedule();
  };
  return {
    onEvent(event) {
      switch (event.type) {
        case "stage-started":
          active.set(event.signature + event.work, {
            label: stageLine(event, `${event.work === "build" ? "building" : `${event.work}ing`}…`),
            started: Date.now(),
            layers: new Map(),
          });
          schedule();
          break;
        case "stage-finished":
          for (const key of [...active.keys()]) if (key.startsWith(event.signature)) active.delete(key);
          permanent(
            stageLine(
              event,
              `${paint(actionColor[event.action] ?? "0", event.action)}${event.durationMs > 0 ? ` in ${formatDuration(event.durationMs)}` : ""}`,
            ),
          );
          break;
        case "stage-output":
          if (options.verbose !== false) {
            for (const line of event.text.replace(/\n$/, "").split("\n"))
              permanent(`${paint("2", `[${imageLabel(event.image)}] ${event.stage} |`)} ${line}`);
          }
          break;
        case "transfer-progress": {
          const entry = [...active.entries()].find(([key]) => key.startsWith(event.signature))?.[1];
          if (entry) {
            entry.layers.set(event.progress.id, event.progress);
            schedule();
          }
          break;
        }
        case "stage-note":
          permanent(stageLine(event, `${paint("33", event.note)}: ${event.text}`));
          break;
        case "note":
          permanent(`${event.level === "warning" ? `${paint("33", "warning")}: ` : ""}${event.text}`);
          break;
        case "publish-started":
          active.set(`publish:${event.reference}`, {
            label: `${paint("1", `[${imageLabel(event.image)}]`)} publishing ${event.reference} (${event.method})…`,
            started: Date.now(),
            layers: new Map(),
          });
          schedule();
          break;
        case "publish-finished":
          active.delete(`publish:${event.reference}`);
          permanent(
            `${paint("1", `[${imageLabel(event.image)}]`)} published ${event.reference} (${event.method}) ${paint("2", event.digest)}`,
          );
          break;
      }
    },
    info(line) {
      permanent(line);
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      active.clear();
      clear();
    },
  };
}
