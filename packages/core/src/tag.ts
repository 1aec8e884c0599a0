import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";
import { InvalidTagError } from "./errors.js";

/** Longest tag Docker accepts. */
export const tagMaxLength = 128;

const tagRegexp = /^[\w][\w.-]{0,127}$/;
const hashSuffixLength = 8;

/** True when `text` is a valid Docker tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
export function isValidTag(text: string): boolean {
  return tagRegexp.test(text);
}

/** Throws InvalidTagError unless `text` is a valid Docker tag. */
export function assertValidTag(text: string): void {
  if (isValidTag(text)) return;
  throw new InvalidTagError(`invalid tag ${quote(text)}: ${tagProblem(text)}`, {
    hint: 'a tag is 1 to 128 letters, digits, "_", "." and "-", not starting with "." or "-"',
  });
}

/** What a tag slugified from some text is, and whether it differs from that text. */
export interface SlugifiedTag {
  readonly tag: string;
  readonly changed: boolean;
}

/**
 * Makes a valid Docker tag of any text (a branch name, a custom tag), as DESIGN §6 says.
 *
 * - A text that already is a valid tag is returned as is, uppercase included (`changed: false`),
 *   so that `--tag-custom V1.0` publishes `V1.0` as Docker would.
 * - Otherwise: lowercase; each run of characters outside `[a-z0-9_.-]` becomes one `-`; leading
 *   `.` and `-` are removed (a tag starts with `[a-z0-9_]`); trailing `-` are removed.
 *   `feature/JIRA-12 fix` → `feature-jira-12-fix`.
 * - A result longer than 128 characters is cut and ends in `-` plus the first 8 hex of the sha256
 *   of the ORIGINAL text, so different long texts stay different tags and the result has 128.
 * - Text with nothing usable (`""`, `"///"`) throws InvalidTagError.
 *
 * The result is always a valid tag, and slugifying it again changes nothing.
 */
export function slugifyTag(text: string): SlugifiedTag {
  if (isValidTag(text)) return { tag: text, changed: false };
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, "-")
    .replace(/^[.-]+/, "")
    .replace(/-+$/, "");
  if (slug === "") {
    throw new InvalidTagError(`cannot make a tag of ${quote(text)}: it has no letter, digit or "_"`, {
      hint: "give a value with at least one letter or digit",
    });
  }
  if (slug.length <= tagMaxLength) return { tag: slug, changed: true };
  const hash = bytesToHex(sha256(utf8ToBytes(text))).slice(0, hashSuffixLength);
  const head = slug.slice(0, tagMaxLength - hashSuffixLength - 1).replace(/-+$/, "");
  return { tag: `${head}-${hash}`, changed: true };
}

function tagProblem(text: string): string {
  if (text === "") return "the tag is empty";
  if (text.length > tagMaxLength) return `longer than ${tagMaxLength} characters (it has ${text.length})`;
  if (/^[.-]/.test(text)) return 'it must not start with "." or "-"';
  return 'only letters, digits, "_", "." and "-" are allowed';
}

function quote(text: string): string {
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}
