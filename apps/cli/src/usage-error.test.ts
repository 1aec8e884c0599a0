import { createRequire } from "node:module";
import { describe, expect, it, vi } from "vitest";
import { runInMemory } from "./cli-test-support.js";

// clipanion's ES build imports a directory (lib/platform), which Node's ES loader refuses: the CLI
// loads it with require (tsup.config.ts), and so do these tests.
vi.mock("clipanion", () => createRequire(import.meta.url)("clipanion"));

describe("stages help", () => {
  it("is stages --help", async () => {
    const help = await runInMemory(["help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await runInMemory(["--help"])).stdout);
    expect(help.stdout).toContain("stages build");
    expect(help.stdout).toContain("stages help");
    expect(help.stdout).toContain("stages completion");
  });

  it("with a command is that command's --help", async () => {
    const help = await runInMemory(["help", "host", "cleanup"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await runInMemory(["host", "cleanup", "--help"])).stdout);
    expect(help.stdout).toContain("--allowed-volume-usage,--allowed-docker-storage-volume-usage <percent>");
  });

  it("with a group lists the group's commands", async () => {
    for (const argv of [
      ["help", "host"],
      ["host", "--help"],
    ]) {
      const help = await runInMemory(argv);
      expect(help.code, argv.join(" ")).toBe(0);
      expect(help.stdout).toContain("stages host cleanup");
      expect(help.stdout).toContain("stages host purge");
      expect(help.stdout).not.toContain("stages build");
    }
  });
});

describe("a usage error", () => {
  it('suggests the command meant: stages biuld → did you mean "stages build"?', async () => {
    const run = await runInMemory(["biuld"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('stages: error: unknown command "biuld"\n  hint: did you mean "stages build"?\n');
    expect(run.stdout).toBe("");
    expect((await runInMemory(["host", "cleanp"])).stderr).toContain('did you mean "stages host cleanup"?');
    expect((await runInMemory(["hots", "purge"])).stderr).toContain('did you mean "stages host purge"?');
    expect((await runInMemory(["confg", "check"])).stderr).toContain('did you mean "stages config check"?');
    expect((await runInMemory(["help", "puhs"])).stderr).toContain('did you mean "stages push"?');
    const nothingClose = await runInMemory(["frobnicate"]);
    expect(nothingClose.stderr).toContain('unknown command "frobnicate"');
    expect(nothingClose.stderr).toContain('"stages help" lists the commands');
  });

  it("suggests the option meant", async () => {
    const run = await runInMemory(["build", "--netwrk", "host"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'stages: error: unknown option "--netwrk" for stages build\n  hint: did you mean "--network"?\n',
    );
  });

  it("says what is missing or extra", async () => {
    expect((await runInMemory(["push"])).stderr).toContain("missing argument for stages push");
    expect((await runInMemory(["cleanup", "a", "b"])).stderr).toContain('unexpected argument "b" for stages cleanup');
    expect((await runInMemory(["build", "--repo"])).stderr).toContain("--repo needs a value");
    expect((await runInMemory(["build", "backend", "--lock"])).stderr).toContain("--lock needs a value");
    expect((await runInMemory(["build", "--parallel", "0"])).stderr).toContain("Invalid value for --parallel");
  });

  it("prints the error document on stdout under --json (or STAGES_JSON), exit code 2", async () => {
    const cases: [string[], Record<string, string>, string][] = [
      [["build", "--json", "--frobnicate"], {}, 'unknown option "--frobnicate" for stages build'],
      [["push", "--json"], {}, "missing argument for stages push"],
      [["biuld", "--json"], {}, 'unknown command "biuld"'],
      [["biuld"], { STAGES_JSON: "true" }, 'unknown command "biuld"'],
      [["build", "--json", "--parallel", "x"], {}, "Invalid value for --parallel"],
    ];
    for (const [argv, env, message] of cases) {
      const run = await runInMemory(argv, { env });
      expect(run.code, argv.join(" ")).toBe(2);
      const document = JSON.parse(run.stdout) as { error: { code: string; message: string } };
      expect(Object.keys(document)).toEqual(["error"]);
      expect(Object.keys(document.error)).toEqual(["code", "message"]);
      expect(document.error.code).toBe("USAGE");
      expect(document.error.message).toContain(message);
      expect(run.stderr).toContain(`stages: error: ${document.error.message}`);
    }
    expect((await runInMemory(["biuld"])).stdout).toBe("");
  });
});
