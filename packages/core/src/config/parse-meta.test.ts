import { describe, expect, it } from "vitest";
import { parseConfig } from "./parse-config.js";
import { errorsOf } from "./test-support.js";

const image = "---\nimage: app\nfrom: alpine:3.20\n";

function metaErrors(meta: string): string[] {
  const result = parseConfig(meta + image);
  expect(result.config).toBeNull();
  return errorsOf(result);
}

describe("project meta", () => {
  it("reads project, configVersion and plugins", () => {
    const result = parseConfig(`project: taxi\nconfigVersion: 1\nplugins: [stages-plugin-redis, ./local.js]\n${image}`);
    expect(errorsOf(result)).toEqual([]);
    expect(result.config?.meta).toEqual({
      project: "taxi",
      configVersion: 1,
      plugins: ["stages-plugin-redis", "./local.js"],
    });
  });

  it("defaults plugins to none", () => {
    expect(parseConfig(`project: taxi\nconfigVersion: 1\n${image}`).config?.meta.plugins).toEqual([]);
  });

  it("requires project", () => {
    expect(metaErrors("configVersion: 1\n")).toEqual([
      'stages.yaml:1:1: the project meta needs "project" (add project: <name>)',
    ]);
  });

  it("requires configVersion 1", () => {
    expect(metaErrors("project: taxi\n")).toEqual([
      'stages.yaml:1:1: the project meta needs "configVersion" (write configVersion: 1)',
    ]);
    expect(metaErrors("project: taxi\nconfigVersion: 2\n")).toEqual([
      "stages.yaml:2:16: configVersion must be the number 1, not 2 (write configVersion: 1)",
    ]);
    expect(metaErrors('project: taxi\nconfigVersion: "1"\n')).toEqual([
      "stages.yaml:2:16: configVersion must be the number 1, not a string (write configVersion: 1)",
    ]);
    expect(metaErrors("project: taxi\nconfigVersion:\n")).toEqual([
      "stages.yaml:2:1: configVersion must be the number 1, not nothing (null) (write configVersion: 1)",
    ]);
  });

  it("validates the project name", () => {
    expect(metaErrors("project: My Taxi\nconfigVersion: 1\n")).toEqual([
      'stages.yaml:1:10: invalid project name "My Taxi" (use lowercase letters and digits, joined by single ".", "_" or "-", e.g. "my-taxi")',
    ]);
    expect(metaErrors("project: team/taxi\nconfigVersion: 1\n")).toHaveLength(1);
    expect(metaErrors("project: [taxi]\nconfigVersion: 1\n")).toEqual([
      'stages.yaml:1:10: "project" must be a string, not a list (write project: <name>)',
    ]);
  });

  it("suggests the key meant by a typo", () => {
    expect(metaErrors("projet: taxi\nconfigVersion: 1\n")).toEqual([
      'stages.yaml:1:1: unknown key "projet" in the project meta (did you mean "project"?)',
      'stages.yaml:1:1: the project meta needs "project" (add project: <name>)',
    ]);
  });

  it("ignores werf's deploy, gitWorktree and build.staged with a warning", () => {
    const result = parseConfig(
      `project: taxi\nconfigVersion: 1\ndeploy: {helmRelease: x}\ncleanup: {}\ngitWorktree: {forceShallowClone: true}\nbuild: {staged: true}\n${image}`,
    );
    expect(errorsOf(result)).toEqual([]);
    expect(result.config).not.toBeNull();
    expect(result.warnings.map((problem) => problem.formatted)).toEqual([
      'stages.yaml:3:1: warning: ignored key "deploy": stages builds and publishes, it does not deploy (remove it if only stages reads this file)',
      'stages.yaml:5:1: warning: ignored key "gitWorktree": stages reads the work tree as it is, without fetching or unshallowing (remove it if only stages reads this file)',
      'stages.yaml:6:9: warning: ignored key "staged": each Dockerfile image says staged: itself (stages builds them instruction by instruction by default) (write staged: in the Dockerfile images)',
    ]);
  });

  it("reads werf's build.platform and build.cacheVersion as the defaults of every stapel image", () => {
    const result = parseConfig(
      'project: taxi\nconfigVersion: 1\nbuild:\n  platform: [linux/amd64]\n  cacheVersion: "7"\n---\nimage: a\nfrom: alpine\n---\nimage: b\nfrom: alpine\nplatform: linux/arm64\ncacheVersion: "8"\n',
    );
    expect(errorsOf(result)).toEqual([]);
    expect(result.config?.meta.build).toEqual({ platform: ["linux/amd64"], cacheVersion: "7" });
    expect(result.config?.images.map(({ name, platform, cacheVersion }) => ({ name, platform, cacheVersion }))).toEqual(
      [
        { name: "a", platform: ["linux/amd64"], cacheVersion: "7" },
        { name: "b", platform: ["linux/arm64"], cacheVersion: "8" },
      ],
    );
  });

  it("checks build: and says what of it stages does not support yet", () => {
    expect(
      metaErrors(
        "project: taxi\nconfigVersion: 1\nbuild:\n  platform: [arm64]\n  imageSpec: {author: x, config: {env: {A: b}, labelz: {}}}\n  stagd: true\n",
      ),
    ).toEqual([
      'stages.yaml:4:14: build.platform "arm64" is not an os/architecture pair (write it like linux/amd64 or linux/arm64/v8)',
      'stages.yaml:5:35: unsupported key "env": werf\'s build.imageSpec.config takes labels, removeLabels and keepEssentialWerfLabels only (write it in the imageSpec of each image that needs it)',
      'stages.yaml:5:48: unknown key "labelz" under build.imageSpec.config (did you mean "labels"?)',
      'stages.yaml:6:3: unknown key "stagd" under build (expected one of: platform, cacheVersion, imageSpec)',
    ]);
  });

  it("merges build.imageSpec into every final image's imageSpec as werf's mergeImageSpec", () => {
    const result = parseConfig(
      [
        "project: taxi",
        "configVersion: 1",
        "build:",
        "  imageSpec:",
        '    author: "Team <team@example.com>"',
        "    clearHistory: true",
        "    config:",
        "      labels: {team: web, tier: global}",
        "      removeLabels: [unwanted, '/org\\.opencontainers\\..*/']",
        "---",
        "image: plain",
        "from: alpine",
        "---",
        "image: own",
        "from: alpine",
        "imageSpec:",
        "  author: Someone Else",
        "  config:",
        "    labels: {tier: own, extra: yes}",
        "    removeLabels: [mine, unwanted]",
        "    env: {A: b}",
        "---",
        "image: base",
        "final: false",
        "from: alpine",
        "---",
        "artifact: old",
        "from: alpine",
      ].join("\n"),
    );
    expect(errorsOf(result)).toEqual([]);
    const specs = Object.fromEntries(
      (result.config?.images ?? []).map((image) => [
        image.name,
        image.imageSpec === null
          ? null
          : {
              author: image.imageSpec.author,
              clearHistory: image.imageSpec.clearHistory,
              labels: image.imageSpec.labels,
              removeLabels: image.imageSpec.removeLabels,
              env: image.imageSpec.env,
            },
      ]),
    );
    const global = [
      { kind: "name", name: "unwanted" },
      { kind: "regexp", source: "org\\.opencontainers\\..*" },
    ];
    expect(specs).toEqual({
      plain: {
        author: "Team <team@example.com>",
        clearHistory: true,
        labels: { team: "web", tier: "global" },
        removeLabels: global,
        env: {},
      },
      // werf: the global author and labels win over the image's; removeLabels are the image's, then the global ones it lacks.
      own: {
        author: "Team <team@example.com>",
        clearHistory: true,
        labels: { tier: "global", extra: "yes", team: "web" },
        removeLabels: [{ kind: "name", name: "mine" }, ...global],
        env: { A: "b" },
      },
      // Not for final: false images nor artifacts (werf: "does not apply for intermediate images").
      base: null,
      old: null,
    });
    expect(result.config?.meta.build?.imageSpec?.author).toBe("Team <team@example.com>");
  });

  it("says build.imageSpec's clearWerfLabels changes nothing, as in werf", () => {
    const result = parseConfig(
      `project: taxi\nconfigVersion: 1\nbuild:\n  imageSpec:\n    config:\n      clearWerfLabels: true\n${image}`,
    );
    expect(errorsOf(result)).toEqual([]);
    expect(result.config?.images[0]?.imageSpec?.clearWerfLabels).toBe(false);
    expect(result.warnings.map((problem) => problem.formatted)).toEqual([
      "stages.yaml:6:7: warning: build.imageSpec.config.clearWerfLabels changes nothing: werf reads it but does not apply it to the images, nor does stages (write clearWerfLabels: true in the imageSpec of each image that needs it)",
    ]);
  });

  it("tells to end the meta before an image", () => {
    expect(metaErrors("project: taxi\nconfigVersion: 1\nimage: x\n")[0]).toBe(
      'stages.yaml:3:1: unsupported key "image": images belong in their own documents (end the project meta with --- before image:)',
    );
  });

  it("checks plugins", () => {
    expect(metaErrors("project: taxi\nconfigVersion: 1\nplugins: {a: b}\n")).toEqual([
      'stages.yaml:3:10: "plugins" must be a string or a list of strings, not a mapping',
    ]);
  });

  it("must be a mapping", () => {
    expect(metaErrors("- project\n")).toEqual([
      "stages.yaml:1:1: the project meta must be a mapping, not a list (write the project meta as key: value lines)",
    ]);
  });
});
