/*
 * AES (encryptAES, decryptAES) and scrypt (derivePassword), loaded only when a config needs them:
 * @noble/ciphers builds its AES tables when it is imported (about 7 ms of every command that loads
 * core). Template functions run synchronously, so these are loaded before rendering
 * (prepareWerfConfigFunctions) when the sources name a function that needs them, as the curves are.
 */
import type { cbc as Cbc } from "@noble/ciphers/aes";
import type { scrypt as Scrypt } from "@noble/hashes/scrypt";

export interface Ciphers {
  cbc: typeof Cbc;
  scrypt: typeof Scrypt;
}

let loaded: Ciphers | undefined;

/** Loads AES and scrypt (once). */
export async function loadCiphers(): Promise<void> {
  if (loaded !== undefined) return;
  const [aes, kdf] = await Promise.all([import("@noble/ciphers/aes"), import("@noble/hashes/scrypt")]);
  loaded = { cbc: aes.cbc, scrypt: kdf.scrypt };
}

/** The functions that need AES or scrypt. */
const cipherFunctions = /\b(derivePassword|encryptAES|decryptAES)\b/;

/** Whether template sources name a function that needs AES or scrypt. */
export function mayNeedCiphers(texts: readonly string[]): boolean {
  return texts.some((text) => cipherFunctions.test(text));
}

/** The loaded ciphers; `what` needs them and fails saying why when they are not loaded. */
export function ciphers(what: string): Ciphers {
  if (loaded === undefined) {
    throw new Error(
      `${what} needs AES or scrypt, which load before rendering only when the config or a partial names derivePassword, encryptAES or decryptAES (a name built at render time, as with tpl, does not load them)`,
    );
  }
  return loaded;
}
