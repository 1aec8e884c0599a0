import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { defaultCleanupConfig } from "./cleanup-defaults.js";
import { formatProblem, loadConfigOrThrow, parseConfig } from "./index.js";
import { errorsOf, metaText } from "./test-support.js";

const werfYaml = `project: taxi
configVersion: 1
cleanup:
  keepPolicies: []
---
image: backend
from: alpine:3.20
fromLatest: false
fromCacheVersion: "1"
git:
- add: /
  to: /app
  includePaths: [src, package.json]
  excludePaths: ["**/*.md"]
  owner: app
  group: app
  stageDependencies:
    install: [package.json, package-lock.json]
    setup: ["src/**/*.ts"]
shell:
  beforeInstall: [apk add --no-cache nodejs npm]
  install: [cd /app && npm ci]
  beforeSetup: []
  setup: [cd /app && npm run build]
  cacheVersion: "1"
import:
- artifact: tools
  add: /usr/local/bin/tool
  to: /usr/local/bin/tool
  after: install
docker:
  ENV: {NODE_ENV: production}
  LABEL: {team: taxi}
  EXPOSE: ["8080"]
  VOLUME: [/data]
  WORKDIR: /app
  USER: app
  CMD: ["node", "dist/main.js"]
  HEALTHCHECK: --interval=5s CMD wget -qO- http://localhost:8080/
---
artifact: tools
from: golang:1.23
git:
- add: /tools
  to: /src
shell: {install: [cd /src && go build -o /usr/local/bin/tool .]}
`;

describe("parseConfig", () => {
  it("reads a werf.yaml in stapel syntax", () => {
    const result = parseConfig(werfYaml, { file: "werf.yaml" });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((problem) => problem.formatted)).toEqual([
      "werf.yaml:4:17: warning: an empty cleanup.keepPolicies means werf's default policies (to keep nothing by git history, write disableGitHistoryBasedPolicy: true)",
    ]);
    expect(result.config).toEqual({
      meta: { project: "taxi", configVersion: 1, plugins: [], cleanup: defaultCleanupConfig },
      images: [
        {
          name: "backend",
          artifact: false,
          base: { kind: "image", reference: "alpine:3.20" },
          fromLatest: false,
          fromCacheVersion: "1",
          dockerfile: null,
          mounts: [],
          secrets: [],
          git: [
            {
              id: "git-0",
              add: "/",
              to: "/app",
              includePaths: ["src", "package.json"],
              excludePaths: ["**/*.md"],
              owner: "app",
              group: "app",
              stageDependencies: {
                beforeInstall: [],
                install: ["package.json", "package-lock.json"],
                beforeSetup: [],
                setup: ["src/**/*.ts"],
              },
              position: { file: "werf.yaml", line: 11, column: 3 },
            },
          ],
          shell: {
            beforeInstall: ["apk add --no-cache nodejs npm"],
            install: ["cd /app && npm ci"],
            beforeSetup: [],
            setup: ["cd /app && npm run build"],
            cacheVersion: "1",
            beforeInstallCacheVersion: null,
            installCacheVersion: null,
            beforeSetupCacheVersion: null,
            setupCacheVersion: null,
          },
          imports: [
            {
              from: "tools",
              fromArtifact: true,
              external: false,
              stage: null,
              add: "/usr/local/bin/tool",
              to: "/usr/local/bin/tool",
              includePaths: [],
              excludePaths: [],
              owner: null,
              group: null,
              point: "afterInstall",
              position: { file: "werf.yaml", line: 27, column: 3 },
            },
          ],
          final: true,
          cacheVersion: null,
          disableGitAfterPatch: false,
          network: null,
          platform: [],
          imageSpec: null,
          dependencies: [],
          docker: {
            ENV: { NODE_ENV: "production" },
            LABEL: { team: "taxi" },
            EXPOSE: ["8080"],
            VOLUME: ["/data"],
            WORKDIR: "/app",
            USER: "app",
            CMD: ["node", "dist/main.js"],
            ENTRYPOINT: null,
            HEALTHCHECK: "--interval=5s CMD wget -qO- http://localhost:8080/",
          },
          position: { file: "werf.yaml", line: 6, column: 8 },
        },
        {
          name: "tools",
          artifact: true,
          base: { kind: "image", reference: "golang:1.23" },
          fromLatest: false,
          fromCacheVersion: null,
          dockerfile: null,
          mounts: [],
          secrets: [],
          git: [expect.objectContaining({ id: "git-0", add: "/tools", to: "/src" })],
          shell: expect.objectContaining({ install: ["cd /src && go build -o /usr/local/bin/tool ."] }),
          imports: [],
          final: false,
          cacheVersion: null,
          disableGitAfterPatch: false,
          network: null,
          platform: [],
          imageSpec: null,
          dependencies: [],
          docker: expect.objectContaining({ CMD: null, ENV: {} }),
          position: { file: "werf.yaml", line: 41, column: 11 },
        },
      ],
    });
  });

  it("collects every problem of every document, in file order", () => {
    const result = parseConfig(
      `${metaText}image: a\nfrom: alpine\nshell:\n  instal: make\nansible: {}\n---\nimage: b\nfromImage: c\ngit:\n- to: app\n`,
    );
    expect(result.config).toBeNull();
    expect(errorsOf(result)).toEqual([
      'stages.yaml:7:3: unknown directive "instal" under shell (did you mean "install"?)',
      'stages.yaml:8:1: directive "ansible" is not supported by stages yet: stages supports only shell stages (use shell: ...)',
      'stages.yaml:11:12: fromImage: no image named "c" (declare it in a document of its own: image: c)',
      'stages.yaml:13:7: git.to "app" must be an absolute path (write to: /app)',
    ]);
  });

  it("gives every problem its parts and its formatted line", () => {
    const [problem] = parseConfig(`${metaText}image: a\nfrom: alpine\nfrm: x\n`, { file: "deploy/stages.yaml" }).errors;
    expect(problem).toEqual({
      severity: "error",
      file: "deploy/stages.yaml",
      line: 6,
      column: 1,
      message: 'unknown directive "frm" in image "a"',
      hint: 'did you mean "from"?',
      formatted: 'deploy/stages.yaml:6:1: unknown directive "frm" in image "a" (did you mean "from"?)',
    });
    expect(formatProblem({ ...(problem as NonNullable<typeof problem>), hint: null })).toBe(
      'deploy/stages.yaml:6:1: unknown directive "frm" in image "a"',
    );
  });

  it("refuses an empty config", () => {
    for (const text of ["", "\n\n", "# only a comment\n", "---\n"]) {
      expect(errorsOf(parseConfig(text))).toEqual([
        "stages.yaml:1:1: the config is empty (start it with project: <name> and configVersion: 1)",
      ]);
    }
  });

  it("requires the project meta first", () => {
    expect(errorsOf(parseConfig("image: a\nfrom: alpine\n"))).toEqual([
      "stages.yaml:1:1: the config must start with the project meta (add a first document: project: <name>, configVersion: 1, then ---)",
    ]);
    expect(errorsOf(parseConfig(`${metaText}image: a\nfrom: alpine\n---\nproject: other\nconfigVersion: 1\n`))).toEqual(
      [
        "stages.yaml:7:1: the project meta must be the first document (move project: and configVersion: into the first document)",
      ],
    );
  });

  it("warns when no image is declared", () => {
    const result = parseConfig("project: taxi\nconfigVersion: 1\n");
    expect(result.errors).toEqual([]);
    expect(result.config).toEqual({ meta: { project: "taxi", configVersion: 1, plugins: [] }, images: [] });
    expect(result.warnings.map((problem) => problem.formatted)).toEqual([
      "stages.yaml:1:1: warning: the config declares no image (add a document: image: <name>, from: <base image>)",
    ]);
  });
});

describe("YAML syntax", () => {
  it("reports a syntax error at its position", () => {
    const result = parseConfig(`${metaText}image: a\nfrom: [alpine\nshell: {}\n`);
    expect(result.config).toBeNull();
    expect(errorsOf(result)).toEqual([
      "stages.yaml:6:1: Flow sequence in block collection must be sufficiently indented and end with a ] (check the indentation, and that every [ and { is closed)",
    ]);
  });

  it("reports duplicate keys", () => {
    expect(errorsOf(parseConfig(`${metaText}image: a\nfrom: alpine\nfrom: debian\n`))).toEqual([
      "stages.yaml:6:1: Map keys must be unique (remove one of the two keys)",
    ]);
  });

  it("reports tabs used as indentation", () => {
    const errors = errorsOf(parseConfig(`${metaText}image: a\nfrom: alpine\nshell:\n\tinstall: make\n`));
    expect(
      errors.some((line) => line.startsWith("stages.yaml:7:") && line.endsWith("(indent with spaces, not tabs)")),
    ).toBe(true);
  });

  it("still checks the other documents, but not across them", () => {
    const result = parseConfig(`${metaText}image: a\nfromImage: b\nshel: {}\n---\nimage: b\nfrom: [x\n`);
    const errors = errorsOf(result);
    expect(errors[0]).toBe('stages.yaml:6:1: unknown directive "shel" in image "a" (did you mean "shell"?)');
    expect(errors.slice(1)).toEqual([expect.stringMatching(/^stages\.yaml:10:1: Flow sequence/)]);
    expect(errors.join("\n")).not.toContain("no image named");
  });

  it("never throws, whatever the text", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const alphabet = [
      ":",
      "-",
      " ",
      "\n",
      "[",
      "]",
      "{",
      "}",
      "&a",
      "*a",
      "<<",
      "---",
      "~",
      '"',
      "'",
      "\t",
      "#",
      "|",
      "x",
    ];
    for (let round = 0; round < 300; round++) {
      let text = werfYaml;
      for (let edit = 0; edit < 5; edit++) {
        const at = Math.floor(random() * text.length);
        const cut = Math.floor(random() * 4);
        const insert = alphabet[Math.floor(random() * alphabet.length)] ?? "";
        text = text.slice(0, at) + insert + text.slice(at + cut);
      }
      const result = parseConfig(text);
      expect(result.config === null).toBe(result.errors.length > 0);
      for (const problem of [...result.errors, ...result.warnings]) {
        expect(problem.line).toBeGreaterThanOrEqual(1);
        expect(problem.column).toBeGreaterThanOrEqual(1);
      }
    }
  });
});

describe("braces left after rendering", () => {
  // The CLI renders a config with templates first: `{{` still in the text was written to stay
  // ({{`{{ .Id }}`}} in the template), so it is YAML like any other text.
  it("reads braces in values as YAML, with no template error", () => {
    const result = parseConfig(`${metaText}image: a\nfrom: alpine\ndocker:\n  LABEL: {tpl: "{{ .Name }}"}\n`);
    expect(errorsOf(result)).toEqual([]);
    expect(result.config?.images[0]?.docker.LABEL).toEqual({ tpl: "{{ .Name }}" });
  });

  it("passes braces in shell commands on as written, with no warning", () => {
    const result = parseConfig(
      `${metaText}image: a\nfrom: alpine\nshell:\n  setup:\n  - docker inspect -f '{{.Id}}' x\n`,
    );
    expect(errorsOf(result)).toEqual([]);
    expect(result.config?.images[0]?.shell.setup).toEqual(["docker inspect -f '{{.Id}}' x"]);
    expect(result.warnings).toEqual([]);
  });

  it("an unrendered action is a YAML problem, not a template one", () => {
    const result = parseConfig(`${metaText}image: a\nfrom: {{ .Base }}\n`);
    expect(result.config).toBeNull();
    expect(errorsOf(result).join("\n")).not.toContain("template");
  });
});

describe("loadConfigOrThrow", () => {
  it("returns the config and the warnings", () => {
    const { config, warnings } = loadConfigOrThrow(werfYaml);
    expect(config.images.map((image) => image.name)).toEqual(["backend", "tools"]);
    expect(warnings).toHaveLength(1);
  });

  it("throws a ConfigError listing every problem", () => {
    let thrown: unknown;
    try {
      loadConfigOrThrow(`${metaText}image: a\nfrm: x\n`, { file: "werf.yaml" });
    } catch (error) {
      thrown = error;
    }
    expect(ConfigError.isInstance(thrown)).toBe(true);
    const error = thrown as ConfigError;
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.problems.map((problem) => problem.formatted)).toEqual([
      "werf.yaml:4:1: the image has no base (add from: <image reference>, fromImage: <image> or fromArtifact: <artifact>)",
      'werf.yaml:5:1: unknown directive "frm" in image "a" (did you mean "from"?)',
    ]);
    expect(error.message).toBe(
      [
        "2 problems in the configuration:",
        "  werf.yaml:4:1: the image has no base (add from: <image reference>, fromImage: <image> or fromArtifact: <artifact>)",
        '  werf.yaml:5:1: unknown directive "frm" in image "a" (did you mean "from"?)',
      ].join("\n"),
    );
  });
});
