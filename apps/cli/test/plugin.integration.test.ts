import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireTestEnvironment } from "@stages/testenv";
import { describe, expect, it } from "vitest";
import { makeRepository, repositoryRoot, stages, uniqueName } from "./helpers.js";

// A real plugin package from the workspace (examples/plugin-directory-storage), installed next to
// stages.yaml as a user would, contributes a command and a remote stages storage.
describe("third-party plugins", () => {
  const environment = requireTestEnvironment();
  const project = uniqueName("plugin");

  const projectWithPlugin = () => {
    const directory = makeRepository({
      "stages.yaml": `project: ${project}\nconfigVersion: 1\nplugins: [stages-plugin-directory-storage]\n---\nimage: app\nfrom: ${environment.baseImage}\n`,
    });
    mkdirSync(join(directory, "node_modules"), { recursive: true });
    symlinkSync(
      join(repositoryRoot, "examples", "plugin-directory-storage"),
      join(directory, "node_modules", "stages-plugin-directory-storage"),
    );
    return directory;
  };

  it("registers the plugin's command", async () => {
    const directory = projectWithPlugin();
    const result = await stages(["directory-info", "./cache"], { cwd: directory });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("directory storage at ./cache, from stages-plugin-directory-storage");
    const help = await stages(["--help"], { cwd: directory });
    expect(help.stdout).toContain("directory-info");
  });

  it("uses the plugin's storage", async () => {
    const directory = projectWithPlugin();
    const cache = join(directory, "cache");
    mkdirSync(cache);
    const signature = "ab".repeat(32);
    const labels = {
      "io.stages.project": project,
      "io.stages.image": "app",
      "io.stages.stage": "from",
      "io.stages.signature": signature,
      "io.stages.version": "1",
    };
    writeFileSync(join(cache, `${signature}.json`), JSON.stringify({ id: "sha256:example", labels }));
    const result = await stages(["list", cache, "--storage", "directory", "--json"], {
      cwd: directory,
      env: { DOCKER_HOST: environment.dockerHostA },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.json.storage).toBe(`directory ${cache}`);
    expect(result.json.stages.map((stage: { signature: string }) => stage.signature)).toEqual([signature]);
  });

  it("refuses a plugin that is not installed, saying how to install it", async () => {
    const directory = makeRepository({
      "stages.yaml": `project: ${project}\nconfigVersion: 1\nplugins: [stages-plugin-that-does-not-exist]\n---\nimage: app\nfrom: ${environment.baseImage}\n`,
    });
    const result = await stages(["plan"], { cwd: directory, env: { DOCKER_HOST: environment.dockerHostA } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("plugin stages-plugin-that-does-not-exist is not installed");
    expect(result.stderr).toContain("npm install stages-plugin-that-does-not-exist");
  });
});
