import { describe, expect, it } from "vitest";
import { removalCommands, shellQuote, stageScript } from "./shell-script.js";

describe("shell scripts", () => {
  it("quotes words for sh", () => {
    expect(shellQuote("/app/src/a.js")).toBe("/app/src/a.js");
    expect(shellQuote("/app/it's here")).toBe(`'/app/it'"'"'s here'`);
    expect(shellQuote("$HOME")).toBe("'$HOME'");
    expect(shellQuote("")).toBe("''");
  });

  it("writes rm commands split into lines of bounded length", () => {
    expect(removalCommands([])).toEqual([]);
    expect(removalCommands(["/app/a", "/app/b c"])).toEqual(["rm -rf -- /app/a '/app/b c'"]);
    const many = Array.from({ length: 5000 }, (_, index) => `/app/some/rather/long/path/number-${index}.js`);
    const commands = removalCommands(many);
    expect(commands.length).toBeGreaterThan(1);
    for (const command of commands) expect(command.length).toBeLessThanOrEqual(32 * 1024);
    expect(
      commands
        .join(" ")
        .split(" ")
        .filter((word) => word.startsWith("/app/")).length,
    ).toBe(5000);
  });

  it("joins commands one per line", () => {
    expect(stageScript(["cd /app", "npm ci"])).toBe("cd /app\nnpm ci");
  });
});
