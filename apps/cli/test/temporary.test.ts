import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { removeTemporaryDirectories, temporaryDirectory } from "./temporary.js";

describe("temporaryDirectory", () => {
  it("makes distinct folders that removeTemporaryDirectories removes with their content", () => {
    const first = temporaryDirectory("stages-temporary-");
    const second = temporaryDirectory("stages-temporary-");
    expect(first).not.toBe(second);
    writeFileSync(join(first, "file"), "x");
    expect(removeTemporaryDirectories()).toBe(2);
    expect(existsSync(first) || existsSync(second)).toBe(false);
    expect(removeTemporaryDirectories()).toBe(0);
  });
});
