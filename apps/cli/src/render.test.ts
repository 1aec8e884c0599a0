import { Writable } from "node:stream";
import type { Signature } from "@stages/core";
import { describe, expect, it } from "vitest";
import { createRenderer } from "./render.js";

function sink() {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk;
      callback();
    },
  });
  return { stream, text: () => text };
}

const subject = { image: "backend", stage: "install" as const, signature: "a".repeat(64) as Signature };

describe("renderer", () => {
  it("prints one plain line per event without colors when not live", () => {
    const output = sink();
    const renderer = createRenderer({ stream: output.stream, live: false, color: false });
    renderer.onEvent({ type: "stage-started", work: "build", ...subject });
    renderer.onEvent({ type: "stage-output", stream: "stdout", text: "one\ntwo\n", ...subject });
    renderer.onEvent({
      type: "transfer-progress",
      reference: "r",
      progress: { id: "abc", status: "Downloading", current: 1, total: 9 },
      ...subject,
    });
    renderer.onEvent({
      type: "transfer-progress",
      reference: "r",
      progress: { id: "abc", status: "Pushed", current: 9, total: 2048 },
      ...subject,
    });
    renderer.onEvent({ type: "stage-finished", action: "built", durationMs: 1500, ...subject });
    renderer.close();
    expect(output.text()).toBe(
      [
        `[backend] install              aaaaaaaaaaaa  building`,
        "[backend] install | one",
        "[backend] install | two",
        `[backend] install              aaaaaaaaaaaa  layer abc Pushed 2.0 kB`,
        `[backend] install              aaaaaaaaaaaa  built in 1.5s`,
        "",
      ].join("\n"),
    );
    expect(output.text()).not.toContain("\x1b[");
  });

  it("draws live progress with bytes per layer and leaves the finished line", async () => {
    const output = sink();
    const renderer = createRenderer({ stream: output.stream, live: true, color: true });
    renderer.onEvent({ type: "stage-started", work: "push", ...subject });
    renderer.onEvent({
      type: "transfer-progress",
      reference: "r",
      progress: { id: "abc", status: "Pushing", current: 1024, total: 4096 },
      ...subject,
    });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(output.text()).toContain("1.0 kB/4.0 kB");
    renderer.onEvent({ type: "stage-finished", action: "pushed", durationMs: 10, ...subject });
    renderer.close();
    expect(output.text()).toContain("pushed");
  });

  it("prints a stage note (another host pushed the stage first, or it vanished from REPO) in both modes", () => {
    for (const live of [false, true]) {
      const output = sink();
      const renderer = createRenderer({ stream: output.stream, live, color: false });
      renderer.onEvent({ type: "stage-note", note: "adopted", text: "another host pushed it", ...subject });
      renderer.close();
      expect(output.text(), `live: ${live}`).toContain(
        "[backend] install              aaaaaaaaaaaa  adopted: another host pushed it\n",
      );
    }
  });
});
