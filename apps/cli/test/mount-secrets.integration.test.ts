import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { requireTestEnvironment } from "@stages/testenv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionsOf, docker, type RunResult, stages, uniqueName } from "./helpers.js";

// werf's mount (tmp_dir, build_dir, fromPath) and secrets (env, src, value) through the built CLI
// on engine A: what the commands see, what the image keeps (nothing of either), what persists
// between builds (build_dir only), what rebuilds (an id, never a value), and that no value is printed.
const environment = requireTestEnvironment();
const project = uniqueName("mounts");
const host = environment.dockerHostA;
const tokenOne = "tok-9f8e7d6c5b4a-one";
const tokenTwo = "tok-0a1b2c3d4e5f-two";
const fileSecret = "file-secret-77aa88bb";
const literal = "literal-secret-5150xyz";
const sha = (text: string) => createHash("sha256").update(text).digest("hex");

const config = (cacheVersion: string, extraSecret: string) => `project: ${project}
configVersion: 1
---
image: app
from: ${environment.baseImage}
mount:
- from: build_dir
  to: /cache
- from: tmp_dir
  to: /scratch
- fromPath: ../HOSTDIR
  to: /host
secrets:
- env: STAGES_TEST_TOKEN
- src: ./secret.txt
- value: ${literal}
  id: literal
${extraSecret}shell:
  cacheVersion: "${cacheVersion}"
  beforeInstall:
  - echo "run ${cacheVersion}" >> /cache/runs
  - mkdir -p /opt && cp /cache/runs /opt/runs
  - ls -A /scratch > /opt/scratch-before && echo leftover > /scratch/file
  - cat /host/from-host > /opt/from-host && echo written-by-build > /host/from-build
  - sha256sum /run/secrets/STAGES_TEST_TOKEN /run/secrets/secret.txt /run/secrets/literal | cut -c1-64 > /opt/secret-sums
  - ls -l /run/secrets > /opt/secret-list
  - echo "token is $(cat /run/secrets/STAGES_TEST_TOKEN)"; echo "file is $(cat /run/secrets/secret.txt)" >&2
  install:
  - ls -A /scratch > /opt/scratch-install
  - echo "literal is $(cat /run/secrets/literal)"
`;

describe("mount and secrets of a stapel image on a real engine", () => {
  let parent: string;
  let directory: string;
  let hostDirectory: string;
  const write = (cacheVersion: string, extraSecret = "") =>
    writeFileSync(
      join(directory, "stages.yaml"),
      config(cacheVersion, extraSecret).replace("HOSTDIR", basename(hostDirectory)),
    );
  const build = (token: string) =>
    stages(["build", "--json", "--network", "none"], {
      cwd: directory,
      env: { DOCKER_HOST: host, STAGES_TEST_TOKEN: token },
    });
  const lastStage = (result: RunResult) => {
    const stagesOfApp = result.json.images[0].stages as { name: string; signature: string }[];
    return `stages-storage/${project}:${stagesOfApp[stagesOfApp.length - 1]?.signature}`;
  };
  const inImage = (image: string, script: string) =>
    docker(host, "run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", image, "-c", script);
  const expectNoValue = (text: string) => {
    for (const value of [tokenOne, tokenTwo, fileSecret, literal]) expect(text).not.toContain(value);
  };

  beforeAll(() => {
    parent = mkdtempSync(join(tmpdir(), "stages-mounts-"));
    directory = join(parent, "project");
    hostDirectory = join(parent, "host-cache");
    mkdirSync(directory);
    mkdirSync(hostDirectory);
    writeFileSync(join(hostDirectory, "from-host"), "hello from the host\n");
    writeFileSync(join(directory, "secret.txt"), `${fileSecret}\n`);
  });

  afterAll(() => {
    for (const volume of docker(host, "volume", "ls", "-q", "--filter", `label=io.stages.project=${project}`)
      .split("\n")
      .filter(Boolean)) {
      docker(host, "volume", "rm", volume);
    }
    rmSync(parent, { recursive: true, force: true });
  });

  let firstImage = "";

  it("gives the commands the mounts and secrets, and the image keeps none of them", async () => {
    write("1");
    const result = await build(tokenOne);
    expect(result.code, result.stderr).toBe(0);
    expect(actionsOf(result, "app").beforeInstall).toBe("built");
    firstImage = lastStage(result);

    // Readable by the commands: the digests of exactly the values.
    expect(inImage(firstImage, "cat /opt/secret-sums").split("\n")).toEqual([
      sha(tokenOne),
      sha(`${fileSecret}\n`),
      sha(literal),
    ]);
    expect(inImage(firstImage, "cat /opt/secret-list")).toMatch(/-r-------- .* STAGES_TEST_TOKEN/);
    // Printed by the commands, blanked by stages on stdout, stderr and in --json.
    expectNoValue(result.stdout);
    expectNoValue(result.stderr);
    expect(result.stderr).toContain("token is ***");
    expect(result.stderr).toContain("file is ***");
    expect(result.stderr).toContain("literal is ***");

    // Absent from the image: no file under /run/secrets, nothing in its history or config.
    expect(inImage(firstImage, "ls -A /run/secrets")).toBe("");
    expectNoValue(docker(host, "history", "--no-trunc", firstImage));
    expectNoValue(docker(host, "image", "inspect", firstImage));

    // tmp_dir: empty when a container starts, empty again in the next stage, empty in the image.
    expect(inImage(firstImage, "cat /opt/scratch-before")).toBe("");
    expect(inImage(firstImage, "cat /opt/scratch-install")).toBe("");
    expect(inImage(firstImage, "ls -A /scratch /cache /host")).toBe("/cache:\n\n/host:\n\n/scratch:");
    // fromPath: the host directory, read and written by the build.
    expect(inImage(firstImage, "cat /opt/from-host")).toBe("hello from the host");
    expect(readFileSync(join(hostDirectory, "from-build"), "utf8")).toBe("written-by-build\n");

    // What the build made for itself is gone: no container, no secrets or tmp_dir volume (both
    // labelled with the project, as the build_dir volume is); the build_dir volume is what stays.
    // Filtered by the project: other tests use the engine meanwhile.
    const ofProject = `label=io.stages.project=${project}`;
    expect(docker(host, "ps", "-a", "-q", "--filter", ofProject)).toBe("");
    expect(docker(host, "volume", "ls", "-q", "--filter", ofProject).split("\n")).toEqual([
      expect.stringMatching(new RegExp(`^stages-build-dir-${project}-cache-[0-9a-f]{8}$`)),
    ]);
  });

  it("keeps build_dir between builds of different signatures", async () => {
    write("2");
    const result = await build(tokenOne);
    expect(result.code, result.stderr).toBe(0);
    expect(actionsOf(result, "app").beforeInstall).toBe("built");
    const image = lastStage(result);
    expect(image).not.toBe(firstImage);
    expect(inImage(image, "cat /opt/runs")).toBe("run 1\nrun 2");
    expect(inImage(image, "ls -A /cache")).toBe("");
  });

  it("rebuilds nothing when a secret's value changes, and the user stages when a secret is added", async () => {
    const same = await build(tokenTwo);
    expect(same.code, same.stderr).toBe(0);
    expect(Object.values(actionsOf(same, "app"))).toEqual(["cached", "cached", "cached"]);
    expectNoValue(same.stdout + same.stderr);

    write("2", "- value: another-value-1234\n  id: another\n");
    const added = await build(tokenTwo);
    expect(added.code, added.stderr).toBe(0);
    expect(actionsOf(added, "app")).toEqual({ from: "cached", beforeInstall: "built", install: "built" });
    expectNoValue(added.stdout + added.stderr);
  });

  it("says which variable an env secret needs when it is not set", async () => {
    write("3");
    const result = await stages(["build", "--network", "none"], {
      cwd: directory,
      env: { DOCKER_HOST: host, STAGES_TEST_TOKEN: undefined },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the build secret "STAGES_TEST_TOKEN" (stages.yaml:');
    expect(result.stderr).toContain("reads $STAGES_TEST_TOKEN, which is not set");
  });

  it("host purge removes the project's build_dir cache with its stages", async () => {
    const ofProject = `label=io.stages.project=${project}`;
    const [cache] = docker(host, "volume", "ls", "-q", "--filter", ofProject).split("\n");
    expect(cache).toMatch(/^stages-build-dir-/);
    const dry = await stages(["host", "purge", "--dry-run", "--json"], { cwd: directory, env: { DOCKER_HOST: host } });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.json.buildDirectories).toEqual([cache]);
    expect(docker(host, "volume", "ls", "-q", "--filter", ofProject)).toBe(cache);

    const purged = await stages(["host", "purge"], { cwd: directory, env: { DOCKER_HOST: host } });
    expect(purged.code, purged.stderr).toBe(0);
    expect(purged.stdout).toContain(`build caches (build_dir, RUN --mount=type=cache) removed: ${cache}`);
    expect(docker(host, "volume", "ls", "-q", "--filter", ofProject)).toBe("");
  });
});
