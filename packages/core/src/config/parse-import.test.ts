import { describe, expect, it } from "vitest";
import { imageErrors, parseImages, validImages } from "./test-support.js";

const sources = "image: tools\nfrom: alpine\n---\nartifact: builder\nfrom: alpine\n---\n";
// The image under test starts on file line 10.
const head = `${sources}image: app\nfrom: alpine\nimport:\n`;

function imports(body: string) {
  return validImages(parseImages(head + body))[2]?.imports;
}

describe("import", () => {
  it("reads an import from an image and from an artifact", () => {
    expect(
      imports(
        "- image: tools\n  add: /usr/local/bin/tool\n  after: install\n- artifact: builder\n  add: /out/\n  to: /app/bin\n  includePaths: [a, b]\n  excludePaths: c\n  owner: app\n  group: 0\n  before: setup\n",
      ),
    ).toEqual([
      {
        from: "tools",
        fromArtifact: false,
        external: false,
        stage: null,
        add: "/usr/local/bin/tool",
        to: "/usr/local/bin/tool",
        includePaths: [],
        excludePaths: [],
        owner: null,
        group: null,
        point: "afterInstall",
        position: { file: "stages.yaml", line: 13, column: 3 },
      },
      {
        from: "builder",
        fromArtifact: true,
        external: false,
        stage: null,
        add: "/out",
        to: "/app/bin",
        includePaths: ["a", "b"],
        excludePaths: ["c"],
        owner: "app",
        group: "0",
        point: "beforeSetup",
        position: { file: "stages.yaml", line: 16, column: 3 },
      },
    ]);
  });

  it.each([
    ["before: install", "beforeInstall"],
    ["after: install", "afterInstall"],
    ["before: setup", "beforeSetup"],
    ["after: setup", "afterSetup"],
  ])("maps %s to %s", (line, point) => {
    expect(imports(`- image: tools\n  add: /x\n  ${line}\n`)?.[0]?.point).toBe(point);
  });

  it("requires before or after, like werf", () => {
    expect(imageErrors(`${head}- image: tools\n  add: /x\n`)).toEqual([
      "stages.yaml:13:3: an import needs its place in the conveyor (add after: install (or before:/after: install|setup))",
    ]);
    expect(imageErrors(`${head}- image: tools\n  add: /x\n  before: install\n  after: setup\n`)).toEqual([
      'stages.yaml:16:3: an import takes "before" or "after", not both (keep one of them)',
    ]);
    expect(imageErrors(`${head}- image: tools\n  add: /x\n  after: build\n`)).toEqual([
      'stages.yaml:15:10: import.after must be install or setup, not "build" (write after: install or after: setup)',
    ]);
    expect(imageErrors(`${head}- image: tools\n  add: /x\n  after:\n`)).toEqual([
      "stages.yaml:15:3: import.after must be install or setup (write after: install or after: setup)",
    ]);
  });

  it("reports an include or exclude path that is no glob", () => {
    expect(
      imageErrors(`${head}- image: tools\n  add: /x\n  to: /x\n  after: install\n  excludePaths: ["*.{md"]\n`),
    ).toEqual([
      'stages.yaml:17:18: import.excludePaths "*.{md" is not a valid glob: a { has no closing } (escape a literal [ { or \\ with a backslash, e.g. \\[)',
    ]);
  });

  it("requires exactly one source", () => {
    expect(imageErrors(`${head}- add: /x\n  after: install\n`)).toEqual([
      "stages.yaml:13:3: an import needs its source (add from: <image of the config or reference:tag>)",
    ]);
    expect(imageErrors(`${head}- image: tools\n  artifact: builder\n  add: /x\n  after: install\n`)).toEqual([
      'stages.yaml:14:3: an import names its source with one of "from", "image" and "artifact", not "image" and "artifact" (keep one of them)',
    ]);
    expect(imageErrors(`${head}- from: tools\n  image: tools\n  add: /x\n  after: install\n`)).toEqual([
      'stages.yaml:14:3: an import names its source with one of "from", "image" and "artifact", not "from" and "image" (keep one of them)',
    ]);
    expect(imageErrors(`${head}- image:\n  add: /x\n  after: install\n`)).toEqual([
      "stages.yaml:13:3: import.image must name an image (write image: <name>)",
    ]);
  });

  it("requires an absolute add and to", () => {
    expect(imageErrors(`${head}- image: tools\n  after: install\n`)).toEqual([
      'stages.yaml:13:3: an import needs "add" (add add: /absolute/path/in/source)',
    ]);
    expect(imageErrors(`${head}- image: tools\n  add: bin\n  to: app\n  after: install\n`)).toEqual([
      'stages.yaml:14:8: import.add "bin" must be an absolute path (write /bin)',
      'stages.yaml:15:7: import.to "app" must be an absolute path (write /app)',
    ]);
  });

  it("requires includePaths with add: /, as werf does", () => {
    expect(imageErrors(`${head}- from: tools\n  add: /\n  to: /x\n  after: install\n`)).toEqual([
      "stages.yaml:14:8: import.add / needs includePaths, as in werf (copying a whole image root is ambiguous) (list what to copy: includePaths: [usr/local/bin/tool, ...])",
    ]);
    expect(imports("- from: tools\n  add: /\n  to: /x\n  includePaths: [bin]\n  after: install\n")?.[0]?.add).toBe("/");
  });

  it("normalizes paths", () => {
    expect(imports("- image: tools\n  add: /a//b/\n  to: /c/./d/\n  after: install\n")?.[0]).toMatchObject({
      add: "/a/b",
      to: "/c/d",
    });
  });

  it("reads werf v2's from: an image of the config, or an external image with a tag or digest", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const read = imports(
      `- from: tools\n  add: /x\n  after: install\n- from: alpine:3.20\n  add: /bin/busybox\n  after: install\n- from: localhost:5000/base@${digest}\n  add: /y\n  before: setup\n`,
    );
    expect(read?.map(({ from, external, fromArtifact }) => ({ from, external, fromArtifact }))).toEqual([
      { from: "tools", external: false, fromArtifact: false },
      { from: "alpine:3.20", external: true, fromArtifact: false },
      { from: `localhost:5000/base@${digest}`, external: true, fromArtifact: false },
    ]);
    // werf's hasTagOrDigest: image: with a tag is external as well.
    expect(imports("- image: alpine:3.20\n  add: /x\n  after: install\n")?.[0]?.external).toBe(true);
  });

  it("takes a name with a port and no tag for an image of the config, as werf does", () => {
    expect(imageErrors(`${head}- from: localhost:5000/tools\n  add: /x\n  after: install\n`)).toEqual([
      'stages.yaml:13:9: import: no image named "localhost:5000/tools" (declare it in a document of its own: image: localhost:5000/tools)',
    ]);
  });

  it("reports an external reference that is not valid", () => {
    expect(imageErrors(`${head}- from: Alpine:3.20\n  add: /x\n  after: install\n`)).toEqual([
      expect.stringMatching(/^stages\.yaml:13:9: import\.from: .*Alpine:3\.20/),
    ]);
  });

  it("reads stage: the source as it is after one of its user stages", () => {
    expect(imports("- from: tools\n  stage: install\n  add: /x\n  after: install\n")?.[0]).toMatchObject({
      from: "tools",
      stage: "install",
      external: false,
    });
    expect(imports("- artifact: builder\n  stage: beforeSetup\n  add: /x\n  after: install\n")?.[0]?.stage).toBe(
      "beforeSetup",
    );
    expect(imageErrors(`${head}- from: tools\n  stage: gitArchive\n  add: /x\n  after: install\n`)).toEqual([
      'stages.yaml:14:10: import.stage must be beforeInstall, install, beforeSetup or setup, not "gitArchive" (write stage: install (the source as it is after that stage); leave it out for the last stage)',
    ]);
    expect(imageErrors(`${head}- from: alpine:3.20\n  stage: install\n  add: /x\n  after: install\n`)).toEqual([
      'stages.yaml:14:3: import.stage applies only to an image of the config, not to the external image "alpine:3.20" (remove it: an external image is copied from as it is)',
    ]);
  });

  it("refuses stage: of a Dockerfile image, which has no user stages", () => {
    expect(
      imageErrors(
        "image: web\ndockerfile: Dockerfile\n---\nimage: app\nfrom: alpine\nimport:\n- from: web\n  stage: install\n  add: /x\n  after: install\n",
      ),
    ).toEqual([
      'stages.yaml:10:9: import.stage install: "web" is built from a Dockerfile, which has no install stage (remove stage: to import from its last stage)',
    ]);
  });

  it("suggests import directives and checks types", () => {
    expect(imageErrors(`${head}- image: tools\n  add: /x\n  afer: install\n`)).toEqual([
      "stages.yaml:13:3: an import needs its place in the conveyor (add after: install (or before:/after: install|setup))",
      'stages.yaml:15:3: unknown directive "afer" under import (did you mean "after"?)',
    ]);
    expect(imageErrors(`${head}  image: tools\n`)).toEqual([
      "stages.yaml:13:3: import must be a list of mappings, not a mapping (start each import with -)",
    ]);
  });
});
