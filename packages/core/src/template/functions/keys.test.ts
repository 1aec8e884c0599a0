import { ed25519 } from "@noble/curves/ed25519";
import { p256 } from "@noble/curves/nist";
import { beforeAll, describe, expect, it } from "vitest";
import { createTemplateSet } from "../index.js";
import { loadEllipticCurves } from "./curves.js";
import { type DerNode, readDer } from "./der-test-support.js";
import { generateDsaKey, generateRsaKey, rsaPrivateKeyDer } from "./keys.js";
import { sprigFunctions } from "./sprig.js";

function render(text: string): string {
  const set = createTemplateSet(sprigFunctions());
  set.add({ file: "werf.yaml", text });
  return set.execute("werf.yaml", null).text;
}

/** The DER of a PEM block of this type. */
function pemBody(pem: string, type: string): Uint8Array {
  const match = new RegExp(`^-----BEGIN ${type}-----\\n((?:[A-Za-z0-9+/=]{1,64}\\n)+)-----END ${type}-----\\n$`).exec(
    pem,
  );
  if (match === null) throw new Error(`not a ${type} PEM: ${pem}`);
  return Uint8Array.from(globalThis.atob((match[1] as string).replaceAll("\n", "")), (char) => char.charCodeAt(0));
}

const integer = (node: DerNode | undefined): bigint => {
  expect(node?.tag).toBe(0x02);
  let value = 0n;
  for (const byte of node?.content ?? []) value = (value << 8n) | BigInt(byte);
  return value;
};

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let square = base % modulus;
  for (let rest = exponent; rest > 0n; rest >>= 1n) {
    if (rest & 1n) result = (result * square) % modulus;
    square = (square * square) % modulus;
  }
  return result;
}

// Sprig's TestGenPrivateKey checks the PEM type of each kind; these check the keys too. The keys
// were also checked with OpenSSL (openssl rsa -check, ec -check, pkey, dsa) while writing them.
describe("genPrivateKey", () => {
  beforeAll(loadEllipticCurves);
  it("writes a P-256 key as x509.MarshalECPrivateKey (SEC 1)", () => {
    const [key] = readDer(pemBody(render('{{ genPrivateKey "ecdsa" }}'), "EC PRIVATE KEY"));
    const [version, secret, curve, publicKey] = key?.children ?? [];
    expect(integer(version)).toBe(1n);
    expect(secret?.content).toHaveLength(32);
    expect(curve?.tag).toBe(0xa0);
    expect([...(curve?.children[0]?.content ?? [])]).toEqual([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]);
    expect(publicKey?.tag).toBe(0xa1);
    expect([...(publicKey?.children[0]?.content.subarray(1) ?? [])]).toEqual([
      ...p256.getPublicKey(secret?.content as Uint8Array, false),
    ]);
  });

  it("writes an Ed25519 key as PKCS#8", () => {
    const der = pemBody(render('{{ genPrivateKey "ed25519" }}'), "PRIVATE KEY");
    const hex = [...der].map((byte) => byte.toString(16).padStart(2, "0")).join("");
    expect(hex).toMatch(/^302e020100300506032b657004220420[0-9a-f]{64}$/);
    expect(ed25519.getPublicKey(der.subarray(16))).toHaveLength(32);
    expect(render('{{ genPrivateKey "ed25519" }}')).not.toBe(render('{{ genPrivateKey "ed25519" }}'));
  });

  it("says so for an unknown type, as Sprig", () => {
    expect(render('{{ genPrivateKey "rsa2" }}')).toBe("Unknown type rsa2");
  });

  // 4096-bit RSA and L2048N256 DSA take seconds each: their generators run here at smaller sizes.
  it("makes RSA keys as rsa.GenerateKey and writes them as PKCS#1", () => {
    const key = generateRsaKey(1024);
    const [sequence] = readDer(rsaPrivateKeyDer(key));
    const [version, n, e, d, p, q, dp, dq, qinv] = (sequence?.children ?? []).map(integer);
    expect(version).toBe(0n);
    expect(n).toBe((p as bigint) * (q as bigint));
    expect((n as bigint).toString(2)).toHaveLength(1024);
    expect(e).toBe(65537n);
    expect(((e as bigint) * (d as bigint)) % (((p as bigint) - 1n) * ((q as bigint) - 1n))).toBe(1n);
    expect(dp).toBe((d as bigint) % ((p as bigint) - 1n));
    expect(dq).toBe((d as bigint) % ((q as bigint) - 1n));
    expect(((qinv as bigint) * (q as bigint)) % (p as bigint)).toBe(1n);
    const message = 123456789n;
    expect(modPow(modPow(message, e as bigint, n as bigint), d as bigint, n as bigint)).toBe(message);
  });

  it("makes DSA parameters and keys as dsa.GenerateParameters and GenerateKey", () => {
    const { p, q, g, y, x } = generateDsaKey(512, 160);
    expect(p.toString(2)).toHaveLength(512);
    expect(q.toString(2)).toHaveLength(160);
    expect((p - 1n) % q).toBe(0n);
    expect(g > 1n && modPow(g, q, p) === 1n).toBe(true);
    expect(x > 0n && x < q).toBe(true);
    expect(y).toBe(modPow(g, x, p));
  });
});
