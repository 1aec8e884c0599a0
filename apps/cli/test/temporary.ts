import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Every folder a test of this package makes under the system's temporary folder goes through here,
// and test/setup.ts removes them after each test file: runs used to leave thousands behind in /tmp.
const made: string[] = [];

/** A new folder `<tmp>/<prefix>XXXXXX`, removed after the calling test file's tests. */
export function temporaryDirectory(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  made.push(directory);
  return directory;
}

/** Removes the folders made so far (newest first); returns how many. */
export function removeTemporaryDirectories(): number {
  const count = made.length;
  for (const directory of made.splice(0).reverse()) rmSync(directory, { recursive: true, force: true });
  return count;
}
