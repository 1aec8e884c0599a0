import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withLockFile } from "./remote-lock.js";

let directory: string;
let holder: ChildProcess | null = null;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "stages-lock-test-"));
});
afterEach(() => {
  holder?.kill();
  holder = null;
  rmSync(directory, { recursive: true, force: true });
});

describe("withLockFile", () => {
  it("runs one holder at a time and removes the lock afterwards", async () => {
    const path = join(directory, "mirror.lock");
    let inside = 0;
    let most = 0;
    await Promise.all(
      [1, 2, 3].map(() =>
        withLockFile(path, { timeoutMs: 10_000, pollMs: 5 }, async () => {
          inside += 1;
          most = Math.max(most, inside);
          await new Promise((resolve) => setTimeout(resolve, 20));
          inside -= 1;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(existsSync(path)).toBe(false);
  });

  it("waits for another live process, and says who holds it when the wait is over", async () => {
    holder = spawn("sleep", ["30"]);
    const path = join(directory, "mirror.lock");
    writeFileSync(path, `${hostname()} ${holder.pid}\n`);
    await expect(
      withLockFile(path, { timeoutMs: 300, staleMs: 60_000, pollMs: 20 }, async () => "ran"),
    ).rejects.toThrow(`is locked by ${hostname()} ${holder.pid}`);
    holder.kill();
    await new Promise((resolve) => holder?.once("exit", resolve));
    // The process is gone: its lock is taken over.
    expect(await withLockFile(path, { timeoutMs: 300, staleMs: 60_000, pollMs: 20 }, async () => "ran")).toBe("ran");
  });

  it("keeps a long holder's lock fresh, and takes over one nobody touches", async () => {
    const path = join(directory, "mirror.lock");
    const order: string[] = [];
    const long = withLockFile(path, { timeoutMs: 5_000, staleMs: 150 }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      order.push("long");
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Three times the stale age: the holder's touches keep the waiter waiting.
    await withLockFile(path, { timeoutMs: 5_000, staleMs: 150, pollMs: 10 }, async () => {
      order.push("waiter");
    });
    await long;
    expect(order).toEqual(["long", "waiter"]);
    // A lock of another host nobody touches: taken over once stale.
    writeFileSync(path, "elsewhere 1\n");
    expect(await withLockFile(path, { timeoutMs: 5_000, staleMs: 100, pollMs: 10 }, async () => "ran")).toBe("ran");
  });
});
