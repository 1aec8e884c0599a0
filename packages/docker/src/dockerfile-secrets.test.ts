import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { withPrologue } from "./dockerfile-secrets.js";

describe("withPrologue", () => {
  it("runs the argv as is when there is nothing to export", () => {
    expect(withPrologue(["make", "all"], [], []).slice(3)).toEqual(["stages-run", "make", "all"]);
  });

  it("exports ARGs exactly as given and reads each secret variable from its file, then execs the argv", () => {
    const argv = withPrologue(
      ["/bin/sh", "-c", 'printf "%s|%s|%s" "$A" "$B" "$SECRET"'],
      [
        ["A", "it's $HOME `x`"],
        ["B", "two\nlines"],
      ],
      [["SECRET", "/dev/null"]],
    );
    expect(argv.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    const run = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", env: { PATH: process.env.PATH } });
    expect(run.stdout).toBe("it's $HOME `x`|two\nlines|");
  });

  it("fails before the command when a secret's file cannot be read", () => {
    const argv = withPrologue(["echo", "ran"], [], [["SECRET", "/nonexistent/secret"]]);
    const run = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toBe("");
  });
});
