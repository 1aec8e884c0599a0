import { describe, expect, it } from "vitest";
import { parseConfig } from "./parse-config.js";
import { errorsOf, imageErrors, validImage } from "./test-support.js";

const head = "image: app\nfrom: alpine\n";

describe("shell", () => {
  it("defaults to no commands", () => {
    expect(validImage(head).shell).toEqual({
      beforeInstall: [],
      install: [],
      beforeSetup: [],
      setup: [],
      cacheVersion: null,
      beforeInstallCacheVersion: null,
      installCacheVersion: null,
      beforeSetupCacheVersion: null,
      setupCacheVersion: null,
    });
  });

  it("reads a string or a list for each stage, and cache versions as written", () => {
    const image = validImage(
      `${head}shell:\n  beforeInstall: apk add --no-cache nodejs npm\n  install:\n  - cd /app\n  - npm ci\n  beforeSetup: []\n  setup: |\n    cd /app\n    npm run build\n  cacheVersion: 1.0\n  beforeInstallCacheVersion: a\n  installCacheVersion: 2\n  beforeSetupCacheVersion: "3"\n  setupCacheVersion: true\n`,
    );
    expect(image.shell).toEqual({
      beforeInstall: ["apk add --no-cache nodejs npm"],
      install: ["cd /app", "npm ci"],
      beforeSetup: [],
      setup: ["cd /app\nnpm run build\n"],
      cacheVersion: "1.0",
      beforeInstallCacheVersion: "a",
      installCacheVersion: "2",
      beforeSetupCacheVersion: "3",
      setupCacheVersion: "true",
    });
  });

  it('reports a typo at its line and column: stages.yaml:14:3 unknown directive "instal"', () => {
    const text = [
      "project: taxi",
      "configVersion: 1",
      "---",
      "image: backend",
      "from: alpine:3.20",
      "git:",
      "- add: /",
      "  to: /app",
      "  stageDependencies:",
      "    install: [package.json]",
      "shell:",
      "  beforeInstall:",
      "  - apk add --no-cache nodejs npm",
      "  instal: [cd /app && npm ci]",
      "",
    ].join("\n");
    const result = parseConfig(text);
    expect(result.config).toBeNull();
    expect(result.errors).toEqual([
      {
        severity: "error",
        file: "stages.yaml",
        line: 14,
        column: 3,
        message: 'unknown directive "instal" under shell',
        hint: 'did you mean "install"?',
        formatted: 'stages.yaml:14:3: unknown directive "instal" under shell (did you mean "install"?)',
      },
    ]);
  });

  it("explains a command that YAML read as a mapping", () => {
    expect(imageErrors(`${head}shell:\n  install:\n  - echo a: b\n`)).toEqual([
      'stages.yaml:8:5: each item of shell.install must be a string, not a mapping (quote an item that contains ": ")',
    ]);
  });

  it("checks types", () => {
    expect(imageErrors(`${head}shell: [make]\n`)).toEqual([
      "stages.yaml:6:8: shell must be a mapping, not a list (write shell as key: value lines)",
    ]);
    expect(imageErrors(`${head}shell:\n  install: {a: b}\n  cacheVersion: [1]\n`)).toEqual([
      "stages.yaml:7:12: shell.install must be a string or a list of strings, not a mapping",
      'stages.yaml:8:17: shell.cacheVersion must be a string, not a list (write cacheVersion: "1")',
    ]);
    expect(imageErrors(`${head}shell:\n  install: [make, ~]\n`)).toEqual([
      "stages.yaml:7:19: each item of shell.install must be a string, not nothing (null) (remove the empty item or quote it)",
    ]);
  });

  it("treats an empty shell: as no commands", () => {
    expect(validImage(`${head}shell:\n`).shell.install).toEqual([]);
    expect(errorsOf(parseConfig(`project: p\nconfigVersion: 1\n---\n${head}shell: {}\n`))).toEqual([]);
  });
});
