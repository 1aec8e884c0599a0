import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWithBuildKit, compareSnapshots, expectSameImage, imageSnapshot } from "./compare-images.js";

const host = process.env.STAGES_TEST_DOCKER_HOST_A ?? "";
const baseImage = process.env.STAGES_TEST_BASE_IMAGE ?? "";

describe("image comparison harness", () => {
  const suffix = randomBytes(4).toString("hex");
  const tags = {
    first: `stages-compare/a:${suffix}`,
    second: `stages-compare/b:${suffix}`,
    changed: `stages-compare/c:${suffix}`,
  };
  let directory = "";

  beforeAll(() => {
    if (!host || !baseImage) {
      throw new Error(
        "STAGES_TEST_DOCKER_HOST_A and STAGES_TEST_BASE_IMAGE are required (run it under the test environment)",
      );
    }
    directory = mkdtempSync(join(tmpdir(), "stages-compare-"));
    writeFileSync(
      join(directory, "Dockerfile"),
      [
        `FROM ${baseImage}`,
        "COPY data.txt /srv/data.txt",
        "RUN mkdir -p /srv/bin && echo run > /srv/bin/tool && chown 1000:50 /srv/bin/tool && chmod 4750 /srv/bin/tool && ln -s tool /srv/bin/link",
        "ENV MODE=test",
        "WORKDIR /srv",
        'CMD ["sh"]',
        "",
      ].join("\n"),
    );
  });

  afterAll(() => {
    if (directory) rmSync(directory, { recursive: true, force: true });
    for (const tag of Object.values(tags)) {
      try {
        execFileSync("/usr/bin/docker", ["-H", host, "rmi", "-f", tag], { stdio: "ignore" });
      } catch {}
    }
  });

  it("finds two builds of the same Dockerfile equal and reports a one-byte change as exactly that entry", async () => {
    writeFileSync(join(directory, "data.txt"), "abcdef\n");
    await buildWithBuildKit(host, directory, { tag: tags.first });
    // A real rebuild: other mtimes, same files.
    await buildWithBuildKit(host, directory, { tag: tags.second, noCache: true });
    await expectSameImage(host, tags.first, tags.second);

    const snapshot = await imageSnapshot(host, tags.first);
    expect(snapshot.config.Env).toContain("MODE=test");
    expect(snapshot.config.WorkingDir).toBe("/srv");
    expect(snapshot.config.Cmd).toEqual(["sh"]);
    expect(snapshot.config.Entrypoint).toBeNull();
    const byPath = new Map(snapshot.files.map((file) => [file.path, file]));
    expect(byPath.get("/srv/bin/tool")).toMatchObject({ type: "file", mode: "4750", uid: 1000, gid: 50, size: 4 });
    expect(byPath.get("/srv/bin/link")).toMatchObject({ type: "symlink", linkTarget: "tool" });
    expect(byPath.has("/etc/hosts")).toBe(false);
    expect(byPath.has("/.dockerenv")).toBe(false);

    writeFileSync(join(directory, "data.txt"), "abcdeg\n");
    await buildWithBuildKit(host, directory, { tag: tags.changed });
    const changed = await imageSnapshot(host, tags.changed);
    const differences = compareSnapshots(changed, snapshot);
    expect(differences).toHaveLength(1);
    expect(differences[0]).toMatch(/^~ \/srv\/data\.txt: sha256 "[0-9a-f]{64}" != "[0-9a-f]{64}"$/);
    await expect(expectSameImage(host, tags.changed, tags.first)).rejects.toThrow(/\/srv\/data\.txt/);
  });

  it("fails with BuildKit's output when the build fails", async () => {
    const broken = mkdtempSync(join(tmpdir(), "stages-compare-broken-"));
    try {
      writeFileSync(join(broken, "Dockerfile"), `FROM ${baseImage}\nRUN echo stages-broken-step && exit 3\n`);
      await expect(buildWithBuildKit(host, broken, { tag: `stages-compare/broken:${suffix}` })).rejects.toThrow(
        /stages-broken-step/,
      );
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
