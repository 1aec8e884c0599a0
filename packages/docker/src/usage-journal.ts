import { mkdir, open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { isSignature, type Signature } from "@stages/core";

/**
 * The last use of local stages by stages commands, one append-only journal per engine and project:
 * lines `<ISO time> <signature>`. A command appends all the stages it uses in one `write` of a
 * file opened with O_APPEND, so concurrent commands never interleave within a line. Host cleanup
 * takes, per signature, the newest time; lines it cannot read are ignored (a torn last line of a
 * crashed writer).
 */

/** Past this size the journal is rewritten with one line per signature. */
export const journalCompactionBytes = 256 * 1024;

/** The newest use of each signature in a journal's text. */
export function parseJournal(text: string): Map<Signature, string> {
  const newest = new Map<Signature, string>();
  for (const line of text.split("\n")) {
    const space = line.indexOf(" ");
    if (space <= 0) continue;
    const at = line.slice(0, space);
    const signature = line.slice(space + 1).trim();
    if (!isSignature(signature)) continue;
    const time = Date.parse(at);
    if (Number.isNaN(time)) continue;
    const iso = new Date(time).toISOString();
    const known = newest.get(signature);
    if (known === undefined || known < iso) newest.set(signature, iso);
  }
  return newest;
}

/** The journal's text with one line per signature (its newest use), oldest first. */
export function formatJournal(uses: ReadonlyMap<Signature, string>): string {
  return [...uses]
    .sort(([leftSignature, left], [rightSignature, right]) =>
      left < right ? -1 : left > right ? 1 : leftSignature < rightSignature ? -1 : 1,
    )
    .map(([signature, at]) => `${at} ${signature}\n`)
    .join("");
}

/** Appends the uses of one command; returns the journal's size after the write. */
export async function appendJournal(path: string, signatures: readonly Signature[], at: Date): Promise<number> {
  if (signatures.length === 0) return 0;
  const iso = at.toISOString();
  const text = signatures.map((signature) => `${iso} ${signature}\n`).join("");
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "a");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(dirname(path), { recursive: true });
    handle = await open(path, "a");
  }
  try {
    await handle.write(text);
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

/** Every use recorded in the journal; empty when there is none yet. */
export async function readJournal(path: string): Promise<Map<Signature, string>> {
  try {
    return parseJournal(await readFile(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw error;
  }
}

/**
 * Rewrites the journal with one line per signature, keeping only `keep` when given (the stages
 * still on the engine). The new text goes to a temporary file renamed over the journal, so a
 * reader sees the old or the new journal, never half of one. A line another command appends
 * between the read and the rename is lost: that stage then looks used at its previous use (or
 * its creation), and a running command still holds it through its hold file, so the loss can
 * only make host cleanup remove an idle stage somewhat earlier, never one in use.
 */
export async function compactJournal(path: string, keep?: ReadonlySet<Signature>): Promise<void> {
  const uses = await readJournal(path);
  if (keep) for (const signature of [...uses.keys()]) if (!keep.has(signature)) uses.delete(signature);
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, formatJournal(uses));
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}

/** Compacts the journal when it grew past `limit` bytes. */
export async function compactJournalIfLarge(
  path: string,
  keep?: ReadonlySet<Signature>,
  limit = journalCompactionBytes,
): Promise<boolean> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return false;
  }
  if (size <= limit) return false;
  await compactJournal(path, keep);
  return true;
}
