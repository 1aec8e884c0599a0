import { describe, expect, it } from "vitest";
import { parseConfig } from "./parse-config.js";
import { normalizeProjectPath } from "./parse-dockerfile-image.js";
import { imageErrors, parseImages, validImage, validImages } from "./test-support.js";

describe("Dockerfile images", () => {
  it("reads werf's keys with their defaults", () => {
    const image = validImage("image: app\ndockerfile: Dockerfile\n");
    expect(image.base).toEqual({ kind: "dockerfile" });
    expect(image.dockerfile).toEqual({
      path: "Dockerfile",
      context: "",
      target: null,
      args: {},
      addHost: [],
      network: null,
      contextAddFiles: [],
      staged: true,
      parsed: null,
      evaluated: null,
      position: { file: "stages.yaml", line: 5, column: 1 },
    });
    expect(image.git).toEqual([]);
    expect(image.shell.install).toEqual([]);
  });

  it("reads every key", () => {
    const image = validImage(
      [
        "image: backend",
        "dockerfile: ./docker/app.Dockerfile",
        "context: ./services/backend/",
        "target: Production",
        "args: {NODE_ENV: production, WORKERS: 4, EMPTY: ~}",
        'addHost: ["db:127.0.0.1", "v6:::1"]',
        "network: none",
        "contextAddFiles: [.env.build, ./b/x, b/x]",
        "staged: false",
        "",
      ].join("\n"),
    );
    expect(image.dockerfile).toMatchObject({
      path: "docker/app.Dockerfile",
      context: "services/backend",
      target: "production",
      args: { NODE_ENV: "production", WORKERS: "4", EMPTY: "" },
      addHost: ["db:127.0.0.1", "v6:::1"],
      network: "none",
      staged: false,
    });
    expect(image.dockerfile?.contextAddFiles).toEqual([".env.build", "b/x"]);
  });

  it("declares two images from one Dockerfile with image: [a, b]", () => {
    const [a, b] = validImages(parseImages("image: [a, b]\ndockerfile: Dockerfile\ntarget: a\n"));
    expect(a?.dockerfile?.target).toBe("a");
    expect(b?.dockerfile?.target).toBe("a");
    expect(a?.dockerfile).not.toBe(b?.dockerfile);
  });

  it("refuses stapel directives next to dockerfile:", () => {
    expect(imageErrors("image: app\ndockerfile: Dockerfile\nfrom: alpine\nshell: {install: make}\n")).toEqual([
      'stages.yaml:6:1: unsupported directive "from": it is a stapel directive and this image is built from a Dockerfile (remove it (write the same in the Dockerfile), or remove dockerfile: to make a stapel image)',
      'stages.yaml:7:1: unsupported directive "shell": it is a stapel directive and this image is built from a Dockerfile (remove it (write the same in the Dockerfile), or remove dockerfile: to make a stapel image)',
    ]);
  });

  it("reads werf v2's dependencies as build args (targetBuildArg)", () => {
    const [image] = validImages(
      parseImages(
        [
          "image: app",
          "dockerfile: Dockerfile",
          "dependencies:",
          "- image: base",
          "  imports:",
          "  - {type: ImageName, targetBuildArg: BASE_IMAGE}",
          "  - {type: ImageDigest, targetBuildArg: BASE_DIGEST}",
          "---",
          "image: base",
          "from: alpine",
          "final: false",
          "",
        ].join("\n"),
      ),
    );
    expect(image?.dependencies).toEqual([
      {
        image: "base",
        point: null,
        imports: [
          { type: "ImageName", targetEnv: null, targetBuildArg: "BASE_IMAGE", position: expect.anything() },
          { type: "ImageDigest", targetEnv: null, targetBuildArg: "BASE_DIGEST", position: expect.anything() },
        ],
        position: { file: "stages.yaml", line: 7, column: 10 },
      },
    ]);
  });

  it("refuses targetEnv and before/after in a Dockerfile image's dependencies, as werf does", () => {
    expect(
      imageErrors(
        "image: app\ndockerfile: Dockerfile\ndependencies:\n- image: base\n  after: install\n  imports: [{type: ImageName, targetEnv: BASE}]\n",
      ),
    ).toEqual([
      'stages.yaml:8:3: unsupported directive "after": a Dockerfile image gets its dependencies as build args (remove it (werf refuses it too))',
      "stages.yaml:9:13: a dependency import of a Dockerfile image needs targetBuildArg (add targetBuildArg: <ARG>)",
      'stages.yaml:9:31: unsupported directive "targetEnv": a Dockerfile image gets the values as build args (write targetBuildArg: <ARG>)',
    ]);
  });

  it("reads secrets, platform, imageSpec and final as a stapel image does", () => {
    const image = validImage(
      [
        "image: app",
        "dockerfile: Dockerfile",
        "final: false",
        "platform: [linux/amd64]",
        "secrets:",
        "- {env: NPM_TOKEN}",
        "- {value: s3cr3t, id: plain}",
        "imageSpec:",
        "  author: me",
        "  config: {env: {A: b}, removeLabels: [x]}",
        "",
      ].join("\n"),
    );
    expect(image.final).toBe(false);
    expect(image.platform).toEqual(["linux/amd64"]);
    expect(image.secrets.map((secret) => [secret.id, secret.source])).toEqual([
      ["NPM_TOKEN", { kind: "env", name: "NPM_TOKEN" }],
      ["plain", { kind: "value", value: "s3cr3t" }],
    ]);
    expect(image.imageSpec).toMatchObject({
      author: "me",
      env: { A: "b" },
      removeLabels: [{ kind: "name", name: "x" }],
    });
    expect(image.dockerfile?.path).toBe("Dockerfile");
  });

  it("takes build.platform of the meta unless it has its own platform:", () => {
    const parsed = parseConfig(
      "project: demo\nconfigVersion: 1\nbuild: {platform: [linux/amd64]}\n---\nimage: a\ndockerfile: Dockerfile\n---\nimage: b\ndockerfile: Dockerfile\nplatform: linux/arm64\n",
    );
    expect(validImages(parsed).map((image) => image.platform)).toEqual([["linux/amd64"], ["linux/arm64"]]);
  });

  it("defaults to final, no platform, no imageSpec, no secrets, no dependencies", () => {
    const image = validImage("image: app\ndockerfile: Dockerfile\n");
    expect(image).toMatchObject({ final: true, platform: [], imageSpec: null, secrets: [], dependencies: [] });
  });

  it("checks the values of werf v2's directives", () => {
    expect(
      imageErrors('image: app\ndockerfile: Dockerfile\nfinal: "no"\nsecrets: {env: X}\nplatform: [linux]\n').map(
        (error) => error.split(":").slice(0, 3).join(":"),
      ),
    ).toEqual(["stages.yaml:6:8", "stages.yaml:7:10", "stages.yaml:8:12"]);
  });

  it("lets a nameless image stand next to Dockerfile images with final: false", () => {
    const images = validImages(
      parseImages("image: ~\nfrom: alpine\n---\nimage: tools\ndockerfile: Dockerfile\nfinal: false\n"),
    );
    expect(images.map((image) => [image.name, image.final])).toEqual([
      [null, true],
      ["tools", false],
    ]);
  });

  it.each(["ssh"])("refuses werf's %s with a reason", (key) => {
    const errors = imageErrors(`image: app\ndockerfile: Dockerfile\n${key}: x\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^stages\\.yaml:6:1: unsupported directive "${key}": .+ \\(.+\\)$`));
  });

  it("suggests a known key for a typo", () => {
    expect(imageErrors("image: app\ndockerfile: Dockerfile\ntarge: x\n")[0]).toMatch(
      /unknown directive "targe".*target/,
    );
  });

  it("refuses an artifact built from a Dockerfile", () => {
    expect(imageErrors("image: app\nfrom: alpine\n---\nartifact: t\ndockerfile: Dockerfile\n")).toEqual([
      "stages.yaml:7:1: an artifact cannot be built from a Dockerfile (declare it with image: <name>; an image only other images use is fine)",
    ]);
  });

  it("refuses paths that leave the project, bad addHost and wrong types", () => {
    expect(
      imageErrors(
        'image: app\ndockerfile: /etc/Dockerfile\ncontext: ../x\naddHost: [db]\nstaged: "yes"\ncontextAddFiles: [../y]\n',
      ),
    ).toEqual([
      'stages.yaml:5:13: dockerfile "/etc/Dockerfile" must be a path inside the project (give the Dockerfile\'s path in the context relative to the directory of the config, without "..")',
      'stages.yaml:6:10: context "../x" must be a path inside the project (give the context folder relative to the directory of the config, without "..")',
      'stages.yaml:7:11: addHost "db" is not host:ip (write addHost: ["db:10.0.0.5"])',
      "stages.yaml:8:9: staged must be a boolean, not a string (write true or false, without quotes)",
      'stages.yaml:9:18: contextAddFiles "../y" must be a file inside the context (give it relative to the context, without ..)',
    ]);
  });
});

describe("normalizeProjectPath", () => {
  it.each([
    [".", ""],
    ["./", ""],
    ["a/./b/", "a/b"],
    ["a\\b", "a/b"],
    ["a//b", "a/b"],
  ])("%j → %j", (input, output) => {
    expect(normalizeProjectPath(input)).toBe(output);
  });
  it.each(["/abs", "../up", "a/../../b", "C:\\x"])("refuses %j", (input) => {
    expect(normalizeProjectPath(input)).toBeNull();
  });
});
