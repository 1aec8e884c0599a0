import { describe, expect, it } from "vitest";
import { createSecretRedactor, redactCredentialPatterns } from "./redact.js";

describe("createSecretRedactor", () => {
  it("blanks every known secret, also URL-encoded", () => {
    const redactor = createSecretRedactor();
    redactor.add("p@ss word!");
    redactor.add(undefined);
    redactor.add("abc");
    expect(redactor.redact("a p@ss word! and p%40ss%20word! and abc")).toBe("a *** and *** and abc");
  });

  it("blanks a secret as JSON text escapes it, and a longer secret whole", () => {
    const redactor = createSecretRedactor();
    redactor.add('pa"ss\\word');
    redactor.add("c3RhZ2VzOnN0YWdlcw");
    redactor.add("c3RhZ2VzOnN0YWdlcw==");
    expect(redactor.redact('{"x":"pa\\"ss\\\\word"} c3RhZ2VzOnN0YWdlcw==')).toBe('{"x":"***"} ***');
  });
});

describe("redactCredentialPatterns", () => {
  it("blanks Authorization values that nobody registered", () => {
    expect(redactCredentialPatterns("authorization: Basic c3RhZ2VzOnN0YWdlcy10ZXN0LXBhc3N3b3Jk; x")).toBe(
      "authorization: Basic ***; x",
    );
    expect(redactCredentialPatterns('"Authorization":"Bearer eyJhbGciOi.J9.eyJzdWIi"')).toBe(
      '"Authorization":"Bearer ***"',
    );
  });

  it("keeps challenges and ordinary words", () => {
    const challenge = 'Bearer realm="https://auth.example/token",service="registry"';
    expect(redactCredentialPatterns(challenge)).toBe(challenge);
    expect(redactCredentialPatterns("Basic auth failed")).toBe("Basic auth failed");
    expect(redactCredentialPatterns('Basic realm="stages-echo"')).toBe('Basic realm="stages-echo"');
  });

  it("blanks secret fields of JSON, escaped or not", () => {
    expect(redactCredentialPatterns('{"username":"stages","password":"hunter22","serveraddress":"r"}')).toBe(
      '{"username":"stages","password":"***","serveraddress":"r"}',
    );
    expect(redactCredentialPatterns('detail: "{\\"identitytoken\\": \\"tok-123\\"}"')).toBe(
      'detail: "{\\"identitytoken\\": \\"***\\"}"',
    );
  });
});
