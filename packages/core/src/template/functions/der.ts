/*
 * The ASN.1 DER and PEM that Sprig's key functions print (Go's encoding/asn1 and encoding/pem):
 * just what private keys need, big integers as Go's asn1.Marshal writes them.
 */
import { concatBytes } from "@noble/hashes/utils";

function length(size: number): number[] {
  if (size < 0x80) return [size];
  const bytes: number[] = [];
  for (let rest = size; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return [0x80 | bytes.length, ...bytes];
}

function element(tag: number, content: Uint8Array): Uint8Array {
  const head = [tag, ...length(content.length)];
  const out = new Uint8Array(head.length + content.length);
  out.set(head);
  out.set(content, head.length);
  return out;
}

/** The big-endian bytes of a non-negative integer, as few as it takes (none for 0). */
export function bigIntBytes(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

/** The non-negative integer of big-endian bytes. */
export function bytesBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** INTEGER: a non-negative integer, a leading 0 when its top bit is set (two's complement). */
export function derInteger(value: bigint): Uint8Array {
  let bytes = bigIntBytes(value);
  if (bytes.length === 0 || ((bytes[0] as number) & 0x80) !== 0) bytes = concatBytes(new Uint8Array([0]), bytes);
  return element(0x02, bytes);
}

export function derSequence(...items: Uint8Array[]): Uint8Array {
  return element(0x30, concatBytes(...items));
}

export function derOctetString(bytes: Uint8Array): Uint8Array {
  return element(0x04, bytes);
}

/** BIT STRING of whole bytes (no unused bits). */
export function derBitString(bytes: Uint8Array): Uint8Array {
  return element(0x03, concatBytes(new Uint8Array([0]), bytes));
}

/** OBJECT IDENTIFIER from its dotted form. */
export function derObjectIdentifier(dotted: string): Uint8Array {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes: number[] = [first * 40 + second];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let value = arc; ; value = Math.floor(value / 128)) {
      groups.unshift(value % 128);
      if (value < 128) break;
    }
    bytes.push(...groups.map((group, index) => (index < groups.length - 1 ? group | 0x80 : group)));
  }
  return element(0x06, Uint8Array.from(bytes));
}

/** A context-specific, constructed, explicit tag [n] around an element. */
export function derExplicit(tag: number, inner: Uint8Array): Uint8Array {
  return element(0xa0 | tag, inner);
}

/** Go's pem.EncodeToMemory: base64 in lines of 64, between BEGIN and END lines. */
export function pemEncode(type: string, der: Uint8Array): string {
  let binary = "";
  for (const byte of der) binary += String.fromCharCode(byte);
  const base64 = globalThis.btoa(binary);
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return `-----BEGIN ${type}-----\n${lines.join("\n")}\n-----END ${type}-----\n`;
}
