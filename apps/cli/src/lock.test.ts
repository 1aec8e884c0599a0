import { createSecretRedactor } from "@stages/core";
import { describe, expect, it } from "vitest";
import { lockUrlOf, registerLockSecrets } from "./lock.js";

describe("the lock settings of a run", () => {
  it("takes --lock over STAGES_LOCK, and an empty value as none", () => {
    expect(lockUrlOf("redis://a:1", { STAGES_LOCK: "redis://b:2" })).toBe("redis://a:1");
    expect(lockUrlOf(undefined, { STAGES_LOCK: "redis://b:2" })).toBe("redis://b:2");
    expect(lockUrlOf(undefined, { STAGES_LOCK: "" })).toBeUndefined();
    expect(lockUrlOf("", { STAGES_LOCK: "redis://b:2" })).toBeUndefined();
    expect(lockUrlOf(undefined, {})).toBeUndefined();
  });

  it("registers the URL's password, raw and decoded, even in a URL that does not parse", () => {
    const redactor = createSecretRedactor();
    registerLockSecrets("redis://user:p%40ss-word@redis.example.com:6379/2", redactor);
    registerLockSecrets("redis://:s3cr3t-only@[bad", redactor);
    registerLockSecrets("redis://just-a-token@host:6379", redactor);
    expect(redactor.redact("p%40ss-word p@ss-word s3cr3t-only just-a-token user redis.example.com")).toBe(
      "*** *** *** *** user redis.example.com",
    );
  });
});
