import { createHash, type Hash } from "node:crypto";
import { type Digest, DigestMismatchError } from "@stages/core";

// Digest, isDigest and parseDigest are core's (one Digest type); this file hashes and verifies.
const algorithms: Record<string, { hashName: string }> = {
  sha256: { hashName: "sha256" },
  sha384: { hashName: "sha384" },
  sha512: { hashName: "sha512" },
};

/** The sha256 digest of `bytes`. */
export function sha256Digest(bytes: Uint8Array): Digest {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}` as Digest;
}

/** Incrementally hashes content with the algorithm of `expected` and checks it at the end. */
export interface DigestVerifier {
  update(chunk: Uint8Array): void;
  readonly bytes: number;
  /** The digest of what was fed so far. */
  digest(): Digest;
  /** Throws DigestMismatchError when the content does not match `expected` (and `size`, when known). */
  verify(): void;
}

/** A verifier for content that must hash to `expected` (and be `size` bytes long, when given). */
export function createDigestVerifier(expected: Digest, what: string, size?: number | null): DigestVerifier {
  const algorithm = expected.slice(0, expected.indexOf(":"));
  const hash: Hash = createHash(algorithms[algorithm]?.hashName ?? "sha256");
  let bytes = 0;
  let computed: Digest | null = null;
  const digest = (): Digest => {
    computed ??= `${algorithm}:${hash.digest("hex")}` as Digest;
    return computed;
  };
  return {
    update(chunk) {
      bytes += chunk.byteLength;
      hash.update(chunk);
    },
    get bytes() {
      return bytes;
    },
    digest,
    verify() {
      if (size !== undefined && size !== null && bytes !== size) {
        throw new DigestMismatchError(`[registry] ${what} is ${bytes} bytes long, expected ${size} (${expected})`, {
          hint: "the registry's copy is damaged or was replaced while reading; push it again",
        });
      }
      const actual = digest();
      if (actual !== expected) {
        throw new DigestMismatchError(`[registry] ${what} has digest ${actual}, expected ${expected}`, {
          hint: "the registry's copy is damaged; push it again",
        });
      }
    },
  };
}

/** Throws DigestMismatchError unless `bytes` hash to `expected`. */
export function verifyDigest(bytes: Uint8Array, expected: Digest, what: string): void {
  const verifier = createDigestVerifier(expected, what);
  verifier.update(bytes);
  verifier.verify();
}
