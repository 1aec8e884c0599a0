import { describe, expect, it } from "vitest";
import { imageErrors, validImage } from "./test-support.js";

const head = "image: app\nfrom: alpine\n";

describe("mount", () => {
  it("defaults to no mounts", () => {
    expect(validImage(head).mounts).toEqual([]);
  });

  it("reads tmp_dir, build_dir and fromPath mounts with normalized paths, in order", () => {
    const image = validImage(
      `${head}mount:\n- from: tmp_dir\n  to: /tmp/build/\n- from: build_dir\n  to: /var/cache//apt\n- fromPath: ./../cache/./npm/\n  to: /root/.npm\n- fromPath: /srv/data\n  to: /data\n`,
    );
    expect(image.mounts).toEqual([
      { from: "tmp_dir", fromPath: null, to: "/tmp/build", position: { file: "stages.yaml", line: 7, column: 3 } },
      { from: "build_dir", fromPath: null, to: "/var/cache/apt", position: expect.objectContaining({ line: 9 }) },
      { from: "path", fromPath: "../cache/npm", to: "/root/.npm", position: expect.objectContaining({ line: 11 }) },
      { from: "path", fromPath: "/srv/data", to: "/data", position: expect.objectContaining({ line: 13 }) },
    ]);
  });

  it("is accepted in artifacts too (werf's artifacts are stapel images)", () => {
    const image = validImage("artifact: tools\nfrom: alpine\nmount:\n- from: build_dir\n  to: /root/.cache\n");
    expect(image.mounts.map((mount) => mount.to)).toEqual(["/root/.cache"]);
  });

  it("reports every wrong mount at its place, with a hint", () => {
    const errors = imageErrors(
      [
        head.trimEnd(),
        "mount:",
        "- from: tmp",
        "  to: /a",
        "- from: tmp_dir",
        "  fromPath: ../x",
        "  to: /b",
        "- from: tmp_dir",
        "  to: relative/c",
        "- from: build_dir",
        "- to: /e",
        "- from: tmp_dir",
        "  to: /",
        "- from: tmp_dir",
        "  to: /f",
        "  mode: rw",
        "- from: tmp_dir",
        "  to: /g/",
        "- from: build_dir",
        "  to: /g",
        "",
      ].join("\n"),
    );
    expect(errors).toEqual([
      'stages.yaml:7:9: mount.from must be tmp_dir or build_dir, not "tmp" (write from: tmp_dir (empty for each build) or from: build_dir (kept between builds); fromPath: mounts a host directory)',
      'stages.yaml:10:3: a mount takes "from" or "fromPath", not both (keep one of them)',
      'stages.yaml:13:7: mount.to "relative/c" must be an absolute path (write /relative/c)',
      'stages.yaml:14:3: a mount needs "to" (add to: /absolute/path/in/the/container)',
      "stages.yaml:15:3: a mount needs what it mounts (add from: tmp_dir, from: build_dir or fromPath: <directory of the host>)",
      "stages.yaml:17:7: mount.to cannot be the root directory (mount a directory below /)",
      'stages.yaml:20:3: unknown key "mode" under mount (expected one of: from, fromPath, to)',
      "stages.yaml:23:3: two mounts at /g (the first is at line 21) (give each mount its own to:)",
    ]);
  });

  it("keeps /run/secrets for the build secrets", () => {
    expect(imageErrors(`${head}mount:\n- from: tmp_dir\n  to: /run/secrets/x/\n`)).toEqual([
      "stages.yaml:8:7: mount.to /run/secrets/x is where build secrets go (mount another directory)",
    ]);
    expect(validImage(`${head}mount:\n- from: tmp_dir\n  to: /run/secrets-cache\n`).mounts).toHaveLength(1);
  });

  it("must be a list, and fromPath must name something", () => {
    expect(imageErrors(`${head}mount: {from: tmp_dir, to: /a}\n`)).toEqual([
      "stages.yaml:6:8: mount must be a list of mappings, not a mapping (write mount: [{from: tmp_dir, to: /path}])",
    ]);
    expect(imageErrors(`${head}mount:\n- fromPath: ""\n  to: /a\n`)).toEqual([
      "stages.yaml:7:13: mount.fromPath must name a directory of the host (write fromPath: ../cache)",
    ]);
  });
});
