import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, UsageError } from "@stages/core";
import { describe, expect, it } from "vitest";
import { temporaryDirectory } from "../test/temporary.js";
import { loadProject, readProjectConfig } from "./project.js";

const config = (project: string) => `project: ${project}\nconfigVersion: 1\n---\nimage: app\nfrom: alpine:3.20\n`;

function directory(files: Record<string, string>): string {
  const root = temporaryDirectory("stages-project-");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe("loadProject", () => {
  it("prefers stages.yaml, falls back to werf.yaml, and takes --config", async () => {
    const both = directory({ "stages.yaml": config("fromstages"), "werf.yaml": config("fromwerf") });
    expect((await loadProject({ cwd: both })).config.meta.project).toBe("fromstages");
    const werf = directory({ "werf.yaml": config("fromwerf") });
    expect((await loadProject({ cwd: werf })).config.meta.project).toBe("fromwerf");
    const custom = directory({ "ci/custom.yaml": config("custom") });
    expect((await loadProject({ cwd: custom, config: "ci/custom.yaml" })).config.meta.project).toBe("custom");
    const nested = directory({ "sub/stages.yaml": config("nested") });
    const project = await loadProject({ cwd: nested, dir: "sub" });
    expect(project.directory).toBe(join(nested, "sub"));
  });

  it("says where to look when there is no config, and reports every problem with its position", async () => {
    const empty = directory({});
    await expect(loadProject({ cwd: empty })).rejects.toSatisfy(
      (error: unknown) => UsageError.isInstance(error) && /no stages\.yaml/.test((error as Error).message),
    );
    const broken = directory({
      "stages.yaml":
        "project: p\nconfigVersion: 1\n---\nimage: app\nfrom: alpine\nshell:\n  instal: [x]\nfromLatest: maybe\n",
    });
    const failure = await loadProject({ cwd: broken }).catch((error: unknown) => error);
    expect(ConfigError.isInstance(failure)).toBe(true);
    const formatted = (failure as ConfigError).problems.map((problem) => problem.formatted);
    expect(formatted.some((line) => line.startsWith("stages.yaml:7:3:") && line.includes('"install"'))).toBe(true);
    expect(formatted.length).toBeGreaterThanOrEqual(2);
  });
});

describe("readProjectConfig of a werf.yaml template", () => {
  const template = (body: string) => `project: t\nconfigVersion: 1\n---\nimage: app\nfrom: alpine\n# ${body}\n`;

  it("reads a file without {{ as it is, without rendering", async () => {
    const root = directory({ "werf.yaml": config("plain"), ".werf/broken.tmpl": "{{ if }}" });
    const source = await readProjectConfig({ cwd: root });
    expect(source.render).toBeNull();
    expect(source.text).toBe(config("plain"));
  });

  it("parses the partials of .werf/ (*.tmpl only, sorted) and gives werf's --env and the environment", async () => {
    const root = directory({
      "werf.yaml": template('{{ include "b" . }} {{ include "nested/a.tmpl" . }} {{ env "STAGES_T_NAME" }}'),
      ".werf/b.tmpl": '{{ define "b" }}b={{ .Env }}{{ end }}',
      ".werf/nested/a.tmpl": "a",
      ".werf/ignored.tpl": '{{ define "b" }}not werf{{ end }}',
    });
    const source = await readProjectConfig({ cwd: root, werfEnv: "prod", environment: { STAGES_T_NAME: "x" } });
    expect(source.text).toBe(template("b=prod a x"));
    expect(source.render?.read).toEqual({
      env: { STAGES_T_NAME: "x" },
      files: [".werf/b.tmpl", ".werf/nested/a.tmpl"],
    });
  });

  it("lists project files for .Files.Glob without .git, and refuses links that leave the project", async () => {
    const outside = directory({ "secret.txt": "secret" });
    const root = directory({
      "werf.yaml": template('{{ range $path, $_ := .Files.Glob "**/*" }}{{ $path }} {{ end }}'),
      ".git/config": "x",
      "src/a.txt": "a",
    });
    symlinkSync(join(outside, "secret.txt"), join(root, "src/link.txt"));
    await expect(readProjectConfig({ cwd: root })).rejects.toThrowError(/outside the project directory/);
    const inside = directory({
      "werf.yaml": template('{{ range $path, $c := .Files.Glob "**/*.txt" }}{{ $path }}={{ $c }} {{ end }}'),
      ".git/x.txt": "x",
      "src/a.txt": "a",
    });
    symlinkSync(join(inside, "src/a.txt"), join(inside, "b.txt"));
    expect((await readProjectConfig({ cwd: inside })).text).toBe(template("b.txt=a src/a.txt=a "));
  });
});
