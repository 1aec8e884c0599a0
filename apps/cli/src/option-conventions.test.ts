import { createRequire } from "node:module";
import { Command, Option } from "clipanion";
import { describe, expect, it, vi } from "vitest";
import { createCli } from "./cli.js";
import { parsed, runInMemory } from "./cli-test-support.js";
import type { BuildCommand } from "./commands/build.js";
import type { HostCleanupCommand } from "./commands/host.js";
import type { PublishCommand } from "./commands/publish.js";
import type { CommandContext } from "./context.js";
import { environmentVariableOf } from "./option-conventions.js";

// clipanion's ES build imports a directory (lib/platform), which Node's ES loader refuses: the CLI
// loads it with require (tsup.config.ts), and so do these tests.
vi.mock("clipanion", () => createRequire(import.meta.url)("clipanion"));

describe("value names in help", () => {
  it("names each option's value instead of clipanion's #0", async () => {
    const { code, stdout } = await runInMemory(["build", "--help"]);
    expect(code).toBe(0);
    expect(stdout).not.toContain("#0");
    expect(stdout).toContain("--dir <path>");
    expect(stdout).toContain("--repo <repo>");
    expect(stdout).toContain("--parallel <n>");
    expect(stdout).toContain("--insecure-registry <host>");
    expect(stdout).toContain("$ stages build [options] [IMAGE...]\n");
    const list = (await runInMemory(["--help"])).stdout;
    expect(list).not.toContain("#0");
    // The list of commands keeps to one short line each: the options are in each command's help.
    expect(list).toContain("  stages build [options] [IMAGE...]\n");
    expect(list).toContain("  stages completion <SHELL>\n");
  });

  it("shows optional values and positionals as they are typed", async () => {
    const { stdout } = await runInMemory(["publish", "--help"]);
    expect(stdout).toContain("--tag-git-branch[=<branch>]");
    expect(stdout).toContain("--tag-custom <tag>");
    expect(stdout).toContain("$ stages publish [options] [IMAGE...] <REPO>\n");
    const list = (await runInMemory(["--help"])).stdout;
    expect(list).toContain("  stages push [options] [IMAGE...] <REPO>\n");
  });

  it("shows <value> for the options of a command that names none (a plugin's)", () => {
    class PluginCommand extends Command<CommandContext> {
      static override paths = [["plugin-info"]];
      static override usage = Command.Usage({ description: "A plugin's command" });
      root = Option.String("--root", { description: "Where" });
      async execute() {
        return 0;
      }
    }
    const help = createCli([PluginCommand]).usage(PluginCommand, { detailed: true });
    expect(help).toContain("--root <value>");
    expect(help).not.toContain("#0");
  });

  it("lists only the options a command uses: --network where stages builds, --insecure-registry where it talks to a registry", async () => {
    const help = async (...command: string[]) => (await runInMemory([...command, "--help"])).stdout;
    for (const building of [["build"], ["build-and-publish"]]) expect(await help(...building)).toContain("--network");
    for (const other of [["push"], ["pull"], ["publish"], ["plan"], ["list"], ["cleanup"], ["host", "cleanup"]])
      expect(await help(...other), other.join(" ")).not.toContain("--network");
    expect(await help("host", "purge")).not.toContain("--insecure-registry");
    expect(await help("push")).toContain("--insecure-registry");
    const { code, stderr } = await runInMemory(["push", "registry.example.com/x", "--network", "host"]);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown option "--network"');
  });
});

describe("STAGES_* environment defaults", () => {
  it("derives the variable from the option's name", () => {
    expect(environmentVariableOf("--insecure-registry")).toBe("STAGES_INSECURE_REGISTRY");
    expect(environmentVariableOf("--repo")).toBe("STAGES_REPO");
  });

  it("fills options from the environment, and the flag wins", () => {
    const env = { STAGES_REPO: "env.example.com/taxi", STAGES_NETWORK: "host", STAGES_PARALLEL: "3" };
    const fromEnvironment = parsed<BuildCommand>(["build"], env);
    expect(fromEnvironment.repo).toBe("env.example.com/taxi");
    expect(fromEnvironment.network).toBe("host");
    expect(fromEnvironment.parallel).toBe(3);
    const fromFlags = parsed<BuildCommand>(["build", "--repo", "flag.example.com/taxi", "--parallel=2"], env);
    expect(fromFlags.repo).toBe("flag.example.com/taxi");
    expect(fromFlags.parallel).toBe(2);
    expect(parsed<BuildCommand>(["build"]).repo).toBeUndefined();
    expect(parsed<BuildCommand>(["build"], { STAGES_REPO: "" }).repo).toBeUndefined();
  });

  it("reads lists comma-separated or numbered as werf does, booleans as true/false", () => {
    const command = parsed<PublishCommand>(["publish", "r.example.com/x"], {
      STAGES_INSECURE_REGISTRY: "a.example:5000, b.example",
      STAGES_TAG_CUSTOM_2: "second",
      STAGES_TAG_CUSTOM_1: "first",
      STAGES_TAG_BY_SIGNATURE: "yes",
      STAGES_TAG_GIT_BRANCH: "true",
      STAGES_TAG_GIT_COMMIT: "abc123",
      STAGES_JSON: "1",
      STAGES_WITH_STAGES: "false",
    });
    expect(command.insecureRegistries).toEqual(["a.example:5000", "b.example"]);
    expect(command.tagCustom).toEqual(["first", "second"]);
    expect(command.tagBySignature).toBe(true);
    expect(command.tagGitBranch).toBe(true);
    expect(command.tagGitCommit).toBe("abc123");
    expect(command.tagGitTag).toBe(false);
    expect(command.json).toBe(true);
    expect(command.withStages).toBe(false);
    const flagged = parsed<PublishCommand>(["publish", "r.example.com/x", "--tag-custom", "v1", "--no-json"], {
      STAGES_TAG_CUSTOM: "a,b",
      STAGES_JSON: "true",
    });
    expect(flagged.tagCustom).toEqual(["v1"]);
    expect(flagged.json).toBe(false);
  });

  it("refuses an invalid value naming the variable, and never echoes a secret one", () => {
    expect(() => parsed<BuildCommand>(["build"], { STAGES_PARALLEL: "many" })).toThrow(/STAGES_PARALLEL/);
    expect(() => parsed<BuildCommand>(["build"], { STAGES_PUSH: "maybe" })).toThrow(/STAGES_PUSH: expected true/);
    expect(() => parsed<HostCleanupCommand>(["host", "cleanup"], { STAGES_ALLOWED_VOLUME_USAGE: "120" })).toThrow(
      /STAGES_ALLOWED_VOLUME_USAGE/,
    );
  });

  it("takes no variable for --force, whose meaning differs per command", () => {
    expect(parsed<BuildCommand>(["build"], { STAGES_FORCE: "true" }).force).toBe(false);
  });

  it("shows each variable in help, never its value", async () => {
    const { stdout } = await runInMemory(["build", "--help"], {
      env: { STAGES_LOCK: "redis://:hunter2@redis.example.com:6379" },
    });
    expect(stdout).toMatch(/--repo <repo>\s+.*\(env: STAGES_REPO\)/);
    expect(stdout).toContain("(env: STAGES_LOCK)");
    expect(stdout).toContain("(env: STAGES_INSECURE_REGISTRY)");
    expect(stdout).not.toContain("hunter2");
    expect(stdout).not.toMatch(/--force\s+.*env:/);
  });
});
