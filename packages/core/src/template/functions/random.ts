/*
 * Sprig's random functions (uuidv4, randAlphaNum, randAlpha, randNumeric, randAscii, randBytes,
 * randInt, and shuffle, xstrings.Shuffle). werf keeps them, so configs that use them render; each render gives a new value, so
 * whatever they reach changes its stage signature on every build. They draw from Web Crypto's
 * getRandomValues.
 */
import type { FunctionMap, GoFunction } from "../model.js";
import { expectArity, intArgument, stringArgument } from "./arguments.js";

/** `count` bytes from Web Crypto's getRandomValues. */
export function randomBytes(count: number): Uint8Array {
  const bytes = new Uint8Array(count);
  // getRandomValues fills at most 65536 bytes at a time.
  for (let offset = 0; offset < count; offset += 65536) {
    globalThis.crypto.getRandomValues(bytes.subarray(offset, Math.min(count, offset + 65536)));
  }
  return bytes;
}

/** A random string of `count` characters from `alphabet`, without modulo bias. */
function randomString(count: number, alphabet: string): string {
  const characters = [...alphabet];
  const limit = 256 - (256 % characters.length);
  let out = "";
  while ([...out].length < count) {
    for (const byte of randomBytes(count)) {
      if (byte < limit && [...out].length < count) out += characters[byte % characters.length];
    }
  }
  return out;
}

/** A random integer in [0, bound), without modulo bias. */
function randomBelow(bound: number): number {
  const limit = 2 ** 32 - (2 ** 32 % bound);
  for (;;) {
    const [value = 0] = new Uint32Array(randomBytes(4).buffer);
    if (value < limit) return value % bound;
  }
}

/** huandu/xstrings' Shuffle, Sprig's shuffle: the string's runes in a random order (Fisher-Yates). */
export function shuffleRunes(text: string): string {
  const runes = [...text];
  for (let i = runes.length - 1; i > 0; i--) {
    const j = randomBelow(i + 1);
    [runes[i], runes[j]] = [runes[j] as string, runes[i] as string];
  }
  return runes.join("");
}

/** A random version 4 UUID in its canonical form. */
export function randomUuid(): string {
  const bytes = randomBytes(16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const digits = "0123456789";
const printableAscii = Array.from({ length: 95 }, (_, index) => String.fromCharCode(32 + index)).join("");

function randomOf(alphabet: string): GoFunction {
  return (args, context) => {
    expectArity(context.name, args, 1);
    return randomString(Math.max(0, intArgument(args[0])), alphabet);
  };
}

/** Sprig's random functions. */
export function randomFunctions(): FunctionMap {
  return {
    uuidv4: (args, context) => {
      expectArity(context.name, args, 0);
      return randomUuid();
    },
    randAlphaNum: randomOf(letters + digits),
    randAlpha: randomOf(letters),
    randNumeric: randomOf(digits),
    randAscii: randomOf(printableAscii),
    randInt: (args, context) => {
      expectArity(context.name, args, 2);
      const min = intArgument(args[0]);
      const max = intArgument(args[1]);
      // rand.Intn(max-min)+min panics on a non-positive range.
      if (max - min <= 0) throw new Error("invalid argument to Intn");
      const range = max - min;
      const [high = 0, low = 0] = new Uint32Array(randomBytes(8).buffer);
      return min + Number(((BigInt(high) << 32n) | BigInt(low)) % BigInt(range));
    },
    shuffle: (args, context) => {
      expectArity(context.name, args, 1);
      return shuffleRunes(stringArgument(args[0]));
    },
    randBytes: (args, context) => {
      expectArity(context.name, args, 1);
      const bytes = randomBytes(Math.max(0, intArgument(args[0])));
      let binary = "";
      for (const byte of bytes) binary += String.fromCharCode(byte);
      return globalThis.btoa(binary);
    },
  };
}
