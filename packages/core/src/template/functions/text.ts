/*
 * Go's strings and unicode over JavaScript strings: byte-indexed slicing (Go slices strings by UTF-8
 * bytes), unicode.IsSpace, per-rune case mapping (Go maps one rune to one rune: "ß" stays "ß" in
 * ToUpper), strings.Title's separators.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The UTF-8 length of a string, as Go's len. */
export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

/** Go's `s[start:end]` over UTF-8 bytes; a cut inside a character reads as U+FFFD, as Go would print it. */
export function sliceBytes(text: string, start: number, end?: number): string {
  const bytes = encoder.encode(text);
  const stop = end ?? bytes.length;
  // Go's panic messages: the high bound is checked first.
  if (stop < 0) throw new Error(`runtime error: slice bounds out of range [:${stop}]`);
  if (stop > bytes.length) {
    throw new Error(`runtime error: slice bounds out of range [:${stop}] with length ${bytes.length}`);
  }
  if (start < 0 || start > stop) throw new Error(`runtime error: slice bounds out of range [${start}:${stop}]`);
  return decoder.decode(bytes.subarray(start, stop));
}

/** unicode.IsSpace. */
export function isGoSpace(character: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u.test(character);
}

/** strings.TrimSpace (JavaScript's trim also strips U+FEFF, Go's does not). */
export function trimGoSpace(text: string): string {
  const characters = [...text];
  let start = 0;
  let end = characters.length;
  while (start < end && isGoSpace(characters[start] as string)) start += 1;
  while (end > start && isGoSpace(characters[end - 1] as string)) end -= 1;
  return characters.slice(start, end).join("");
}

/** strings.Trim / TrimLeft / TrimRight with a cutset of runes. */
export function trimCutset(text: string, cutset: string, left = true, right = true): string {
  const cut = new Set(cutset);
  const characters = [...text];
  let start = 0;
  let end = characters.length;
  while (left && start < end && cut.has(characters[start] as string)) start += 1;
  while (right && end > start && cut.has(characters[end - 1] as string)) end -= 1;
  return characters.slice(start, end).join("");
}

/** unicode.ToUpper of one rune: a mapping to several characters keeps the rune, as Go's does. */
export function upperRune(character: string): string {
  const upper = character.toUpperCase();
  return [...upper].length === 1 ? upper : character;
}

/** unicode.ToLower of one rune. */
export function lowerRune(character: string): string {
  const lower = character.toLowerCase();
  return [...lower].length === 1 ? lower : character;
}

/** strings.ToUpper. */
export function goUpper(text: string): string {
  return [...text].map(upperRune).join("");
}

/** strings.ToLower. */
export function goLower(text: string): string {
  return [...text].map(lowerRune).join("");
}

/** unicode.IsUpper. */
export function isUpperRune(character: string): boolean {
  return /^\p{Lu}$/u.test(character);
}

/** unicode.IsLower. */
export function isLowerRune(character: string): boolean {
  return /^\p{Ll}$/u.test(character);
}

/** unicode.IsLetter. */
export function isLetterRune(character: string): boolean {
  return /^\p{L}$/u.test(character);
}

/** unicode.IsDigit / IsNumber (\p{N}). */
export function isNumberRune(character: string): boolean {
  return /^\p{N}$/u.test(character);
}

/** unicode.IsPunct. */
export function isPunctRune(character: string): boolean {
  return /^\p{P}$/u.test(character);
}

// strings.Title's isSeparator.
function isTitleSeparator(character: string): boolean {
  const code = character.codePointAt(0) as number;
  if (code <= 0x7f) return !/[0-9A-Za-z_]/.test(character);
  if (isLetterRune(character) || /^\p{Nd}$/u.test(character)) return false;
  return isGoSpace(character);
}

/** strings.Title: the first letter of every word to title case. */
export function goTitle(text: string): string {
  let previous = " ";
  let out = "";
  for (const character of text) {
    out += isTitleSeparator(previous) ? upperRune(character) : character;
    previous = character;
  }
  return out;
}
