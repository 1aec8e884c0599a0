import { describe, expect, it } from "vitest";
import type { ImageConfig } from "./model.js";
import { parseConfig } from "./parse-config.js";
import { errorsOf, imageErrors, parseImages, validImage, validImages } from "./test-support.js";

// The image documents below start at file line 4 (test-support's meta takes lines 1-3).
const head = "image: app\nfrom: alpine\n";
const git = `${head}git:\n- add: /\n  to: /app\n`;
const imports =
  "artifact: tools\nfrom: alpine\n---\nimage: app\nfrom: alpine\nimport:\n- artifact: tools\n  add: /bin/tool\n  after: install\n";

// werf reads these with InterfaceToStringArray (or prepareCommand for CMD/ENTRYPOINT): a string or a
// list of strings, anything else "single string or array of strings expected".
describe("directives that take a string or a list of strings reject other scalars", () => {
  it.each([
    [
      "shell.setup: 5",
      `${head}shell:\n  setup: 5\n`,
      'stages.yaml:7:10: shell.setup must be a string or a list of strings, not a number (quote it to run it as a command: setup: "5")',
    ],
    [
      "shell.install: true",
      `${head}shell:\n  install: true\n`,
      'stages.yaml:7:12: shell.install must be a string or a list of strings, not a boolean (quote it to run it as a command: install: "true")',
    ],
    [
      "shell.beforeInstall: [make, 1]",
      `${head}shell:\n  beforeInstall: [make, 1]\n`,
      'stages.yaml:7:25: each item of shell.beforeInstall must be a string, not a number (quote it: "1")',
    ],
    [
      "shell.beforeSetup: - false",
      `${head}shell:\n  beforeSetup:\n  - false\n`,
      'stages.yaml:8:5: each item of shell.beforeSetup must be a string, not a boolean (quote it: "false")',
    ],
    [
      "git stageDependencies.install: 42",
      `${git}  stageDependencies:\n    install: 42\n`,
      'stages.yaml:10:14: git.stageDependencies.install must be a string or a list of strings, not a number (quote it: "42")',
    ],
    [
      "git stageDependencies.setup: [1.5]",
      `${git}  stageDependencies:\n    setup: [1.5]\n`,
      'stages.yaml:10:13: each item of git.stageDependencies.setup must be a string, not a number (quote it: "1.5")',
    ],
    [
      "git.includePaths: 1",
      `${git}  includePaths: 1\n`,
      'stages.yaml:9:17: git.includePaths must be a string or a list of strings, not a number (quote it: "1")',
    ],
    [
      "git.excludePaths: [2]",
      `${git}  excludePaths: [2]\n`,
      'stages.yaml:9:18: each item of git.excludePaths must be a string, not a number (quote it: "2")',
    ],
    [
      "import.includePaths: 3",
      `${imports}  includePaths: 3\n`,
      'stages.yaml:13:17: import.includePaths must be a string or a list of strings, not a number (quote it: "3")',
    ],
    [
      "import.excludePaths: [true]",
      `${imports}  excludePaths: [true]\n`,
      'stages.yaml:13:18: each item of import.excludePaths must be a string, not a boolean (quote it: "true")',
    ],
    [
      "docker.EXPOSE: 8080",
      `${head}docker:\n  EXPOSE: 8080\n`,
      'stages.yaml:7:11: docker.EXPOSE must be a string or a list of strings, not a number (quote it: "8080")',
    ],
    [
      "docker.EXPOSE: [8080]",
      `${head}docker:\n  EXPOSE: [8080]\n`,
      'stages.yaml:7:12: each item of docker.EXPOSE must be a string, not a number (quote it: "8080")',
    ],
    [
      "docker.VOLUME: 1",
      `${head}docker:\n  VOLUME: 1\n`,
      'stages.yaml:7:11: docker.VOLUME must be a string or a list of strings, not a number (quote it: "1")',
    ],
    [
      "docker.CMD: 12",
      `${head}docker:\n  CMD: 12\n`,
      'stages.yaml:7:8: docker.CMD must be a string or a list of strings, not a number (quote it: "12")',
    ],
    [
      "docker.CMD: [sleep, 10]",
      `${head}docker:\n  CMD: [sleep, 10]\n`,
      'stages.yaml:7:16: each item of docker.CMD must be a string, not a number (quote it: "10")',
    ],
    [
      "docker.ENTRYPOINT: false",
      `${head}docker:\n  ENTRYPOINT: false\n`,
      'stages.yaml:7:15: docker.ENTRYPOINT must be a string or a list of strings, not a boolean (quote it: "false")',
    ],
    ["image: 5", "image: 5\nfrom: alpine\n", 'stages.yaml:4:8: image must be a string, not a number (quote it: "5")'],
    [
      "image: [a, 1]",
      "image: [a, 1]\nfrom: alpine\n",
      'stages.yaml:4:12: each name in image: [...] must be a string, not a number (quote it: "1")',
    ],
    [
      "fromLatest: 1",
      `${head}fromLatest: 1\n`,
      "stages.yaml:6:13: fromLatest must be a boolean, not a number (write true or false)",
    ],
    [
      'fromLatest: "yes"',
      `${head}fromLatest: "yes"\n`,
      "stages.yaml:6:13: fromLatest must be a boolean, not a string (write true or false, without quotes)",
    ],
  ])("%s", (_, body, error) => {
    expect(imageErrors(body)).toEqual([error]);
  });

  it("rejects a plugin written as a number", () => {
    const result = parseConfig("project: demo\nconfigVersion: 1\nplugins: [1]\n---\nimage: app\nfrom: alpine\n");
    expect(errorsOf(result)).toEqual([
      'stages.yaml:3:11: each item of "plugins" must be a string, not a number (quote it: "1")',
    ]);
  });

  it("reports every wrong scalar of a file at once", () => {
    expect(
      imageErrors(
        `${git}  stageDependencies:\n    install: 42\nshell:\n  setup: 5\ndocker:\n  CMD: 12\n  EXPOSE: [8080]\n`,
      ),
    ).toEqual([
      'stages.yaml:10:14: git.stageDependencies.install must be a string or a list of strings, not a number (quote it: "42")',
      'stages.yaml:12:10: shell.setup must be a string or a list of strings, not a number (quote it to run it as a command: setup: "5")',
      'stages.yaml:14:8: docker.CMD must be a string or a list of strings, not a number (quote it: "12")',
      'stages.yaml:15:12: each item of docker.EXPOSE must be a string, not a number (quote it: "8080")',
    ]);
  });

  it("still takes the strings they were meant to be when quoted", () => {
    const image = validImage(
      `${git}  stageDependencies:\n    install: "42"\nshell:\n  setup: "5"\ndocker:\n  CMD: "12"\n  EXPOSE: ["8080"]\n`,
    );
    expect(image.git[0]?.stageDependencies.install).toEqual(["42"]);
    expect(image.shell.setup).toEqual(["5"]);
    expect(image.docker.CMD).toEqual(["/bin/sh", "-c", "12"]);
    expect(image.docker.EXPOSE).toEqual(["8080"]);
  });
});

// werf reads these into Go strings (gopkg.in/yaml.v2 gives a string field any scalar as written) or
// into map[string]string (ENV, LABEL): the same values are taken here, as written.
describe("directives that take one string take any scalar as written, as werf does", () => {
  it.each<[string, string, (image: ImageConfig) => unknown, unknown]>([
    ["shell.cacheVersion: 1.10", `${head}shell:\n  cacheVersion: 1.10\n`, (image) => image.shell.cacheVersion, "1.10"],
    [
      "shell.installCacheVersion: true",
      `${head}shell:\n  installCacheVersion: true\n`,
      (image) => image.shell.installCacheVersion,
      "true",
    ],
    ["fromCacheVersion: 2", `${head}fromCacheVersion: 2\n`, (image) => image.fromCacheVersion, "2"],
    ["git.owner: 1000", `${git}  owner: 1000\n`, (image) => image.git[0]?.owner, "1000"],
    ["git.group: 0", `${git}  group: 0\n`, (image) => image.git[0]?.group, "0"],
    ["docker.USER: 1000", `${head}docker:\n  USER: 1000\n`, (image) => image.docker.USER, "1000"],
    ["docker.WORKDIR: 2024", `${head}docker:\n  WORKDIR: 2024\n`, (image) => image.docker.WORKDIR, "2024"],
    [
      "docker.ENV values",
      `${head}docker:\n  ENV: {PORT: 8080, DEBUG: false, RATIO: 0.50, EMPTY: }\n`,
      (image) => image.docker.ENV,
      { PORT: "8080", DEBUG: "false", RATIO: "0.50", EMPTY: "" },
    ],
    [
      "docker.LABEL values",
      `${head}docker:\n  LABEL: {version: 1.10}\n`,
      (image) => image.docker.LABEL,
      { version: "1.10" },
    ],
    ["fromLatest: yes", `${head}fromLatest: yes\n`, (image) => image.fromLatest, true],
    ["fromLatest: off", `${head}fromLatest: off\n`, (image) => image.fromLatest, false],
  ])("%s", (_, body, read, expected) => {
    expect(read(validImage(body))).toEqual(expected);
  });

  it("takes import owner and group as written", () => {
    const images = validImages(parseImages(`${imports}  owner: 0\n  group: 1000\n`));
    expect(images[1]?.imports[0]).toMatchObject({ owner: "0", group: "1000" });
  });

  it("takes an artifact name as written", () => {
    const images = validImages(parseImages("artifact: 7\nfrom: alpine\n---\nimage: app\nfromArtifact: 7\n"));
    expect(images.map((image) => image.name)).toEqual(["7", "app"]);
  });
});
