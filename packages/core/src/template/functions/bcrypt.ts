/*
 * bcrypt as golang.org/x/crypto/bcrypt computes it (the `$2a$` form Sprig's bcrypt and htpasswd
 * print): Blowfish's expensive key setup (EksBlowfish) over the password with a NUL after it, then
 * "OrpheanBeholderScryDoubt" encrypted 64 times, 23 of its 24 bytes kept.
 *
 * Blowfish starts from the fractional hexadecimal digits of pi (18 P-array words, then 4 S-boxes of
 * 256): they are computed once, on first use, instead of carrying 1042 constants.
 */

const alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const magic = new TextEncoder().encode("OrpheanBeholderScryDoubt");

let piWords: Uint32Array | undefined;

/** The first 1042 32-bit words of pi's fractional part (0x243f6a88, 0x85a308d3, ...). */
function blowfishInitialState(): Uint32Array {
  if (piWords !== undefined) return piWords;
  const words = 18 + 4 * 256;
  const bits = BigInt(words * 32 + 64);
  const one = 1n << bits;
  // Machin: pi = 16·atan(1/5) − 4·atan(1/239), in fixed point with 64 guard bits.
  const arctanInverse = (x: bigint): bigint => {
    const square = x * x;
    let term = one / x;
    let sum = term;
    for (let k = 1n; term !== 0n; k++) {
      term /= square;
      const part = term / (2n * k + 1n);
      sum = k % 2n === 1n ? sum - part : sum + part;
    }
    return sum;
  };
  const pi = 16n * arctanInverse(5n) - 4n * arctanInverse(239n);
  const fraction = (pi - 3n * one) >> 64n;
  const out = new Uint32Array(words);
  for (let i = 0; i < words; i++) out[i] = Number((fraction >> BigInt((words - 1 - i) * 32)) & 0xffffffffn);
  piWords = out;
  return out;
}

interface Blowfish {
  p: Uint32Array;
  s: Uint32Array; // the four S-boxes, 256 words each
}

function encryptBlock(state: Blowfish, left: number, right: number): [number, number] {
  const { p, s } = state;
  let l = left ^ (p[0] as number);
  let r = right;
  for (let i = 1; i <= 16; i += 2) {
    r ^=
      ((((s[l >>> 24] as number) + (s[256 + ((l >>> 16) & 0xff)] as number)) ^
        (s[512 + ((l >>> 8) & 0xff)] as number)) +
        (s[768 + (l & 0xff)] as number)) ^
      (p[i] as number);
    l ^=
      ((((s[r >>> 24] as number) + (s[256 + ((r >>> 16) & 0xff)] as number)) ^
        (s[512 + ((r >>> 8) & 0xff)] as number)) +
        (s[768 + (r & 0xff)] as number)) ^
      (p[i + 1] as number);
  }
  return [(r ^ (p[17] as number)) >>> 0, l >>> 0];
}

/** Reads the next big-endian word of `data`, cycling, as Go's blowfish getNextWord. */
function nextWord(data: Uint8Array, position: { at: number }): number {
  let word = 0;
  for (let k = 0; k < 4; k++) {
    word = ((word << 8) | (data[position.at] as number)) >>> 0;
    position.at = (position.at + 1) % data.length;
  }
  return word;
}

/** Go's blowfish.expandKeyWithSalt (an empty salt: ExpandKey). */
function expandKey(state: Blowfish, key: Uint8Array, salt: Uint8Array | null): void {
  const keyAt = { at: 0 };
  for (let i = 0; i < 18; i++) state.p[i] = ((state.p[i] as number) ^ nextWord(key, keyAt)) >>> 0;
  const saltAt = { at: 0 };
  let l = 0;
  let r = 0;
  const fill = (table: Uint32Array, count: number, offset: number) => {
    for (let i = 0; i < count; i += 2) {
      if (salt !== null) {
        l = (l ^ nextWord(salt, saltAt)) >>> 0;
        r = (r ^ nextWord(salt, saltAt)) >>> 0;
      }
      [l, r] = encryptBlock(state, l, r);
      table[offset + i] = l;
      table[offset + i + 1] = r;
    }
  };
  fill(state.p, 18, 0);
  fill(state.s, 1024, 0);
}

/** bcrypt's base64: its own alphabet, standard bit order, no padding. */
export function bcryptBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] as number;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    out += alphabet[b0 >> 2];
    out += alphabet[((b0 & 3) << 4) | (b1 >> 4)];
    if (i + 1 < bytes.length) out += alphabet[((b1 & 15) << 2) | (b2 >> 6)];
    if (i + 2 < bytes.length) out += alphabet[b2 & 63];
  }
  return out;
}

/**
 * `$2a$<cost>$<salt><hash>` of a password (at most 72 bytes, as x/crypto/bcrypt requires; Sprig
 * prints its error instead of a hash) with a 16-byte salt.
 */
export function bcryptHash(password: Uint8Array, cost: number, salt: Uint8Array): string {
  if (password.length > 72) return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes";
  const initial = blowfishInitialState();
  const state: Blowfish = { p: initial.slice(0, 18), s: initial.slice(18) };
  const key = new Uint8Array(password.length + 1);
  key.set(password);
  expandKey(state, key, salt);
  for (let round = 0; round < 2 ** cost; round++) {
    expandKey(state, key, null);
    expandKey(state, salt, null);
  }
  const data = new DataView(magic.slice().buffer);
  for (let block = 0; block < 24; block += 8) {
    let l = data.getUint32(block);
    let r = data.getUint32(block + 4);
    for (let j = 0; j < 64; j++) [l, r] = encryptBlock(state, l, r);
    data.setUint32(block, l);
    data.setUint32(block + 4, r);
  }
  const hash = new Uint8Array(data.buffer).subarray(0, 23);
  return `$2a$${String(cost).padStart(2, "0")}$${bcryptBase64(salt)}${bcryptBase64(hash)}`;
}
