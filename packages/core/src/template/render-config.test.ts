import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/parse-config.js";
import { TemplateError } from "./errors.js";
import {
  type ConfigFileReader,
  locateRenderedProblems,
  renderWerfConfig,
  type WerfConfigInput,
} from "./render-config.js";

/** A project directory in memory: path → content; directories are implied by the paths. */
function memoryFiles(files: Record<string, string>): ConfigFileReader {
  const paths = Object.keys(files);
  const isDir = (path: string) => path === "" || paths.some((file) => file.startsWith(`${path}/`));
  return {
    read: (path) => files[path] ?? null,
    exists: (path) => path in files || isDir(path),
    isDir,
    listFiles: (directory) => paths.filter((file) => directory === "" || file.startsWith(`${directory}/`)),
  };
}

const commit = { hash: "0123456789abcdef0123456789abcdef01234567", date: "2024-03-05T10:20:30+00:00" };

function render(overrides: Partial<WerfConfigInput> & { text: string }) {
  return renderWerfConfig({
    file: "werf.yaml",
    partials: [],
    files: memoryFiles({}),
    environment: {},
    env: "",
    commit,
    ...overrides,
  });
}

const helpers = {
  file: ".werf/_helpers.tmpl",
  text: '{{- define "install commands" -}}\n- echo {{ .Env }}\n- echo {{ .Commit.Hash | trunc 7 }}\n{{- end }}\n',
};

const main = `{{- $base := env "BASE_IMAGE" "alpine:3.19" -}}
project: demo
configVersion: 1
{{- range $name := list "api" "worker" }}
---
image: {{ $name }}
from: {{ $base }}
shell:
  install:
  {{- include "install commands" $ | nindent 4 }}
{{- end }}
`;

describe("renderWerfConfig", () => {
  it("renders partials' defines, range, env with a default, .Env and .Commit as werf does", () => {
    const result = render({ text: main, partials: [helpers], env: "production" });
    expect(result.text).toBe(
      [
        "project: demo",
        "configVersion: 1",
        "---",
        "image: api",
        "from: alpine:3.19",
        "shell:",
        "  install:",
        "    - echo production",
        "    - echo 0123456",
        "---",
        "image: worker",
        "from: alpine:3.19",
        "shell:",
        "  install:",
        "    - echo production",
        "    - echo 0123456",
        "",
      ].join("\n"),
    );
    expect(result.read).toEqual({ env: { BASE_IMAGE: null }, files: [".werf/_helpers.tmpl"] });
    // "image: api" is the template's own text; "    - echo production" is the value of the include action.
    expect(result.origins[3]).toMatchObject({ file: "werf.yaml", line: 6, column: 1 });
    expect(result.origins[7]).toMatchObject({ file: "werf.yaml", line: 10 });
  });

  it("reads the environment given as data, and says what it read", () => {
    const result = render({
      text: 'from: {{ env "BASE_IMAGE" "alpine" }}\nuser: {{ env "BUILD_USER" }}\n',
      environment: { BASE_IMAGE: "debian:12", BUILD_USER: "ci", UNRELATED: "x" },
    });
    expect(result.text).toBe("from: debian:12\nuser: ci\n");
    expect(result.read.env).toEqual({ BASE_IMAGE: "debian:12", BUILD_USER: "ci" });
  });

  it("includes a partial by its path inside .werf/, as werf names template files", () => {
    const result = render({
      text: 'project: demo\nconfigVersion: 1\n---\n{{ include "artifact/app.tmpl" (dict "Base" "alpine") }}\n',
      partials: [{ file: ".werf/artifact/app.tmpl", text: "image: app\nfrom: {{ .Base }}" }],
    });
    expect(result.text).toBe("project: demo\nconfigVersion: 1\n---\nimage: app\nfrom: alpine\n");
  });

  it("gives .Commit.Hash and .Commit.Date.Human/.Unix of HEAD, and no .Commit outside git", () => {
    const text = "{{ .Commit.Hash }}|{{ .Commit.Date.Human }}|{{ .Commit.Date.Unix }}";
    expect(render({ text }).text).toBe(`${commit.hash}|2024-03-05 10:20:30 +0000 UTC|1709634030`);
    const offset = render({ text, commit: { hash: "ab", date: "2024-03-05T13:20:30+03:00" } }).text;
    expect(offset).toBe("ab|2024-03-05 13:20:30 +0300 +0300|1709634030");
    expect(render({ text: "{{ .Commit }}", commit: null }).text).toBe("<no value>");
    expect(render({ text: "[{{ .Env }}]" }).text).toBe("[]");
  });

  it("renders werf's documented monthly rebuild: .Commit.Date.Unix is a string Sprig's div reads", () => {
    expect(render({ text: "fromCacheVersion: {{ div .Commit.Date.Unix (mul 60 60 24 30) }}" }).text).toBe(
      "fromCacheVersion: 659",
    );
  });

  it("reads project files with .Files.Get, .Exists, .IsDir and records them", () => {
    const files = memoryFiles({ "config/nginx.conf": "worker_processes 1;\nevents {}", "README.md": "x" });
    const result = render({
      files,
      text: [
        "conf: |",
        '{{ .Files.Get "config/nginx.conf" | indent 2 }}',
        'root: {{ .Files.Get "/README.md" }}',
        'exists: {{ .Files.Exists "config" }} {{ .Files.Exists "config/nginx.conf" }} {{ .Files.Exists "nope" }}',
        'dir: {{ .Files.IsDir "config" }} {{ .Files.IsDir "config/nginx.conf" }}',
        "",
      ].join("\n"),
    });
    expect(result.text).toBe(
      "conf: |\n  worker_processes 1;\n  events {}\nroot: x\nexists: true true false\ndir: true false\n",
    );
    expect(result.read.files).toEqual(["README.md", "config", "config/nginx.conf", "nope"]);
  });

  it("errors on .Files.Get of a missing file and on paths outside the project", () => {
    const files = memoryFiles({ "a.txt": "a" });
    expect(() => render({ files, text: '{{ .Files.Get "missing.txt" }}' })).toThrowError(
      /the file "missing.txt" not found in the project directory/,
    );
    expect(() => render({ files, text: '{{ .Files.Get "../etc/passwd" }}' })).toThrowError(
      /outside the project directory/,
    );
    expect(() => render({ files, text: '{{ .Files.Glob "../*" }}' })).toThrowError(/outside the project directory/);
  });

  it(".Files.Glob gives path → content with werf's path rules", () => {
    const files = memoryFiles({
      "modules/a/images/x/Dockerfile": "FROM a",
      "modules/a/images/x/werf.inc.yaml": "inc: a",
      "modules/a/images/x/other.txt": "no",
      "configs/app.yaml": "app",
      "configs/nested/db.yaml": "db",
      "top.yaml": "top",
    });
    const keys = (pattern: string) =>
      render({ files, text: `{{ range $path, $_ := .Files.Glob ${JSON.stringify(pattern)} }}{{ $path }};{{ end }}` })
        .text;
    expect(keys("modules/*/images/*/{Dockerfile,werf.inc.yaml}")).toBe(
      "modules/a/images/x/Dockerfile;modules/a/images/x/werf.inc.yaml;",
    );
    // werf also matches the glob without trailing wildcards: "configs/*" takes everything below configs.
    expect(keys("configs/*")).toBe("configs/app.yaml;configs/nested/db.yaml;");
    expect(keys("**/*.yaml")).toBe(
      "configs/app.yaml;configs/nested/db.yaml;modules/a/images/x/werf.inc.yaml;top.yaml;",
    );
    expect(keys("top.yaml")).toBe("top.yaml;");
    expect(keys("nothing/*")).toBe("");
    const content = render({ files, text: '{{ index (.Files.Glob "configs/*.yaml") "configs/app.yaml" }}' });
    expect(content.text).toBe("app");
    expect(content.read.files).toEqual(["configs/app.yaml"]);
  });

  it("renders werf's documented tpl example over .Files.Glob", () => {
    const partial = (name: string) =>
      `image: ${name}\nfrom: {{ .BaseImage }}\ngit:\n- add: /${name}\n  to: /app/${name}\nshell:\n  install:\n  - cd /app/${name}\n{{- include "common install commands" . | indent 2 }}\n`;
    const files = memoryFiles({
      "backend/werf-partial.yaml": partial("backend"),
      "frontend/werf-partial.yaml": partial("frontend"),
    });
    const text = `{{ $_ := set . "BaseImage" "node:14.3" }}

project: app
configVersion: 1
---

{{ range $path, $content := .Files.Glob "**/werf-partial.yaml" }}
{{ tpl $content $ }}
{{ end }}

{{- define "common install commands" }}
- npm install
- npm run build
{{- end }}
`;
    const image = (name: string) =>
      `image: ${name}\nfrom: node:14.3\ngit:\n- add: /${name}\n  to: /app/${name}\nshell:\n  install:\n  - cd /app/${name}  \n  - npm install\n  - npm run build\n`;
    expect(render({ text, files }).text).toBe(
      `\n\nproject: app\nconfigVersion: 1\n---\n\n\n${image("backend")}\n\n${image("frontend")}\n\n`,
    );
  });

  it("locates a template error in the partial it is in", () => {
    const partial = {
      file: ".werf/_helpers.tmpl",
      text: '{{- define "broken" }}\nfrom: {{ fail "broken helper" }}\n{{- end }}\n',
    };
    let thrown: unknown;
    try {
      render({ text: 'project: demo\nconfigVersion: 1\n{{ include "broken" . }}\n', partials: [partial] });
    } catch (error) {
      thrown = error;
    }
    expect(TemplateError.isInstance(thrown)).toBe(true);
    const error = thrown as TemplateError;
    expect(error.position).toMatchObject({ file: ".werf/_helpers.tmpl", line: 2 });
    expect(error.message).toMatch(/^\.werf\/_helpers\.tmpl:2:\d+: .*broken helper/);
  });

  it("a missing function is an error naming it, at its position", () => {
    expect(() => render({ text: "project: demo\nfrom: {{ nosuch 1 }}\n" })).toThrowError(
      /werf\.yaml:2:\d+: .*"nosuch" not defined/,
    );
  });
});

describe("locateRenderedProblems", () => {
  it("points a config error at the rendered line and at the template line it came from", () => {
    const partial = {
      file: ".werf/_helpers.tmpl",
      text: '{{- define "image" }}\nimage: {{ .name }}\nfrom: alpine\nshell:\n  instal: [make]\n{{- end }}\n',
    };
    // `template` runs the partial's own text (include's value is one string, located at the include).
    const text = 'project: demo\nconfigVersion: 1\n---\n{{- template "image" (dict "name" "api") }}\nfrm: x\n';
    const rendered = render({ text, partials: [partial] });
    expect(rendered.text).toBe(
      "project: demo\nconfigVersion: 1\n---\nimage: api\nfrom: alpine\nshell:\n  instal: [make]\nfrm: x\n",
    );
    const result = parseConfig(rendered.text, { file: "werf.yaml" });
    const located = locateRenderedProblems(result.errors, rendered, "werf.yaml");
    const formatted = located.map((problem) => problem.formatted);
    expect(formatted).toHaveLength(2);
    // The partial's line 5, column 3 (the key "instal"), rendered as line 7.
    expect(formatted[0]).toMatch(/^\.werf\/_helpers\.tmpl:5:3 \(rendered line 7\): .*instal/);
    expect(formatted[1]).toMatch(/^werf\.yaml:5:1 \(rendered line 8\): .*frm/);
    expect(located[0]).toMatchObject({
      file: "werf.yaml",
      line: 7,
      column: 3,
      origin: { file: ".werf/_helpers.tmpl", line: 5, column: 3 },
    });
  });

  it("locates a line of an include's value in the partial when its text is there once, else at the include", () => {
    const partial = {
      file: ".werf/_helpers.tmpl",
      text: '{{- define "shell" -}}\ninstall: [make]\nsetp: [make test]\n{{- end }}\n{{- define "from" }}from: {{ . }}{{ end }}\n',
    };
    const text =
      'project: demo\nconfigVersion: 1\n---\nimage: a\n{{ include "from" "alpine" }}\nshell:\n  {{- include "shell" . | nindent 2 }}\ndocker:\n  {{- include "from" "x" | nindent 2 }}\n';
    const rendered = render({ text, partials: [partial] });
    expect(rendered.text).toBe(
      "project: demo\nconfigVersion: 1\n---\nimage: a\nfrom: alpine\nshell:\n  install: [make]\n  setp: [make test]\ndocker:\n  from: x\n",
    );
    const result = parseConfig(rendered.text, { file: "werf.yaml" });
    const formatted = locateRenderedProblems(result.errors, rendered, "werf.yaml").map((problem) => problem.formatted);
    expect(formatted).toHaveLength(2);
    // "  setp: [make test]" is the partial's line 3, re-indented by nindent.
    expect(formatted[0]).toMatch(/^\.werf\/_helpers\.tmpl:3:1 \(rendered line 8\): .*setp/);
    // "  from: x" is no literal line of any template: it stays at the include.
    expect(formatted[1]).toMatch(/^werf\.yaml:9:\d+ \(rendered line 10\): .*from/);
  });

  it("takes the template column when the line is the template's text, the action's otherwise", () => {
    const text =
      'project: demo\nconfigVersion: 1\n---\nimage: a\nfrom: alpine\ndocker:\n  {{ print "EXPOSES" }}: [80]\n---\nimage: b\nfrom: alpine\n{{ print "docker" }}: {EXPOS: [80]}\n';
    const rendered = render({ text });
    const result = parseConfig(rendered.text, { file: "werf.yaml" });
    const formatted = locateRenderedProblems(result.errors, rendered, "werf.yaml").map((problem) => problem.formatted);
    expect(formatted).toHaveLength(2);
    expect(formatted[0]).toMatch(/^werf\.yaml:7:3 \(rendered line 7\): .*EXPOSES/);
    // The action's own position: its pipeline, as Go locates an action.
    expect(formatted[1]).toMatch(/^werf\.yaml:11:4 \(rendered line 11\): .*EXPOS\b/);
  });

  it("leaves problems of other files alone", () => {
    const rendered = render({ text: "a: 1\n" });
    const problem = {
      severity: "error" as const,
      file: "Dockerfile",
      line: 1,
      column: 1,
      message: "m",
      hint: null,
      formatted: "Dockerfile:1:1: m",
    };
    expect(locateRenderedProblems([problem], rendered, "werf.yaml")).toEqual([problem]);
  });
});
