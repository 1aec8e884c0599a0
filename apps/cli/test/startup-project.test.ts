// A run reads (and renders) the project's config at most once: runCli reads it to find plugin commands
// only when the command line can name one, and hands what it loaded to the command (issue 16).
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binary, cliRoot } from "./helpers.js";

const directory = join(cliRoot, "node_modules", ".startup-project-test");
const project = join(directory, "project");

/** Runs the built CLI in the project; stderr ends with how often the config file was read. */
function run(...args: string[]): { code: number | null; stdout: string; reads: number } {
  const result = spawnSync(process.execPath, ["--import", join(directory, "count-reads.mjs"), binary, ...args], {
    cwd: project,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const reads = /config reads: (\d+)/.exec(result.stderr);
  if (!reads) throw new Error(`no read count in stderr: ${result.stderr}`);
  return { code: result.status, stdout: result.stdout, reads: Number(reads[1]) };
}

describe("the project of a run", () => {
  beforeAll(() => {
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(join(project, "node_modules", "@stages"), { recursive: true });
    // Counts the reads of werf.yaml through fs/promises (how the CLI reads the config).
    writeFileSync(
      join(directory, "count-reads.mjs"),
      `import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
let reads = 0;
const readFile = fs.promises.readFile;
fs.promises.readFile = function (path, ...rest) {
  if (String(path).endsWith("werf.yaml")) reads++;
  return readFile.call(this, path, ...rest);
};
syncBuiltinESMExports();
process.on("exit", () => process.stderr.write("config reads: " + reads + "\\n"));
`,
    );
    // A templated werf.yaml whose plugin adds a project command (as third-party plugins do).
    writeFileSync(
      join(project, "werf.yaml"),
      `project: {{ "startup-project" }}\nconfigVersion: 1\nplugins: [./plugin.mjs]\n---\nimage: app\nfrom: alpine:3.20\n`,
    );
    writeFileSync(
      join(project, "plugin.mjs"),
      `import { ProjectCommand } from "@stages/cli";
import { definePlugin, pluginSpecificationVersion } from "@stages/core";
class ProjectNameCommand extends ProjectCommand {
  static paths = [["project-name"]];
  static usage = { description: "Print the project name" };
  async run(session) { return { project: session.project.config.meta.project }; }
  summarize(result) { return result.project; }
}
export default definePlugin({ name: "project-name", specificationVersion: pluginSpecificationVersion, commands: [ProjectNameCommand] });
`,
    );
    symlinkSync(cliRoot, join(project, "node_modules", "@stages", "cli"));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("is read once for a plugin's command: the lookup's load is the command's", () => {
    const result = run("project-name");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe("startup-project");
    expect(result.reads).toBe(1);
  });

  it("is not read for --version or a built-in command's help", () => {
    expect(run("--version").reads).toBe(0);
    expect(run("build", "--help").reads).toBe(0);
    expect(run("host", "cleanup", "--help").reads).toBe(0);
  });

  it("is read for the help of stages, which lists the plugins' commands", () => {
    const result = run("--help");
    expect(result.stdout).toContain("project-name");
    expect(result.reads).toBe(1);
  });
});
