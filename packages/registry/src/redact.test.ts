import { describe, expect, it } from "vitest";
import { createSecretRedactor } from "./redact.js";

describe("createSecretRedactor", () => {
  it("blanks every known secret, also URL-encoded", () => {
    const redactor = createSecretRedactor();
    redactor.add("p@ss word!");
    redactor.add(undefined);
    redactor.add("abc");
    expect(redactor.redact("a p@ss word! and p%40ss%20word! and abc")).toBe("a *** and *** and abc");
  });
});
