import { Writable } from "node:stream";
import type { SecretRedactor } from "@stages/core";

/**
 * A stream that blanks the run's secrets (the lock URL's password) out of everything written to
 * `target`: progress, errors and the --json document all pass through it.
 */
export function redactingStream(target: Writable, redactor: SecretRedactor): Writable {
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      target.write(redactor.redact(typeof chunk === "string" ? chunk : chunk.toString("utf8")));
      callback();
    },
  });
}
