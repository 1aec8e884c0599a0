import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Signature } from "@stages/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  appendJournal,
  compactJournal,
  compactJournalIfLarge,
  formatJournal,
  parseJournal,
  readJournal,
} from "./usage-journal.js";

const a = "a".repeat(64) as Signature;
const b = "b".repeat(64) as Signature;

describe("parseJournal", () => {
  it("keeps the newest use of each signature and skips lines it cannot read", () => {
    const text = [
      `2026-01-02T00:00:00.000Z ${a}`,
      `2026-01-01T00:00:00.000Z ${a}`,
      `2026-01-03T00:00:00.000Z ${b}`,
      "garbage",
      `not-a-time ${b}`,
      `2026-01-09T00:00:00.000Z ${"c".repeat(63)}`,
      `2026-01-04T00:00:00.000Z ${b.slice(0, 30)}`, // a torn last line
    ].join("\n");
    expect([...parseJournal(text)]).toEqual([
      [a, "2026-01-02T00:00:00.000Z"],
      [b, "2026-01-03T00:00:00.000Z"],
    ]);
  });

  it("formats one line per signature, oldest first, and reads back the same", () => {
    const uses = new Map([
      [b, "2026-01-03T00:00:00.000Z"],
      [a, "2026-01-02T00:00:00.000Z"],
    ]);
    const text = formatJournal(uses);
    expect(text).toBe(`2026-01-02T00:00:00.000Z ${a}\n2026-01-03T00:00:00.000Z ${b}\n`);
    expect(parseJournal(text)).toEqual(uses);
  });
});

describe("journal files", () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "stages-journal-"));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("appends in one write, creating the directory, and reports the size", async () => {
    const path = join(directory, "deep", "p.log");
    const size = await appendJournal(path, [a, b], new Date("2026-01-01T00:00:00Z"));
    expect(size).toBe((await stat(path)).size);
    await appendJournal(path, [a], new Date("2026-01-05T00:00:00Z"));
    expect([...(await readJournal(path))]).toEqual([
      [a, "2026-01-05T00:00:00.000Z"],
      [b, "2026-01-01T00:00:00.000Z"],
    ]);
    expect(await readJournal(join(directory, "none.log"))).toEqual(new Map());
  });

  it("compacts to one line per signature, dropping stages no longer present", async () => {
    const path = join(directory, "p.log");
    for (let day = 1; day <= 9; day++) await appendJournal(path, [a, b], new Date(`2026-01-0${day}T00:00:00Z`));
    await compactJournal(path, new Set([b]));
    expect(await readFile(path, "utf8")).toBe(`2026-01-09T00:00:00.000Z ${b}\n`);
  });

  it("compacts only past the size limit", async () => {
    const path = join(directory, "p.log");
    await writeFile(path, `2026-01-01T00:00:00.000Z ${a}\n`.repeat(20));
    expect(await compactJournalIfLarge(path, undefined, 10_000)).toBe(false);
    expect((await stat(path)).size).toBe(90 * 20);
    expect(await compactJournalIfLarge(path, undefined, 1_000)).toBe(true);
    expect((await stat(path)).size).toBe(90);
    expect(await compactJournalIfLarge(join(directory, "none.log"))).toBe(false);
  });
});
