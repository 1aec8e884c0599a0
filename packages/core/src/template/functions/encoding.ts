/*
 * Sprig's encodings and checksums (strings.go, crypto.go): base64 and base32 (Go's StdEncoding,
 * padded, strict; a decode error is returned as the text, as Sprig does), sha1sum, sha256sum,
 * sha512sum and adler32sum over the UTF-8 bytes.
 */
import { sha1 } from "@noble/hashes/legacy";
import { sha256, sha512 } from "@noble/hashes/sha2";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";
import type { FunctionMap, GoFunction } from "../model.js";
import { expectArity, stringArgument } from "./arguments.js";

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const decoder = new TextDecoder();

/** Encodes bytes with a power-of-two alphabet (`bits` per character), padded to `block` characters. */
function encodeBits(bytes: Uint8Array, alphabet: string, bits: number, block: number): string {
  let out = "";
  let buffer = 0;
  let count = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    count += 8;
    while (count >= bits) {
      out += alphabet[(buffer >> (count - bits)) & ((1 << bits) - 1)];
      count -= bits;
    }
    buffer &= (1 << count) - 1;
  }
  if (count > 0) out += alphabet[(buffer << (bits - count)) & ((1 << bits) - 1)];
  while (out.length % block !== 0) out += "=";
  return out;
}

/**
 * Decodes Go's padded StdEncoding strictly: Go's error text (`illegal base64 data at input byte N`)
 * for a bad character, a missing or misplaced padding. Go skips "\r" and "\n".
 */
function decodeBits(text: string, alphabet: string, bits: number, block: number, name: string): Uint8Array | string {
  const characters: { character: string; position: number }[] = [];
  for (let position = 0; position < text.length; position += 1) {
    const character = text[position] as string;
    if (character !== "\r" && character !== "\n") characters.push({ character, position });
  }
  const fail = (position: number) => `illegal ${name} data at input byte ${position}`;
  const out: number[] = [];
  for (let start = 0; start < characters.length; start += block) {
    const group = characters.slice(start, start + block);
    if (group.length < block)
      return fail((characters[characters.length - 1]?.position ?? 0) + 1 - (group.length === 0 ? 1 : 0));
    let buffer = 0;
    let count = 0;
    let data = 0;
    for (const [index, { character, position }] of group.entries()) {
      if (character === "=") {
        // Padding only in the last group, only after enough data characters, up to its end.
        const last = start + block >= characters.length;
        if (!last || index < 2 || group.slice(index).some((item) => item.character !== "=")) return fail(position);
        break;
      }
      const value = alphabet.indexOf(character);
      if (value < 0) return fail(position);
      data += 1;
      buffer = (buffer << bits) | value;
      count += bits;
      if (count >= 8) {
        out.push((buffer >> (count - 8)) & 0xff);
        count -= 8;
        buffer &= (1 << count) - 1;
      }
    }
    if (data < block && data * bits < 8) return fail(group[data]?.position ?? 0);
  }
  return Uint8Array.from(out);
}

function stringFunction(transform: (text: string) => string): GoFunction {
  return (args, context) => {
    expectArity(context.name, args, 1);
    return transform(stringArgument(args[0]));
  };
}

function decoded(result: Uint8Array | string): string {
  return typeof result === "string" ? result : decoder.decode(result);
}

/** Go's hash/adler32 checksum of the UTF-8 bytes. */
export function adler32(text: string): number {
  let a = 1;
  let b = 0;
  for (const byte of utf8ToBytes(text)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Sprig's encoding and checksum functions. */
export function encodingFunctions(): FunctionMap {
  return {
    b64enc: stringFunction((text) => encodeBits(utf8ToBytes(text), base64Alphabet, 6, 4)),
    b64dec: stringFunction((text) => decoded(decodeBits(text, base64Alphabet, 6, 4, "base64"))),
    b32enc: stringFunction((text) => encodeBits(utf8ToBytes(text), base32Alphabet, 5, 8)),
    b32dec: stringFunction((text) => decoded(decodeBits(text, base32Alphabet, 5, 8, "base32"))),
    sha1sum: stringFunction((text) => bytesToHex(sha1(utf8ToBytes(text)))),
    sha256sum: stringFunction((text) => bytesToHex(sha256(utf8ToBytes(text)))),
    sha512sum: stringFunction((text) => bytesToHex(sha512(utf8ToBytes(text)))),
    adler32sum: stringFunction((text) => String(adler32(text))),
  };
}
