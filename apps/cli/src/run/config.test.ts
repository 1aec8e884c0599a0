// `stages config check` checks what the meta names of plugins (adapters, settings) as commands do,
// offline: a project with a plugin beside its stages.yaml, run in-process.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runInMemory } from "../cli-test-support.js";

// clipanion's ES build imports a directory, which Node's ES loader refuses: loaded with require, as the CLI does.
vi.mock("clipanion", () => createRequire(import.meta.url)("clipanion"));

// A plain object, as a plugin package exports it: a local storage and typed settings.
const plugin = (settings: string) => `
export default {
  name: "stages-plugin-memory",
  specificationVersion: "v1",
  settings: { ${settings} },
  storages: { local: { memory: () => ({}) } },
};
`;
const memorySettings = `
  "memory.count": { description: "How many", type: "number", default: 1 },
  "memory.tags": { description: "Tags", type: "string[]" },
`;

describe("stages config check with plugins", () => {
  let project: string;
  const check = (meta: string, argv: string[] = [], env: Record<string, string> = {}) => {
    writeFileSync(
      join(project, "stages.yaml"),
      `project: demo\nconfigVersion: 1\nplugins: [./plugin.js]\n${meta}---\nimage: app\nfrom: alpine\n`,
    );
    return runInMemory(["config", "check", ...argv], { cwd: project, env });
  };

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), "stages-config-check-"));
    writeFileSync(join(project, "plugin.js"), plugin(memorySettings));
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it("accepts the adapters and settings the plugins declare; variables are the command's, not checked", async () => {
    const result = await check(
      "adapters:\n  localStorage: memory\n  transfer: [docker, registry]\nsettings:\n  memory.count: 2\n  memory.tags: [a, b]\n  registry.insecure: r:5000\n",
      [],
      { STAGES_MEMORY_COUNT: "many" },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("the configuration is valid\n");
  });

  it("reports an unknown adapter and bad or undeclared settings at once, located, exit 1", async () => {
    const result = await check(
      "adapters:\n  localStorage: memroy\n  builder: kaniko\nsettings:\n  memory.count: many\n  memory.colour: red\n",
    );
    expect(result.code).toBe(1);
    const hint = "(add the plugin that provides it under plugins:, or fix the name)";
    expect(result.stderr).toBe(
      "stages: 4 errors in the configuration:\n" +
        `  stages.yaml:5:17: no local storage "memroy" is registered (registered: docker, memory) ${hint}\n` +
        `  stages.yaml:6:12: no builder "kaniko" is registered (registered: docker) ${hint}\n` +
        '  stages.yaml:8:17: setting "memory.count" must be a number, not "many" (How many)\n' +
        '  stages.yaml:9:18: no loaded plugin declares the setting "memory.colour" (settings: docker.network, registry.insecure, lock.ttl-ms, memory.count, memory.tags)\n',
    );
  });

  it("gives them in --json as its other errors: file, line, column, message, hint", async () => {
    const result = await check("adapters:\n  localStorage: memroy\nsettings:\n  memory.tags: 3\n", ["--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(false);
    expect(report.warnings).toEqual([]);
    expect(report.errors).toEqual([
      expect.objectContaining({
        severity: "error",
        file: "stages.yaml",
        line: 5,
        column: 17,
        message: 'no local storage "memroy" is registered (registered: docker, memory)',
        hint: "add the plugin that provides it under plugins:, or fix the name",
        origin: null,
      }),
      expect.objectContaining({
        file: "stages.yaml",
        line: 7,
        column: 16,
        message: 'setting "memory.tags" must be a list of strings, not 3',
        hint: "Tags",
      }),
    ]);
  });

  it("locates them in a werf.yaml template, as its parse problems", async () => {
    const templated = join(project, "templated");
    mkdirSync(templated);
    writeFileSync(join(templated, "plugin.js"), plugin(memorySettings));
    writeFileSync(
      join(templated, "werf.yaml"),
      '{{ $store := "memroy" }}{{/*\nthree lines\nrender as none\n*/}}\nproject: demo\nconfigVersion: 1\nplugins: [./plugin.js]\nadapters:\n  localStorage: {{ $store }}\n---\nimage: app\nfrom: alpine\n',
    );
    const result = await runInMemory(["config", "check", "--dir", "templated"], { cwd: project });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/werf\.yaml:9:\d+ \(rendered line 6\): no local storage "memroy" is registered/);
  });

  it("refuses a plugin that is not there, as commands do", async () => {
    writeFileSync(
      join(project, "stages.yaml"),
      "project: demo\nconfigVersion: 1\nplugins: [./missing.js]\n---\nimage: app\nfrom: alpine\n",
    );
    const result = await runInMemory(["config", "check", "--json"], { cwd: project });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("stages: error: plugin ./missing.js not found at");
    expect(JSON.parse(result.stdout).error.code).toBe("PLUGIN_FAILED");
  });

  it("refuses a plugin setting that reads a CLI option's variable, in config check and in commands", async () => {
    const shared = join(project, "shared");
    mkdirSync(shared);
    writeFileSync(join(shared, "plugin.js"), plugin('"repo": { description: "A repository", type: "string" }'));
    writeFileSync(
      join(shared, "stages.yaml"),
      "project: demo\nconfigVersion: 1\nplugins: [./plugin.js]\n---\nimage: app\nfrom: alpine\n",
    );
    for (const argv of [["config", "check"], ["plugins"]]) {
      const result = await runInMemory([...argv, "--dir", "shared"], { cwd: project });
      expect(result.code, argv.join(" ")).toBe(1);
      expect(result.stderr).toContain(
        'stages: error: plugin stages-plugin-memory: its setting "repo" reads STAGES_REPO, which is the variable of the option --repo\n',
      );
      expect(result.stderr).toContain('hint: prefix the setting with the plugin\'s name, e.g. "memory.repo"');
    }
  });
});
