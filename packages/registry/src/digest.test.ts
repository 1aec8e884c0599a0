import { createHash } from "node:crypto";
import { DigestMismatchError, InvalidReferenceError, isDigest, parseDigest } from "@stages/core";
import { describe, expect, it } from "vitest";
import { createDigestVerifier, sha256Digest, verifyDigest } from "./digest.js";

describe("digests", () => {
  it("knows valid sha256 and sha512 digests", () => {
    expect(isDigest(`sha256:${"0".repeat(64)}`)).toBe(true);
    expect(isDigest(`sha512:${"0".repeat(128)}`)).toBe(true);
    expect(isDigest(`sha256:${"0".repeat(63)}`)).toBe(false);
    expect(isDigest(`sha256:${"A".repeat(64)}`)).toBe(false);
    expect(isDigest(`md5:${"0".repeat(32)}`)).toBe(false);
    expect(() => parseDigest("sha256:x")).toThrow(InvalidReferenceError);
  });

  it("hashes and verifies content piece by piece", () => {
    const digest = sha256Digest(Buffer.from("hello"));
    expect(digest).toBe("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    const verifier = createDigestVerifier(digest, "blob", 5);
    verifier.update(Buffer.from("hel"));
    verifier.update(Buffer.from("lo"));
    expect(() => verifier.verify()).not.toThrow();
    expect(() => verifyDigest(Buffer.from("hellO"), digest, "blob")).toThrow(DigestMismatchError);
    const short = createDigestVerifier(digest, "blob", 6);
    short.update(Buffer.from("hello"));
    expect(() => short.verify()).toThrow(/5 bytes long, expected 6/);
  });

  it("verifies every algorithm core's Digest admits (sha384 too)", () => {
    const content = Buffer.from("hello");
    for (const algorithm of ["sha256", "sha384", "sha512"]) {
      const digest = parseDigest(`${algorithm}:${createHash(algorithm).update(content).digest("hex")}`);
      expect(() => verifyDigest(content, digest, "blob"), algorithm).not.toThrow();
      expect(() => verifyDigest(Buffer.from("hellO"), digest, "blob"), algorithm).toThrow(DigestMismatchError);
    }
  });
});
