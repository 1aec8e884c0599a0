import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { git, stages, temporaryRepositories, writeFile } from "./helpers.js";

// `stages config render|check` through the built binary: werf.yaml Go templates with a `.werf/`
// partial, `include`, `range`, `env` with a default, `.Files.Get`, `.Env` and `.Commit`. No servers:
// rendering and checking read files only.

const werfYaml = `{{- $base := env "STAGES_E2E_BASE" "alpine:3.19" -}}
project: templated
configVersion: 1
{{- range $name := list "api" "worker" }}
---
image: {{ $name }}
from: {{ $base }}
shell:
  install:
  {{- include "install commands" (dict "name" $name "root" $) | nindent 4 }}
{{- end }}
---
image: web
from: {{ $base }}
shell:
  setup:
  - |
    cat > /etc/nginx.conf <<'EOF'
{{ .Files.Get "config/nginx.conf" | indent 4 }}
    EOF
`;

const helpers = `{{- define "install commands" -}}
- echo {{ .name }} {{ .root.Env }}
- echo {{ .root.Commit.Hash }}
{{- end }}
`;

const project = temporaryRepositories();

const env = { STAGES_E2E_BASE: undefined };

describe("stages config render", () => {
  const directory = project({
    "werf.yaml": werfYaml,
    ".werf/_helpers.tmpl": helpers,
    "config/nginx.conf": "worker_processes 1;\nevents {}",
  });
  const hash = git(directory, "rev-parse", "HEAD");

  it("prints the configuration as werf renders it", async () => {
    const result = await stages(["config", "render", "--env", "production"], { cwd: directory, env });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`project: templated
configVersion: 1
---
image: api
from: alpine:3.19
shell:
  install:
    - echo api production
    - echo ${hash}
---
image: worker
from: alpine:3.19
shell:
  install:
    - echo worker production
    - echo ${hash}
---
image: web
from: alpine:3.19
shell:
  setup:
  - |
    cat > /etc/nginx.conf <<'EOF'
    worker_processes 1;
    events {}
    EOF
`);
  });

  it("with IMAGE names prints only their documents, in the config's order, as werf", async () => {
    const result = await stages(["config", "render", "web", "api"], { cwd: directory, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`image: api
from: alpine:3.19
shell:
  install:
    - echo api 
    - echo ${hash}
---
image: web
from: alpine:3.19
shell:
  setup:
  - |
    cat > /etc/nginx.conf <<'EOF'
    worker_processes 1;
    events {}
    EOF
`);
    const unknown = await stages(["config", "render", "nope"], { cwd: directory, env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('image "nope" is not in the configuration');
  });

  it("--json gives the rendered text and what rendering read", async () => {
    const result = await stages(["config", "render", "--json"], {
      cwd: directory,
      env: { STAGES_E2E_BASE: "debian:12" },
    });
    expect(result.code).toBe(0);
    expect(result.json.rendered).toContain("image: web\nfrom: debian:12\n");
    expect(result.json.rendered).toContain("    - echo api \n");
    expect(result.json.read).toEqual({
      env: { STAGES_E2E_BASE: "debian:12" },
      files: [".werf/_helpers.tmpl", "config/nginx.conf"],
    });
  });

  it("config check finds the rendered configuration valid", async () => {
    const result = await stages(["config", "check"], { cwd: directory, env });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("the configuration is valid\n");
    const json = await stages(["config", "check", "--json"], { cwd: directory, env });
    expect(json.json).toEqual({ ok: true, errors: [], warnings: [] });
  });

  it("resolves getHostByName as the host does", async () => {
    const resolving = project({
      "werf.yaml":
        'project: hosts\nconfigVersion: 1\n---\nimage: a\nfrom: alpine\ndocker:\n  ENV: {HOST: "{{ getHostByName "localhost" }}"}\n',
    });
    const result = await stages(["config", "render"], { cwd: resolving, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/HOST: "(127\.0\.0\.1|::1)"/);
  });

  it("loads what genPrivateKey needs for an ECDSA key before rendering", async () => {
    const keyed = project({
      "werf.yaml":
        'project: keys\nconfigVersion: 1\n---\nimage: a\nfrom: alpine\ndocker:\n  ENV: {KEY: {{ genPrivateKey "ecdsa" | b64enc | quote }}}\n',
    });
    const result = await stages(["config", "render"], { cwd: keyed, env });
    expect(result.code, result.stderr).toBe(0);
    const key = /KEY: "([A-Za-z0-9+/=]+)"/.exec(result.stdout)?.[1] ?? "";
    expect(Buffer.from(key, "base64").toString()).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
  });

  it("prints a file without templates as it is", async () => {
    const plain = project({ "stages.yaml": "project: plain\nconfigVersion: 1\n---\nimage: a\nfrom: alpine\n" });
    const result = await stages(["config", "render", "--json"], { cwd: plain, env });
    expect(result.json).toEqual({
      rendered: "project: plain\nconfigVersion: 1\n---\nimage: a\nfrom: alpine\n",
      read: { env: {}, files: [] },
    });
  });
});

describe("errors of templated configurations", () => {
  it("a template error is located in the partial it is in, for render, check and build", async () => {
    const directory = project({
      "werf.yaml": werfYaml,
      ".werf/_helpers.tmpl": `{{- define "install commands" -}}\n- echo {{ required "the name is required" .nope }}\n{{- end }}\n`,
      "config/nginx.conf": "x",
    });
    for (const args of [
      ["config", "render"],
      ["config", "check"],
      ["build", "--env", "production"],
    ]) {
      const result = await stages(args, { cwd: directory, env });
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr, args.join(" ")).toMatch(
        /^stages: error in the configuration:\n {2}\.werf\/_helpers\.tmpl:2:\d+: .*the name is required/,
      );
    }
    const json = await stages(["config", "check", "--json"], { cwd: directory, env });
    expect(json.code).toBe(1);
    expect(json.json.ok).toBe(false);
    expect(json.json.errors).toHaveLength(1);
    expect(json.json.errors[0]).toMatchObject({ file: ".werf/_helpers.tmpl", line: 2, origin: null });
    expect(json.json.errors[0].message).toContain("the name is required");
  });

  it("a .Files.Get of a missing file names it", async () => {
    const directory = project({ "werf.yaml": werfYaml, ".werf/_helpers.tmpl": helpers });
    const result = await stages(["config", "render"], { cwd: directory, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /werf\.yaml:19:\d+: .*the file "config\/nginx\.conf" not found in the project directory/,
    );
  });

  it("config errors after rendering point at the rendered line and the template line, all at once", async () => {
    const directory = project({
      "werf.yaml": `project: broken
configVersion: 1
{{- range $name := list "api" "worker" }}
---
image: {{ $name }}
from: alpine
shel:
  install: [make]
{{- end }}
---
{{- template "image" "web" }}
`,
      ".werf/images.tmpl": `{{- define "image" }}
image: {{ . }}
from: alpine
docker:
  EXPOSES: [80]
{{- end }}
`,
    });
    const render = await stages(["config", "render"], { cwd: directory, env });
    expect(render.code).toBe(0);
    expect(render.stdout.split("\n")[5]).toBe("shel:");

    const text = await stages(["config", "check"], { cwd: directory, env });
    expect(text.code).toBe(1);
    const lines = text.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe("stages: 3 errors in the configuration:");
    expect(lines[1]).toMatch(/^ {2}werf\.yaml:7:1 \(rendered line 6\): .*shel/);
    expect(lines[2]).toMatch(/^ {2}werf\.yaml:7:1 \(rendered line 11\): .*shel/);
    expect(lines[3]).toMatch(/^ {2}\.werf\/images\.tmpl:5:3 \(rendered line 17\): .*EXPOSES/);

    const json = await stages(["config", "check", "--json"], { cwd: directory, env });
    expect(json.code).toBe(1);
    expect(json.json.ok).toBe(false);
    expect(
      json.json.errors.map((problem: { line: number; column: number; origin: unknown }) => [
        problem.line,
        problem.column,
        problem.origin,
      ]),
    ).toEqual([
      [6, 1, { file: "werf.yaml", line: 7, column: 1 }],
      [11, 1, { file: "werf.yaml", line: 7, column: 1 }],
      [17, 3, { file: ".werf/images.tmpl", line: 5, column: 3 }],
    ]);
    for (const problem of json.json.errors) {
      expect(problem).toMatchObject({ severity: "error", file: "werf.yaml" });
      expect(problem.message.length).toBeGreaterThan(0);
      expect(problem.hint === null || typeof problem.hint === "string").toBe(true);
    }
  });

  it("config check reads the Dockerfiles too, offline: their problems at once with the config's", async () => {
    const directory = project({
      "werf.yaml": `project: dockerfiles
configVersion: 1
{{- range $name := list "app" "tool" }}
---
image: {{ $name }}
dockerfile: {{ $name }}.Dockerfile
{{- end }}
`,
      "app.Dockerfile": "FROM alpine:3.19\nRUNN echo hi\n",
    });
    const result = await stages(["config", "check", "--json"], { cwd: directory, env });
    expect(result.code).toBe(1);
    const errors = result.json.errors as { file: string; line: number; origin: unknown; message: string }[];
    expect(errors.map((problem) => [problem.file, problem.line, problem.origin])).toEqual(
      expect.arrayContaining([
        ["app.Dockerfile", 2, null],
        ["werf.yaml", 8, { file: "werf.yaml", line: 6, column: 1 }],
      ]),
    );
    expect(errors).toHaveLength(2);
    expect(errors.find((problem) => problem.file === "werf.yaml")?.message).toContain("tool.Dockerfile");
  });

  it("renders outside git, where .Commit is not set", async () => {
    const directory = mkdtempSync(join(tmpdir(), "stages-e2e-nogit-"));
    try {
      writeFile(
        directory,
        "werf.yaml",
        "project: nogit\nconfigVersion: 1\n---\nimage: a\nfrom: alpine # {{ .Commit }}\n",
      );
      const result = await stages(["config", "render"], { cwd: directory, env });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe("project: nogit\nconfigVersion: 1\n---\nimage: a\nfrom: alpine # <no value>\n");
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
