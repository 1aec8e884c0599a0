import { describe, expect, it } from "vitest";
import { mergeImageSpec } from "./meta-image-spec.js";
import type { ImageSpecConfig } from "./model.js";
import { emptyImageSpec } from "./parse-image-spec.js";

const position = { file: "werf.yaml", line: 1, column: 1 };
const spec = (fields: Partial<ImageSpecConfig>): ImageSpecConfig => ({ ...emptyImageSpec(position), ...fields });
const names = (...list: string[]) => list.map((name) => ({ kind: "name" as const, name }));

// werf's TestMergeImageSpec (pkg/config/image_spec_test.go): the same meta, image and expected spec.
describe("mergeImageSpec", () => {
  it("gives werf's TestMergeImageSpec result", () => {
    const meta = spec({
      author: "meta_author",
      clearHistory: true,
      keepEssentialWerfLabels: true,
      removeLabels: names("label1", "label2"),
      labels: { key1: "value1" },
    });
    const image = spec({
      author: "image_author",
      clearHistory: false,
      keepEssentialWerfLabels: false,
      clearWerfLabels: true,
      removeLabels: names("label3"),
      removeVolumes: ["volume1"],
      removeEnv: names("ENV1"),
      clearCmd: true,
      clearEntrypoint: true,
      clearUser: true,
      clearWorkingDir: true,
      volumes: ["volume_old"],
      labels: { key2: "value2" },
      env: { ENV_OLD: "VALUE_OLD" },
      user: "image_user",
      cmd: ["cmd2"],
      entrypoint: ["entry2"],
      workingDir: "/image_workdir",
      stopSignal: "SIGTERM",
      expose: ["9090"],
    });
    expect(mergeImageSpec(meta, image)).toEqual({
      ...image,
      author: "meta_author",
      clearHistory: true,
      keepEssentialWerfLabels: true,
      clearWerfLabels: true,
      removeLabels: names("label3", "label1", "label2"),
      labels: { key1: "value1", key2: "value2" },
    });
    // Neither input is changed (werf writes into the image's; here the config stays as parsed).
    expect(image.labels).toEqual({ key2: "value2" });
  });

  it("keeps the image's author when the global one is empty, and dedupes removeLabels as werf's mergeSlices", () => {
    const merged = mergeImageSpec(
      spec({ removeLabels: [...names("b", "c"), { kind: "regexp", source: "x.*" }] }),
      spec({ author: "me", removeLabels: names("a", "b") }),
    );
    expect(merged.author).toBe("me");
    expect(merged.removeLabels).toEqual([...names("a", "b", "c"), { kind: "regexp", source: "x.*" }]);
  });

  it("gives an image without its own imageSpec the global one", () => {
    const meta = spec({ author: "team", labels: { a: "1" } });
    expect(mergeImageSpec(meta, null)).toEqual(meta);
  });
});
