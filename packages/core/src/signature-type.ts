import { InvalidSignatureError } from "./errors.js";

declare const signatureBrand: unique symbol;
/** 64 lowercase hex characters: the sha256 of a stage's inputs (DESIGN §5). */
export type Signature = string & { readonly [signatureBrand]: true };

declare const contentIdBrand: unique symbol;
/** 64 lowercase hex characters identifying the content a git mapping selects. */
export type ContentId = string & { readonly [contentIdBrand]: true };

const hex64 = /^[0-9a-f]{64}$/;

/** True when `value` is a well-formed signature. */
export function isSignature(value: unknown): value is Signature {
  return typeof value === "string" && hex64.test(value);
}

/** Returns `value` as a Signature or throws InvalidSignatureError. */
export function parseSignature(value: string): Signature {
  if (!isSignature(value)) {
    throw new InvalidSignatureError(`invalid signature "${value}": expected 64 lowercase hex characters`);
  }
  return value;
}

/** Returns `value` as a ContentId or throws InvalidSignatureError. */
export function parseContentId(value: string): ContentId {
  if (!hex64.test(value)) {
    throw new InvalidSignatureError(`invalid content id "${value}": expected 64 lowercase hex characters`);
  }
  return value as ContentId;
}
