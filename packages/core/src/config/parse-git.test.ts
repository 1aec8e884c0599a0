import { describe, expect, it } from "vitest";
import { imageErrors, validImage } from "./test-support.js";

const head = "image: app\nfrom: alpine\n";

describe("git", () => {
  it("reads mappings with their defaults and ids", () => {
    const image = validImage(`${head}git:\n- to: /app\n- add: src\n  to: /srv/\n`);
    expect(image.git).toEqual([
      {
        id: "git-0",
        add: "/",
        to: "/app",
        includePaths: [],
        excludePaths: [],
        owner: null,
        group: null,
        stageDependencies: { beforeInstall: [], install: [], beforeSetup: [], setup: [] },
        position: { file: "stages.yaml", line: 7, column: 3 },
      },
      expect.objectContaining({ id: "git-1", add: "/src", to: "/srv", position: expect.objectContaining({ line: 8 }) }),
    ]);
  });

  it("reads every directive", () => {
    const image = validImage(
      `${head}git:\n- add: /\n  to: /app\n  includePaths: [src, package.json]\n  excludePaths: "**/*.md"\n  owner: app\n  group: 1000\n  stageDependencies:\n    install: [package.json, package-lock.json]\n    beforeSetup: tsconfig.json\n    setup: ["src/**/*.ts"]\n`,
    );
    expect(image.git[0]).toMatchObject({
      includePaths: ["src", "package.json"],
      excludePaths: ["**/*.md"],
      owner: "app",
      group: "1000",
      stageDependencies: {
        beforeInstall: [],
        install: ["package.json", "package-lock.json"],
        beforeSetup: ["tsconfig.json"],
        setup: ["src/**/*.ts"],
      },
    });
  });

  it.each([
    ["src/", "/src"],
    ["/src//lib/", "/src/lib"],
    ["./src", "/src"],
    ['""', "/"],
    ["/", "/"],
  ])("normalizes add %s to %s", (add, normalized) => {
    expect(validImage(`${head}git:\n- add: ${add}\n  to: /app\n`).git[0]?.add).toBe(normalized);
  });

  it("refuses an add that leaves the repository", () => {
    expect(imageErrors(`${head}git:\n- add: ../other\n  to: /app\n`)).toEqual([
      'stages.yaml:7:8: git.add "../other" must not contain ".." (name a path inside the repository)',
    ]);
  });

  it("requires an absolute to", () => {
    expect(imageErrors(`${head}git:\n- add: /src\n`)).toEqual([
      'stages.yaml:7:3: a git mapping needs "to" (add to: /absolute/path/in/image)',
    ]);
    expect(imageErrors(`${head}git:\n- to: app\n`)).toEqual([
      'stages.yaml:7:7: git.to "app" must be an absolute path (write to: /app)',
    ]);
    expect(imageErrors(`${head}git:\n- to:\n`)).toEqual([
      'stages.yaml:7:3: a git mapping needs "to" (add to: /absolute/path/in/image)',
    ]);
  });

  it("reports a path pattern that is no glob at its item, as werf stops on it", () => {
    expect(
      imageErrors(
        `${head}git:\n- to: /app\n  includePaths: [src, "lib/[ab"]\n  excludePaths: "{a,b"\n  stageDependencies:\n    install: ["x\\\\"]\n`,
      ),
    ).toEqual([
      'stages.yaml:8:23: git.includePaths "lib/[ab" is not a valid glob: a [ class has no closing ] (escape a literal [ { or \\ with a backslash, e.g. \\[)',
      'stages.yaml:9:17: git.excludePaths "{a,b" is not a valid glob: a { has no closing } (escape a literal [ { or \\ with a backslash, e.g. \\[)',
      'stages.yaml:11:15: git.stageDependencies.install "x\\" is not a valid glob: it ends with a lone \\ (escape a literal [ { or \\ with a backslash, e.g. \\[)',
    ]);
  });

  it("refuses stageDependencies.beforeInstall like werf", () => {
    expect(imageErrors(`${head}git:\n- to: /app\n  stageDependencies:\n    beforeInstall: [x]\n`)).toEqual([
      'stages.yaml:9:5: unsupported key "beforeInstall": git files are added after the beforeInstall stage (list these paths under install)',
    ]);
  });

  it("suggests stageDependencies keys", () => {
    expect(imageErrors(`${head}git:\n- to: /app\n  stageDependencies:\n    instll: [x]\n`)).toEqual([
      'stages.yaml:9:5: unknown key "instll" under git stageDependencies (did you mean "install"?)',
    ]);
  });

  it("refuses remote repositories", () => {
    expect(imageErrors(`${head}git:\n- url: https://github.com/x/y.git\n  branch: main\n  to: /y\n`)).toEqual([
      'stages.yaml:7:3: directive "url" is not supported by stages yet: stages maps files of the local work tree only, not of remote git repositories (clone the repository in a shell stage, or vendor it into this repository)',
      'stages.yaml:8:3: directive "branch" is not supported by stages yet: "branch" selects a revision of a remote repository, and stages maps only the local work tree (remove it; the work tree is used as it is)',
    ]);
  });

  it("suggests git directives", () => {
    expect(imageErrors(`${head}git:\n- to: /app\n  exludePaths: [x]\n`)).toEqual([
      'stages.yaml:8:3: unknown directive "exludePaths" under git (did you mean "excludePaths"?)',
    ]);
  });

  it("checks types", () => {
    expect(imageErrors(`${head}git:\n  to: /app\n`)).toEqual([
      "stages.yaml:7:3: git must be a list of mappings, not a mapping (start each mapping with -)",
    ]);
    expect(imageErrors(`${head}git:\n- /app\n`)).toEqual([
      "stages.yaml:7:3: each item of git must be a mapping, not a string (write each item of git as key: value lines)",
    ]);
    expect(imageErrors(`${head}git:\n- to: /app\n  includePaths: {src: x}\n  owner: [a]\n`)).toEqual([
      "stages.yaml:8:17: git.includePaths must be a string or a list of strings, not a mapping",
      "stages.yaml:9:10: git.owner must be a string, not a list (write owner: <user name or uid>)",
    ]);
    expect(imageErrors(`${head}git:\n- to: /app\n  stageDependencies: [a]\n`)).toEqual([
      "stages.yaml:8:22: git.stageDependencies must be a mapping, not a list (write git.stageDependencies as key: value lines)",
    ]);
  });
});
