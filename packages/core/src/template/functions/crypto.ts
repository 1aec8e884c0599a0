/*
 * Sprig v3.2.3's password and cipher functions (crypto.go): derivePassword (Master Password's
 * algorithm: scrypt, then HMAC-SHA256 over the site), encryptAES / decryptAES (AES-256-CBC with a
 * random IV in front, base64), bcrypt and htpasswd. Pure: @noble's hashes and ciphers, Web Crypto's
 * random bytes. AES and scrypt are loaded before rendering when a config names these (ciphers.ts). encryptAES and bcrypt draw a new IV or salt on every call, so a config that prints
 * their output renders differently, and so changes the signature of what holds it, on every build.
 */
import { hmac } from "@noble/hashes/hmac";
import { sha256 } from "@noble/hashes/sha2";
import { concatBytes } from "@noble/hashes/utils";
import type { FunctionMap } from "../model.js";
import { expectArity, intArgument, stringArgument } from "./arguments.js";
import { bcryptHash } from "./bcrypt.js";
import { ciphers } from "./ciphers.js";
import { randomBytes } from "./random.js";

const utf8 = new TextEncoder();
// Go's string(bytes) keeps any bytes; JavaScript strings hold text: invalid UTF-8 becomes U+FFFD.
const fromUtf8 = new TextDecoder();

const masterPasswordSeed = "com.lyndir.masterpassword";

const passwordTemplates: Readonly<Record<string, readonly string[]>> = {
  maximum: ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
  long: [
    "CvcvnoCvcvCvcv",
    "CvcvCvcvnoCvcv",
    "CvcvCvcvCvcvno",
    "CvccnoCvcvCvcv",
    "CvccCvcvnoCvcv",
    "CvccCvcvCvcvno",
    "CvcvnoCvccCvcv",
    "CvcvCvccnoCvcv",
    "CvcvCvccCvcvno",
    "CvcvnoCvcvCvcc",
    "CvcvCvcvnoCvcc",
    "CvcvCvcvCvccno",
    "CvccnoCvccCvcv",
    "CvccCvccnoCvcv",
    "CvccCvccCvcvno",
    "CvcvnoCvccCvcc",
    "CvcvCvccnoCvcc",
    "CvcvCvccCvccno",
    "CvccnoCvcvCvcc",
    "CvccCvcvnoCvcc",
    "CvccCvcvCvccno",
  ],
  medium: ["CvcnoCvc", "CvcCvcno"],
  short: ["Cvcn"],
  basic: ["aaanaaan", "aannaaan", "aaannaaa"],
  pin: ["nnnn"],
};

const templateCharacters: Readonly<Record<string, string>> = {
  V: "AEIOU",
  C: "BCDFGHJKLMNPQRSTVWXYZ",
  v: "aeiou",
  c: "bcdfghjklmnpqrstvwxyz",
  A: "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
  a: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
  n: "0123456789",
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
};

function uint32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}

// scrypt with N=32768 takes a noticeable fraction of a second: the key of the last password and
// user is kept, as a config derives several passwords for one user.
let lastKey: { password: string; user: string; key: Uint8Array } | undefined;

/** Sprig's derivePassword(counter, passwordType, password, user, site). */
export function derivePassword(counter: number, type: string, password: string, user: string, site: string): string {
  const templates = passwordTemplates[type];
  if (templates === undefined) return `cannot find password template ${type}`;
  const seed = utf8.encode(masterPasswordSeed);
  const userBytes = utf8.encode(user);
  if (lastKey === undefined || lastKey.password !== password || lastKey.user !== user) {
    const salt = concatBytes(seed, uint32(userBytes.length), userBytes);
    const { scrypt } = ciphers("derivePassword");
    lastKey = { password, user, key: scrypt(utf8.encode(password), salt, { N: 32768, r: 8, p: 2, dkLen: 64 }) };
  }
  const siteBytes = utf8.encode(site);
  const digest = hmac(sha256, lastKey.key, concatBytes(seed, uint32(siteBytes.length), siteBytes, uint32(counter)));
  const template = templates[(digest[0] as number) % templates.length] as string;
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const characters = templateCharacters[template[i] as string] as string;
    out += characters[(digest[i + 1] as number) % characters.length];
  }
  return out;
}

/** The AES-256 key Sprig makes of a password: its bytes, cut or zero-padded to 32. */
function aesKey(password: string): Uint8Array {
  const key = new Uint8Array(32);
  key.set(utf8.encode(password).subarray(0, 32));
  return key;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return globalThis.btoa(binary);
}

/** Go's base64.StdEncoding.DecodeString, with its error for a bad byte. */
function fromBase64(text: string): Uint8Array {
  const bad = /[^A-Za-z0-9+/=]/.exec(text);
  if (bad !== null) throw new Error(`illegal base64 data at input byte ${bad.index}`);
  let binary: string;
  try {
    binary = globalThis.atob(text);
  } catch {
    throw new Error(`illegal base64 data at input byte ${Math.max(0, text.length - (text.length % 4))}`);
  }
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** Sprig's encryptAES: PKCS#7-padded plaintext, AES-256-CBC under a random IV, IV first, base64. */
export function encryptAES(password: string, plaintext: string): string {
  if (plaintext === "") return "";
  const content = utf8.encode(plaintext);
  const padding = 16 - (content.length % 16);
  const padded = concatBytes(content, new Uint8Array(padding).fill(padding));
  const { cbc } = ciphers("encryptAES");
  const iv = randomBytes(16);
  return base64(concatBytes(iv, cbc(aesKey(password), iv, { disablePadding: true }).encrypt(padded)));
}

/**
 * Sprig's decryptAES: the reverse, dropping as many bytes as the last one says (unchecked, as
 * Sprig). What Go would panic on is an error with Go's runtime message.
 */
export function decryptAES(password: string, crypt64: string): string {
  if (crypt64 === "") return "";
  const crypt = fromBase64(crypt64);
  if (crypt.length < 16) {
    throw new Error(`runtime error: slice bounds out of range [:16] with capacity ${crypt.length}`);
  }
  const body = crypt.subarray(16);
  if (body.length % 16 !== 0) throw new Error("crypto/cipher: input not full blocks");
  if (body.length === 0) throw new Error("runtime error: index out of range [-1]");
  const { cbc } = ciphers("decryptAES");
  const decrypted = cbc(aesKey(password), crypt.subarray(0, 16), { disablePadding: true }).decrypt(body);
  const cut = decrypted.length - (decrypted[decrypted.length - 1] as number);
  if (cut < 0) throw new Error(`runtime error: slice bounds out of range [:${cut}]`);
  return fromUtf8.decode(decrypted.subarray(0, cut));
}

/** Sprig's bcrypt: golang.org/x/crypto/bcrypt at its default cost (10), a random salt. */
export function bcrypt(input: string): string {
  return bcryptHash(utf8.encode(input), 10, randomBytes(16));
}

/** Sprig v3.2.3's htpasswd: `user:<bcrypt of the password>`; a user with a colon gives a message, not an error. */
export function htpasswd(username: string, password: string): string {
  if (username.includes(":")) return `invalid username: ${username}`;
  return `${username}:${bcrypt(password)}`;
}

/** Sprig's password and cipher functions. */
export function cryptoFunctions(): FunctionMap {
  return {
    derivePassword: (args, context) => {
      expectArity(context.name, args, 5);
      const [counter, type, password, user, site] = args;
      return derivePassword(
        intArgument(counter),
        stringArgument(type),
        stringArgument(password),
        stringArgument(user),
        stringArgument(site),
      );
    },
    encryptAES: (args, context) => {
      expectArity(context.name, args, 2);
      return encryptAES(stringArgument(args[0]), stringArgument(args[1]));
    },
    decryptAES: (args, context) => {
      expectArity(context.name, args, 2);
      return decryptAES(stringArgument(args[0]), stringArgument(args[1]));
    },
    bcrypt: (args, context) => {
      expectArity(context.name, args, 1);
      return bcrypt(stringArgument(args[0]));
    },
    htpasswd: (args, context) => {
      expectArity(context.name, args, 2);
      return htpasswd(stringArgument(args[0]), stringArgument(args[1]));
    },
  };
}
