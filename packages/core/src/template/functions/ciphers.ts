/*
 * AES (encryptAES, decryptAES) and scrypt (derivePassword): @noble/ciphers builds its AES tables
 * when it is imported (about 7 ms of every command that loads core), so they load on demand
 * (on-demand.ts), as the curves do.
 */
import type { cbc as Cbc } from "@noble/ciphers/aes";
import type { scrypt as Scrypt } from "@noble/hashes/scrypt";
import { onDemandLibrary } from "./on-demand.js";

export interface Ciphers {
  cbc: typeof Cbc;
  scrypt: typeof Scrypt;
}

const library = onDemandLibrary<Ciphers>({
  description: "AES or scrypt",
  functions: ["derivePassword", "encryptAES", "decryptAES"],
  functionsInWords: "derivePassword, encryptAES or decryptAES",
  async import() {
    const [aes, kdf] = await Promise.all([import("@noble/ciphers/aes"), import("@noble/hashes/scrypt")]);
    return { cbc: aes.cbc, scrypt: kdf.scrypt };
  },
});

/** Loads AES and scrypt (once). */
export const loadCiphers = library.load;
/** Whether template sources name a function that needs AES or scrypt. */
export const mayNeedCiphers = library.mayBeNeeded;
/** The loaded ciphers; `what` needs them and fails saying why when they are not loaded. */
export const ciphers = library.get;
