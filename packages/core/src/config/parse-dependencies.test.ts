import { describe, expect, it } from "vitest";
import { imageErrors, parseImages, validImages } from "./test-support.js";

const sources = "image: tools\nfrom: alpine\n---\nartifact: builder\nfrom: alpine\n---\n";
// The image under test starts on file line 10; its first dependency item on line 13.
const head = `${sources}image: app\nfrom: alpine\ndependencies:\n`;

function dependencies(body: string) {
  return validImages(parseImages(head + body))[2]?.dependencies;
}

describe("dependencies", () => {
  it("reads werf v2's dependencies of a stapel image", () => {
    expect(
      dependencies(
        "- image: tools\n  after: install\n  imports:\n  - type: ImageName\n    targetEnv: TOOLS_IMAGE\n  - type: ImageDigest\n    targetEnv: TOOLS_DIGEST\n- image: builder\n  before: setup\n",
      ),
    ).toEqual([
      {
        image: "tools",
        point: "afterInstall",
        imports: [
          {
            type: "ImageName",
            targetEnv: "TOOLS_IMAGE",
            targetBuildArg: null,
            position: { file: "stages.yaml", line: 16, column: 5 },
          },
          {
            type: "ImageDigest",
            targetEnv: "TOOLS_DIGEST",
            targetBuildArg: null,
            position: { file: "stages.yaml", line: 18, column: 5 },
          },
        ],
        position: { file: "stages.yaml", line: 13, column: 10 },
      },
      { image: "builder", point: "beforeSetup", imports: [], position: { file: "stages.yaml", line: 20, column: 10 } },
    ]);
  });

  it.each([
    ["before: install", "beforeInstall"],
    ["after: install", "afterInstall"],
    ["before: setup", "beforeSetup"],
    ["after: setup", "afterSetup"],
  ])("maps %s to %s", (line, point) => {
    expect(dependencies(`- image: tools\n  ${line}\n`)?.[0]?.point).toBe(point);
  });

  it.each(["ImageName", "ImageTag", "ImageRepo", "ImageID", "ImageDigest"])("takes type %s", (type) => {
    expect(
      dependencies(`- image: tools\n  after: install\n  imports:\n  - type: ${type}\n    targetEnv: X\n`)?.[0]
        ?.imports[0]?.type,
    ).toBe(type);
  });

  it("requires before or after for a stapel image, like werf", () => {
    expect(imageErrors(`${head}- image: tools\n`)).toEqual([
      "stages.yaml:13:3: a dependency of a stapel image needs the place where its values become env variables (add after: install (or before:/after: install|setup), as werf requires)",
    ]);
    expect(imageErrors(`${head}- image: tools\n  before: install\n  after: setup\n`)).toEqual([
      'stages.yaml:15:3: a dependency takes "before" or "after", not both (keep one of them)',
    ]);
    expect(imageErrors(`${head}- image: tools\n  after: build\n`)).toEqual([
      'stages.yaml:14:10: dependencies.after must be install or setup, not "build" (write after: install or after: setup)',
    ]);
  });

  it("requires the dependency image, and one that exists", () => {
    expect(imageErrors(`${head}- after: install\n`)).toEqual([
      "stages.yaml:13:3: a dependency needs the image it depends on (add image: <name of an image of the config>)",
    ]);
    expect(imageErrors(`${head}- image: tool\n  after: install\n`)).toEqual([
      'stages.yaml:13:10: dependencies: no image named "tool" (did you mean "tools"?)',
    ]);
    expect(imageErrors(`${head}- image: app\n  after: install\n`)).toEqual([
      'stages.yaml:13:10: image "app" cannot depend on itself (import from another image or artifact)',
    ]);
  });

  it("reports a cycle through dependencies", () => {
    const text = `image: a\nfrom: alpine\ndependencies:\n- image: b\n  after: install\n---\nimage: b\nfrom: alpine\nimport:\n- from: a\n  add: /x\n  after: install\n`;
    expect(imageErrors(text)).toEqual([
      "stages.yaml:13:9: dependency cycle: a -> b -> a (an image cannot depend on itself through fromImage, fromArtifact, import or dependencies)",
    ]);
  });

  it("checks each import: its type, its targetEnv, no targetBuildArg", () => {
    const item = (body: string) => `${head}- image: tools\n  after: install\n  imports:\n  - ${body}`;
    expect(imageErrors(item("type: ImageNmae\n    targetEnv: X\n"))).toEqual([
      'stages.yaml:16:11: dependencies.imports.type must be one of ImageName, ImageTag, ImageRepo, ImageID, ImageDigest, not "ImageNmae" (did you mean "ImageName"?)',
    ]);
    expect(imageErrors(item("type: ImageName\n"))).toEqual([
      "stages.yaml:16:5: a dependency import of a stapel image needs targetEnv (add targetEnv: <VARIABLE>)",
    ]);
    expect(imageErrors(item("type: ImageName\n    targetEnv: X\n    targetBuildArg: Y\n"))).toEqual([
      'stages.yaml:18:5: unsupported directive "targetBuildArg": a stapel image gets the values as env variables (write targetEnv: <VARIABLE>)',
    ]);
    expect(imageErrors(item("type: ImageName\n    targetEnv: A B\n"))).toEqual([
      'stages.yaml:17:16: dependencies.imports.targetEnv "A B" is not a valid variable name (use letters, digits and _ (no spaces, no =))',
    ]);
    expect(imageErrors(item("tpye: ImageName\n    targetEnv: X\n"))).toEqual([
      'stages.yaml:16:5: unknown directive "tpye" under dependencies.imports (did you mean "type"?)',
      "stages.yaml:16:5: a dependency import needs its type (add type: ImageName|ImageTag|ImageRepo|ImageID|ImageDigest)",
    ]);
  });

  it("refuses one env variable set twice, even by two dependencies", () => {
    expect(
      imageErrors(
        `${head}- image: tools\n  after: install\n  imports:\n  - type: ImageName\n    targetEnv: X\n- image: builder\n  after: setup\n  imports:\n  - type: ImageTag\n    targetEnv: X\n`,
      ),
    ).toEqual([
      'stages.yaml:22:16: targetEnv "X" is set twice (first at stages.yaml:17:16) (each targetEnv of an image\'s dependencies must be unique)',
    ]);
  });

  it("checks shapes", () => {
    expect(imageErrors(`${head}  image: tools\n`)).toEqual([
      "stages.yaml:13:3: dependencies must be a list of mappings, not a mapping (start each dependency with - image: <name>)",
    ]);
    expect(imageErrors(`${head}- image: tools\n  after: install\n  imports: {type: ImageName}\n`)).toEqual([
      "stages.yaml:15:12: dependencies.imports must be a list of mappings, not a mapping (start each with - type: ImageName)",
    ]);
    expect(imageErrors(`${head}- image: tools\n  after: install\n  imprts: []\n`)).toEqual([
      'stages.yaml:15:3: unknown directive "imprts" under dependencies (did you mean "imports"?)',
    ]);
  });
});
