import { Writable } from "node:stream";
import { createSecretRedactor } from "@stages/core";
import { describe, expect, it } from "vitest";
import { redactingStream } from "./redacting-stream.js";

function collector() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return { stream, text: () => chunks.join("") };
}

describe("redactingStream", () => {
  it("blanks a secret registered after the stream was made, at once and in order", () => {
    const redactor = createSecretRedactor();
    const target = collector();
    const stream = redactingStream(target.stream, redactor);
    stream.write("first hunter22\n");
    redactor.add("hunter22");
    stream.write("redis://:hunter22@127.0.0.1:6379 refused\n");
    stream.write(Buffer.from('{"url":"hunter22"}\n'));
    // Written synchronously: nothing waits for the event loop before it reaches the target.
    expect(target.text()).toBe('first hunter22\nredis://:***@127.0.0.1:6379 refused\n{"url":"***"}\n');
  });
});
