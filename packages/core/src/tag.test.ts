import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidTagError, type StagesError } from "./errors.js";
import { assertValidTag, isValidTag, slugifyTag, tagMaxLength } from "./tag.js";

function shortHash(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text))).slice(0, 8);
}

describe("isValidTag and assertValidTag", () => {
  it.each([
    "latest",
    "3.20",
    "V1.0",
    "UPPER",
    "_x",
    "0",
    "a-b_c.d",
    "a..b--c__d",
    "a.",
    "a-",
    "1.2.3-rc.1",
    "a".repeat(128),
    `_${"-".repeat(127)}`,
  ])("accepts %j", (tag) => {
    expect(isValidTag(tag)).toBe(true);
    expect(() => assertValidTag(tag)).not.toThrow();
  });

  it.each([
    ["", /the tag is empty/],
    [".a", /must not start with "\." or "-"/],
    ["-a", /must not start with "\." or "-"/],
    ["a".repeat(129), /longer than 128 characters \(it has 129\)/],
    ["a/b", /only letters, digits/],
    ["a:b", /only letters, digits/],
    ["a@b", /only letters, digits/],
    ["a b", /only letters, digits/],
    ["é", /only letters, digits/],
    ["a+b", /only letters, digits/],
  ])("rejects %j", (tag, reason) => {
    expect(isValidTag(tag)).toBe(false);
    let error: unknown;
    try {
      assertValidTag(tag);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidTagError.isInstance(error)).toBe(true);
    expect((error as StagesError).code).toBe("INVALID_TAG");
    expect((error as StagesError).message).toMatch(/^invalid tag ".*": /);
    expect((error as StagesError).message).toMatch(reason);
    expect((error as StagesError).hint).toBeTruthy();
  });
});

describe("slugifyTag", () => {
  it.each(["latest", "V1.0", "Feature_X", "a.", "a-", "_", "a".repeat(128)])("keeps the valid tag %j", (text) => {
    expect(slugifyTag(text)).toStrictEqual({ tag: text, changed: false });
  });

  it.each([
    ["feature/JIRA-12 fix", "feature-jira-12-fix"],
    ["Feature/X", "feature-x"],
    ["-foo", "foo"],
    [".foo", "foo"],
    ["..--foo", "foo"],
    ["foo/", "foo"],
    ["foo//", "foo"],
    ["foo/.", "foo-."],
    ["Foo Bar!!", "foo-bar"],
    ["a  b\tc", "a-b-c"],
    ["feature/ünïcode", "feature-n-code"],
    ["refs/heads/main", "refs-heads-main"],
    ["v1.0+build.5", "v1.0-build.5"],
    ["/_x/", "_x"],
    ["--1", "1"],
    ["日本語-1", "1"],
    ["a@b:c", "a-b-c"],
    ["a".repeat(129), `${"a".repeat(119)}-${shortHash("a".repeat(129))}`],
  ])("makes %j into %j", (text, tag) => {
    expect(slugifyTag(text)).toStrictEqual({ tag, changed: true });
  });

  it.each(["", "///", "---", "...", "-.-", "日本語", " "])("refuses %j, which has nothing usable", (text) => {
    expect(() => slugifyTag(text)).toThrow(InvalidTagError);
    expect(() => slugifyTag(text)).toThrow(/cannot make a tag of/);
  });

  it("cuts long text and ends it with a hash of the original text", () => {
    const text = `Feature/${"X".repeat(200)}`;
    const { tag, changed } = slugifyTag(text);
    expect(changed).toBe(true);
    expect(tag).toHaveLength(tagMaxLength);
    expect(tag).toBe(`feature-${"x".repeat(111)}-${shortHash(text)}`);
  });

  it("keeps long texts that share a prefix apart", () => {
    const prefix = "branch/".repeat(30);
    expect(slugifyTag(`${prefix}one`).tag).not.toBe(slugifyTag(`${prefix}two`).tag);
    // Texts that slug alike but differ still get different tags when long.
    expect(slugifyTag(`${prefix}A`).tag).not.toBe(slugifyTag(`${prefix}a`).tag);
  });

  it("does not leave a dash before the hash when the cut falls on one", () => {
    const text = `${"a".repeat(118)}//${"b".repeat(20)}`;
    expect(slugifyTag(text).tag).toBe(`${"a".repeat(118)}-${shortHash(text)}`);
  });

  it("hashes the UTF-8 bytes of the original text", () => {
    const text = `${"ü".repeat(10)}${"a".repeat(200)}`;
    expect(slugifyTag(text).tag).toBe(`${"a".repeat(119)}-${shortHash(text)}`);
    expect(shortHash(text)).toBe(bytesToHex(sha256(new TextEncoder().encode(text))).slice(0, 8));
  });
});

describe("slugifyTag properties", () => {
  const anyText = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: "grapheme", maxLength: 200 }),
    fc.array(fc.constantFrom(..."aZ09_.-/ :@+ÄßK".split("")), { maxLength: 300 }).map((chars) => chars.join("")),
  );

  it("returns a valid tag of at most 128 characters, or throws InvalidTagError when nothing is usable", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const usable = isValidTag(text) || /[a-z0-9_]/.test(text.toLowerCase());
        if (!usable) {
          expect(() => slugifyTag(text)).toThrow(InvalidTagError);
          return;
        }
        const { tag, changed } = slugifyTag(text);
        expect(isValidTag(tag)).toBe(true);
        expect(tag.length).toBeLessThanOrEqual(tagMaxLength);
        expect(changed).toBe(tag !== text);
        if (changed) expect(tag).toMatch(/^[a-z0-9_][a-z0-9_.-]*$/);
      }),
      { numRuns: 1000 },
    );
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        let once: string;
        try {
          once = slugifyTag(text).tag;
        } catch {
          return;
        }
        expect(slugifyTag(once)).toStrictEqual({ tag: once, changed: false });
      }),
      { numRuns: 1000 },
    );
  });

  it("never changes a valid tag", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\w][\w.-]{0,127}$/), (tag) => {
        expect(slugifyTag(tag)).toStrictEqual({ tag, changed: false });
      }),
    );
  });
});
