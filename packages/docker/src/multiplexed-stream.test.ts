import { describe, expect, it } from "vitest";
import { FrameDecoder } from "./multiplexed-stream.js";

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe("FrameDecoder", () => {
  it("decodes stdout and stderr frames", () => {
    const decoder = new FrameDecoder();
    const frames = decoder.push(Buffer.concat([frame(1, "out\n"), frame(2, "err\n")]));
    expect(frames.map((each) => [each.stream, each.data.toString()])).toEqual([
      ["stdout", "out\n"],
      ["stderr", "err\n"],
    ]);
  });

  it("joins frames split at any byte", () => {
    const bytes = Buffer.concat([frame(1, "hello"), frame(2, "world"), frame(1, "")]);
    for (let cut = 1; cut < bytes.length; cut += 1) {
      const decoder = new FrameDecoder();
      const frames = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
      expect(frames.map((each) => `${each.stream}:${each.data.toString()}`)).toEqual([
        "stdout:hello",
        "stderr:world",
        "stdout:",
      ]);
      expect(decoder.end()).toEqual([]);
    }
  });

  it("passes a stream that is not framed through as stdout", () => {
    const frames = new FrameDecoder().push(Buffer.from("plain text output"));
    expect(frames.map((each) => each.data.toString())).toEqual(["plain text output"]);
  });
});
