import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { engineKey, stateDirectoryFromEnv } from "./state-directory.js";
import { measureLocalStorage, usageFromStatfs, usedPercent } from "./storage-usage.js";

describe("usageFromStatfs", () => {
  it("counts used as total minus free blocks, as df does", () => {
    const usage = usageFromStatfs("/data", { bsize: 4096, blocks: 1000, bfree: 250 });
    expect(usage).toEqual({ path: "/data", usedBytes: 750 * 4096, totalBytes: 1000 * 4096 });
    expect(usedPercent(usage)).toBe(75);
    expect(usedPercent({ path: "/", usedBytes: 0, totalBytes: 0 })).toBe(0);
  });

  it("measures a path of this machine, and gives null for one that is not here", async () => {
    const directory = await mkdtemp(join(tmpdir(), "stages-usage-"));
    try {
      const usage = await measureLocalStorage(directory);
      expect(usage?.path).toBe(directory);
      expect(usage?.totalBytes).toBeGreaterThan(0);
      expect(usage?.usedBytes).toBeGreaterThan(0);
      expect(usage?.usedBytes).toBeLessThanOrEqual(usage?.totalBytes ?? 0);
      expect(await measureLocalStorage(join(directory, "absent"))).toBeNull();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe("stateDirectoryFromEnv", () => {
  it("prefers STAGES_STATE_DIR, then an absolute XDG_STATE_HOME, then ~/.local/state", () => {
    expect(stateDirectoryFromEnv({ STAGES_STATE_DIR: "/s", XDG_STATE_HOME: "/x" }, "/home/u")).toBe("/s");
    expect(stateDirectoryFromEnv({ XDG_STATE_HOME: "/x" }, "/home/u")).toBe("/x/stages");
    expect(stateDirectoryFromEnv({ XDG_STATE_HOME: "relative" }, "/home/u")).toBe("/home/u/.local/state/stages");
    expect(stateDirectoryFromEnv({}, "/home/u")).toBe("/home/u/.local/state/stages");
  });

  it("keys engines apart by endpoint", () => {
    expect(engineKey("unix:///a.sock")).toMatch(/^[0-9a-f]{16}$/);
    expect(engineKey("unix:///a.sock")).not.toBe(engineKey("unix:///b.sock"));
  });
});
