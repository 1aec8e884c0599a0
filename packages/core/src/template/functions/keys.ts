/*
 * Sprig's genPrivateKey (crypto.go): a new private key in PEM, as Go writes each kind: "rsa" (the
 * default; 4096 bits, PKCS#1 "RSA PRIVATE KEY"), "dsa" (L2048N256 parameters, Sprig's own ASN.1
 * sequence "DSA PRIVATE KEY"), "ecdsa" (P-256, SEC 1 "EC PRIVATE KEY"), "ed25519" (PKCS#8
 * "PRIVATE KEY"). Primes are found as Go's crypto/rand.Prime and dsa.GenerateParameters find them,
 * with Web Crypto's random bytes; every render gives a new key. An RSA key of 4096 bits takes
 * seconds in JavaScript.
 */
import type { FunctionMap } from "../model.js";
import { expectArity, stringArgument } from "./arguments.js";
import { ellipticCurves } from "./curves.js";
import {
  bigIntBytes,
  bytesBigInt,
  derBitString,
  derExplicit,
  derInteger,
  derObjectIdentifier,
  derOctetString,
  derSequence,
  pemEncode,
} from "./der.js";
import { randomBytes } from "./random.js";

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let square = base % modulus;
  for (let rest = exponent; rest > 0n; rest >>= 1n) {
    if ((rest & 1n) === 1n) result = (result * square) % modulus;
    square = (square * square) % modulus;
  }
  return result;
}

function modInverse(value: bigint, modulus: bigint): bigint | null {
  let [oldR, r] = [value % modulus, modulus];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) return null;
  return ((oldS % modulus) + modulus) % modulus;
}

const smallPrimes: number[] = (() => {
  const primes: number[] = [];
  for (let candidate = 3; primes.length < 1000; candidate += 2) {
    if (primes.every((prime) => candidate % prime !== 0)) primes.push(candidate);
  }
  return primes;
})();

/** Miller-Rabin with random bases after trial division, as big.Int's ProbablyPrime (20 rounds). */
function isProbablePrime(candidate: bigint, rounds = 20): boolean {
  if (candidate < 2n) return false;
  for (const prime of smallPrimes) {
    const small = BigInt(prime);
    if (candidate === small) return true;
    if (candidate % small === 0n) return false;
  }
  let odd = candidate - 1n;
  let shifts = 0;
  while ((odd & 1n) === 0n) {
    odd >>= 1n;
    shifts++;
  }
  const size = bigIntBytes(candidate).length;
  for (let round = 0; round < rounds; round++) {
    const base = 2n + (bytesBigInt(randomBytes(size + 8)) % (candidate - 3n));
    let x = modPow(base, odd, candidate);
    if (x === 1n || x === candidate - 1n) continue;
    let witness = true;
    for (let i = 1; i < shifts && witness; i++) {
      x = (x * x) % candidate;
      if (x === candidate - 1n) witness = false;
    }
    if (witness) return false;
  }
  return true;
}

/** A random number of `bits` bits (a multiple of 8 here), odd, its top bits set as `top` says. */
function randomOdd(bits: number, top: number): bigint {
  const bytes = randomBytes(bits / 8);
  bytes[0] = (bytes[0] as number) | top;
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) | 1;
  return bytesBigInt(bytes);
}

/** Go's crypto/rand.Prime: the two top bits set, so that two such primes make a full-size product. */
function randomPrime(bits: number): bigint {
  for (;;) {
    const candidate = randomOdd(bits, 0xc0);
    if (isProbablePrime(candidate)) return candidate;
  }
}

const rsaExponent = 65537n;

/** Go's rsa.GenerateKey: two primes of half the size, e = 65537, d = e⁻¹ mod (p−1)(q−1), with CRT values. */
export function generateRsaKey(bits: number): { n: bigint; e: bigint; d: bigint; p: bigint; q: bigint } {
  for (;;) {
    const p = randomPrime(bits / 2);
    const q = randomPrime(bits / 2);
    if (p === q) continue;
    const n = p * q;
    if (n.toString(2).length !== bits) continue;
    const d = modInverse(rsaExponent, (p - 1n) * (q - 1n));
    if (d === null) continue;
    return { n, e: rsaExponent, d, p, q };
  }
}

/** x509.MarshalPKCS1PrivateKey. */
export function rsaPrivateKeyDer(key: { n: bigint; e: bigint; d: bigint; p: bigint; q: bigint }): Uint8Array {
  const { n, e, d, p, q } = key;
  return derSequence(
    derInteger(0n),
    derInteger(n),
    derInteger(e),
    derInteger(d),
    derInteger(p),
    derInteger(q),
    derInteger(d % (p - 1n)),
    derInteger(d % (q - 1n)),
    derInteger(modInverse(q, p) as bigint),
  );
}

/** Go's dsa.GenerateParameters (Sprig: L2048N256) and dsa.GenerateKey. */
export function generateDsaKey(L = 2048, N = 256): { p: bigint; q: bigint; g: bigint; y: bigint; x: bigint } {
  for (;;) {
    const q = randomOdd(N, 0x80);
    if (!isProbablePrime(q)) continue;
    for (let attempt = 0; attempt < 4 * L; attempt++) {
      let p = randomOdd(L, 0x80);
      p -= (p % q) - 1n;
      if (p.toString(2).length < L || !isProbablePrime(p)) continue;
      const exponent = (p - 1n) / q;
      let g = 1n;
      for (let h = 2n; g === 1n; h++) g = modPow(h, exponent, p);
      let x = 0n;
      for (let i = 0; i < 10 && (x === 0n || x >= q); i++) x = bytesBigInt(randomBytes(N / 8));
      return { p, q, g, y: modPow(g, x, p), x };
    }
  }
}

/** Sprig's genPrivateKey. */
export function generatePrivateKey(type: string): string {
  switch (type) {
    case "":
    case "rsa":
      return pemEncode("RSA PRIVATE KEY", rsaPrivateKeyDer(generateRsaKey(4096)));
    case "dsa": {
      const { p, q, g, y, x } = generateDsaKey();
      // Sprig's DSAKeyFormat: Version, P, Q, G, Y, X.
      const der = derSequence(
        derInteger(0n),
        derInteger(p),
        derInteger(q),
        derInteger(g),
        derInteger(y),
        derInteger(x),
      );
      return pemEncode("DSA PRIVATE KEY", der);
    }
    case "ecdsa": {
      const { p256 } = ellipticCurves("genPrivateKey");
      const secret = p256.utils.randomPrivateKey();
      // x509.MarshalECPrivateKey: version 1, the key, [0] the curve (prime256v1), [1] the public point.
      const der = derSequence(
        derInteger(1n),
        derOctetString(secret),
        derExplicit(0, derObjectIdentifier("1.2.840.10045.3.1.7")),
        derExplicit(1, derBitString(p256.getPublicKey(secret, false))),
      );
      return pemEncode("EC PRIVATE KEY", der);
    }
    case "ed25519": {
      const { ed25519 } = ellipticCurves("genPrivateKey");
      const seed = ed25519.utils.randomPrivateKey();
      // x509.MarshalPKCS8PrivateKey: version 0, the algorithm (Ed25519), the seed as an OCTET STRING inside one.
      const der = derSequence(
        derInteger(0n),
        derSequence(derObjectIdentifier("1.3.101.112")),
        derOctetString(derOctetString(seed)),
      );
      return pemEncode("PRIVATE KEY", der);
    }
    default:
      return `Unknown type ${type}`;
  }
}

/** Sprig's key generator. */
export function keyFunctions(): FunctionMap {
  return {
    genPrivateKey: (args, context) => {
      expectArity(context.name, args, 1);
      return generatePrivateKey(stringArgument(args[0]));
    },
  };
}
