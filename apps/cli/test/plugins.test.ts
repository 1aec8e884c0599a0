// Plugins as a user installs them: in the project's node_modules, resolving their OWN copy of
// clipanion (a global CLI never shares its copy), choosing adapters and taking typed settings.
import { cpSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repositoryRoot, stages } from "./helpers.js";
import { temporaryDirectory } from "./temporary.js";

const clipanionCopy = realpathSync(join(repositoryRoot, "node_modules", ".pnpm", "node_modules", "clipanion"));
const typanionCopy = realpathSync(join(repositoryRoot, "node_modules", ".pnpm", "node_modules", "typanion"));

/** A plugin package with its own clipanion and typanion (copies, not links) in its node_modules. */
function installPlugin(project: string, name: string, source: string): void {
  const directory = join(project, "node_modules", name);
  mkdirSync(join(directory, "node_modules"), { recursive: true });
  cpSync(clipanionCopy, join(directory, "node_modules", "clipanion"), { recursive: true, dereference: true });
  cpSync(typanionCopy, join(directory, "node_modules", "typanion"), { recursive: true, dereference: true });
  writeFileSync(join(directory, "package.json"), JSON.stringify({ name, type: "module", exports: "./index.js" }));
  writeFileSync(join(directory, "index.js"), source);
}

/** The built CLI in the project, with an environment of its own (HOME: no docker config of the user). */
function run(cwd: string, argv: string[], env: Record<string, string> = {}) {
  return stages(argv, { cwd, env: { HOME: cwd, ...env } });
}

// Plain objects, no @stages/core: what a plugin needs is only the contract's shape.
const functionPlugin = `
export default {
  name: "own-clipanion-plugin",
  specificationVersion: "v1",
  settings: {
    "memory.greeting": { description: "What the memory storage says", type: "string", default: "hello" },
    "memory.count": { description: "How many stages it lists", type: "number", default: 1 },
    "memory.tags": { description: "Tags", type: "string[]", default: [] },
  },
  storages: {
    local: {
      memory: (context) => ({
        specificationVersion: "v1",
        kind: "memory",
        description: "memory " + context.settings["memory.greeting"] + " " + context.settings["memory.tags"].join("+"),
        get: async () => null,
        has: async () => false,
        delete: async () => {},
        list: async () =>
          Array.from({ length: context.settings["memory.count"] }, (_, index) => ({
            project: context.project, image: "app", stage: "from", id: "sha256:" + index,
            signature: String(index).repeat(64), labels: {},
          })),
      }),
    },
  },
  commands: ({ Command, Option }) => {
    class GreetCommand extends Command {
      static paths = [["greet"]];
      static usage = Command.Usage({ description: "Greet someone" });
      times = Option.String("--times", "1");
      loud = Option.Boolean("--loud", false);
      who = Option.String({ required: true });
      async execute() {
        const line = (this.loud ? "HELLO " : "hello ") + this.who;
        this.context.stdout.write(Array(Number(this.times)).fill(line).join("\\n") + "\\n");
        return 0;
      }
    }
    return [GreetCommand];
  },
};
`;

// The old form with the plugin's own clipanion: it would parse nothing, so it is refused by name.
const oldFormPlugin = `
import { Command, Option } from "clipanion";
class OldCommand extends Command {
  static paths = [["old-greet"]];
  who = Option.String({ required: true });
  async execute() { this.context.stdout.write("hello " + this.who + "\\n"); }
}
export default { name: "old-form-plugin", specificationVersion: "v1", commands: [OldCommand] };
`;

describe("plugins installed in the project, with their own clipanion", () => {
  let project: string;
  const config = (extra = "") =>
    `project: demo\nconfigVersion: 1\nplugins: [own-clipanion-plugin, old-form-plugin]\n${extra}---\nimage: app\nfrom: alpine\n`;
  const withConfig = (extra: string) => {
    writeFileSync(join(project, "stages.yaml"), config(extra));
    return project;
  };

  beforeAll(() => {
    project = temporaryDirectory("stages-plugins-");
    installPlugin(project, "own-clipanion-plugin", functionPlugin);
    installPlugin(project, "old-form-plugin", oldFormPlugin);
  });

  it("runs a plugin's command with options and positionals through the CLI's clipanion", async () => {
    const result = await run(withConfig(""), ["greet", "--times", "2", "--loud", "world"]);
    expect(result.stderr).toContain("plugin old-form-plugin: its command OldCommand does not extend");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("HELLO world\nHELLO world\n");
  });

  it("refuses an old-form command of another clipanion copy by name, with what to do", async () => {
    const result = await run(withConfig(""), ["old-greet", "world"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "stages: error: plugin old-form-plugin: its command OldCommand does not extend the clipanion Command of this stages",
    );
    expect(result.stderr).toContain("commands: ({ Command, Option }) => [MyCommand]");
  });

  it("uses the local storage stages.yaml chooses, with typed settings from config, variables and flags", async () => {
    const directory = withConfig(
      "adapters:\n  localStorage: memory\nsettings:\n  memory.greeting: from-config\n  memory.count: 2\n  memory.tags: [a, b]\n",
    );
    const fromConfig = await run(directory, ["list", "--json"]);
    expect(fromConfig.code, fromConfig.stderr).toBe(0);
    expect(JSON.parse(fromConfig.stdout).storage).toBe("memory from-config a+b");
    expect(JSON.parse(fromConfig.stdout).stages).toHaveLength(2);
    const overridden = await run(
      directory,
      ["list", "--json", "--setting", "memory.greeting=from-flag", "--setting", "memory.tags=c,d"],
      { STAGES_MEMORY_GREETING: "from-env", STAGES_MEMORY_COUNT: "3" },
    );
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(JSON.parse(overridden.stdout).storage).toBe("memory from-flag c+d");
    expect(JSON.parse(overridden.stdout).stages).toHaveLength(3);
  });

  it("refuses a setting of the wrong type, naming where it came from", async () => {
    const badConfig = await run(withConfig("adapters:\n  localStorage: memory\nsettings:\n  memory.count: many\n"), [
      "list",
    ]);
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr).toContain('stages.yaml:7:17: setting "memory.count" must be a number, not "many"');
    const badVariable = await run(withConfig("adapters:\n  localStorage: memory\n"), ["list"], {
      STAGES_MEMORY_COUNT: "many",
    });
    expect(badVariable.code).toBe(2);
    expect(badVariable.stderr).toContain('STAGES_MEMORY_COUNT is "many", not a number');
  });

  it("refuses an adapter no plugin registers, located, listing those registered", async () => {
    const located = await run(withConfig("adapters:\n  localStorage: memroy\n"), ["list"]);
    expect(located.code).toBe(1);
    expect(located.stderr).toContain(
      'stages.yaml:5:17: no local storage "memroy" is registered (registered: docker, memory)',
    );
    const flagged = await run(withConfig(""), ["list", "--adapter", "builder=nope"]);
    expect(flagged.code).toBe(2);
    expect(flagged.stderr).toContain('--adapter builder=nope: no builder "nope" is registered (registered: docker)');
  });

  it("locates an unknown adapter of a werf.yaml template in the template, as parse problems are", async () => {
    const templated = join(project, "templated");
    mkdirSync(templated, { recursive: true });
    writeFileSync(
      join(templated, "werf.yaml"),
      '{{ $store := "memroy" }}{{/*\nthe lines of this comment\nrender as none\n*/}}\nproject: demo\nconfigVersion: 1\nplugins: [own-clipanion-plugin]\nadapters:\n  localStorage: {{ $store }}\n---\nimage: app\nfrom: alpine\n',
    );
    const result = await run(templated, ["list"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/werf\.yaml:9:\d+ \(rendered line 6\): no local storage "memroy" is registered/);
  });

  it("lists plugins, adapters in use and settings with their values and variables", async () => {
    const result = await run(withConfig("adapters:\n  localStorage: memory\n"), ["plugins", "--json"], {
      STAGES_REGISTRY_INSECURE: "r1:5000,r2:5000",
    });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.adapters).toEqual({
      localStorage: ["memory"],
      builder: ["docker"],
      remoteStorage: ["registry"],
      transfer: ["docker", "registry"],
      lock: ["redis"],
    });
    expect(report.plugins.map((plugin: { name: string }) => plugin.name)).toEqual([
      "@stages/git",
      "@stages/docker",
      "@stages/registry",
      "@stages/lock-redis",
      "own-clipanion-plugin",
      "old-form-plugin",
    ]);
    expect(report.settings).toContainEqual({
      name: "registry.insecure",
      plugin: "@stages/registry",
      type: "string[]",
      description: "Registry hosts allowed over plain HTTP; localhost and 127.0.0.0/8 always are",
      default: [],
      value: ["r1:5000", "r2:5000"],
      variable: "STAGES_REGISTRY_INSECURE",
    });
    expect(report.settings.map((setting: { name: string }) => setting.name)).toContain("lock.ttl-ms");
    const text = await run(project, ["plugins"]);
    expect(text.stdout).toContain(
      "  memory.count (number, own-clipanion-plugin) = 1\n      How many stages it lists\n",
    );
  });
});
