import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireTestEnvironment } from "@stages/testenv";
import { afterAll, describe, expect, it } from "vitest";
import { buildWithBuildKit, compareSnapshots, imageSnapshot } from "../../../packages/docker/test/compare-images.js";
import {
  allStages,
  docker,
  git,
  makeRepository,
  type RunResult,
  repositoryRoot,
  stages,
  uniqueName,
  writeFile,
} from "./helpers.js";

// Dockerfile images end to end through the CLI (issue 12): the result equals BuildKit's, a cache per
// instruction that only the files a COPY selects can invalidate, shared through a registry.
const environment = requireTestEnvironment();
const onA = { DOCKER_HOST: environment.dockerHostA };
const onB = { DOCKER_HOST: environment.dockerHostB };
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

/** Every stage of a result with its detail (`build: RUN ... (Dockerfile:7)`) and action. */
function rows(result: RunResult): { detail: string; action: string; signature: string }[] {
  return allStages(result).map((stage) => ({
    detail: (stage as { detail?: string }).detail ?? stage.name,
    action: stage.action,
    signature: stage.signature,
  }));
}

/** The actions of a result, keyed by the instruction text of each stage. */
function actions(result: RunResult): string[] {
  return rows(result).map((row) => `${row.detail.replace(/ \(.*:\d+\)$/, "")} = ${row.action}`);
}

async function build(directory: string, env: Record<string, string>, ...extra: string[]): Promise<RunResult> {
  const result = await stages(["build", "--network", "none", "--json", ...extra], { cwd: directory, env });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** A copy of examples/dockerfile in its own git repository. */
function exampleCopy(): string {
  const directory = mkdtempSync(join(tmpdir(), "stages-dockerfile-"));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  cpSync(join(repositoryRoot, "examples", "dockerfile"), directory, { recursive: true });
  // A project of its own: no host has its stages yet.
  const config = readFileSync(join(directory, "stages.yaml"), "utf8");
  writeFile(directory, "stages.yaml", config.replace("project: hello-dockerfile", `project: ${uniqueName("hello")}`));
  git(directory, "init", "-q", "-b", "main");
  git(directory, "add", "-A");
  git(directory, "-c", "user.email=e2e@stages.invalid", "-c", "user.name=e2e", "commit", "-q", "-m", "example");
  return directory;
}

describe("examples/dockerfile", () => {
  it("builds what BuildKit builds, runs, and a second build is all cached", { timeout: 240_000 }, async () => {
    const directory = join(repositoryRoot, "examples", "dockerfile");
    const first = await build(directory, onA);
    const last = rows(first).at(-1);
    expect(last?.detail).toMatch(/^runtime: CMD \["hello"\]/);
    const ours = `stages-storage/hello-dockerfile:${last?.signature}`;
    const theirs = `stages-buildkit-example:${uniqueName("t")}`;
    await buildWithBuildKit(environment.dockerHostA, join(directory, "app"), {
      tag: theirs,
      target: "runtime",
      args: { GREETING: "Hello" },
    });
    cleanups.push(() => docker(environment.dockerHostA, "rmi", theirs));
    const differences = compareSnapshots(
      await imageSnapshot(environment.dockerHostA, ours),
      await imageSnapshot(environment.dockerHostA, theirs),
    );
    expect(differences).toEqual([]);
    const output = docker(environment.dockerHostA, "run", "--rm", "--network", "none", ours);
    expect(output).toContain("Hello from a Dockerfile built stage by stage!");
    expect(output).toContain("packages: colors greeter");
    expect(output).toContain("running as app in /home/app");

    const again = await build(directory, onA);
    expect(rows(again).filter((row) => row.action !== "cached")).toEqual([]);
  });
});

describe("a cache per instruction", () => {
  const dockerfile = `ARG BASE=${environment.baseImage}
FROM $BASE AS base
WORKDIR /app
COPY a.txt ./
RUN cat a.txt > out-a
# a comment: lines move, signatures do not
COPY b/ b/
RUN ls b > out-b
ARG LATE=1
RUN echo "$LATE" > late
`;

  it(
    "re-runs only what the changed file reaches, and nothing for files no COPY selects",
    { timeout: 240_000 },
    async () => {
      const directory = makeRepository({
        "stages.yaml": `project: ${uniqueName("df")}\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\n`,
        Dockerfile: dockerfile,
        "a.txt": "a\n",
        "b/one.txt": "1\n",
        "b/notes.md": "ignored\n",
        "c.txt": "no COPY selects me\n",
        ".dockerignore": "b/*.md\n",
      });
      cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
      const first = await build(directory, onA);
      expect(rows(first).every((row) => row.action === "built")).toBe(true);
      expect(actions(first).map((line) => line.split(" = ")[0])).toEqual([
        "base: FROM $BASE AS base",
        "base: WORKDIR /app",
        "base: COPY a.txt ./",
        "base: RUN cat a.txt > out-a",
        "base: COPY b/ b/",
        "base: RUN ls b > out-b",
        'base: RUN echo "$LATE" > late',
      ]);

      // A file outside every COPY's selection, and one .dockerignore drops, change nothing.
      writeFile(directory, "c.txt", "edited\n");
      writeFile(directory, "b/notes.md", "edited too\n");
      writeFile(directory, "Dockerfile", dockerfile.replace("# a comment", "# another comment\n# and one more"));
      const untouched = await build(directory, onA);
      expect(rows(untouched).filter((row) => row.action !== "cached")).toEqual([]);

      // An edit (uncommitted) of a file the second COPY selects re-runs from that COPY on.
      writeFile(directory, "b/one.txt", "one\n");
      const fromB = await build(directory, onA);
      expect(actions(fromB).map((line) => line.split(" = ")[1])).toEqual([
        "cached",
        "cached",
        "cached",
        "cached",
        "built",
        "built",
        "built",
      ]);

      // An ARG's value reaches only the instructions after the ARG that declares it.
      writeFile(directory, "stages.yaml", `${readFileSync(join(directory, "stages.yaml"), "utf8")}args: {LATE: "2"}\n`);
      const lateOnly = await build(directory, onA);
      expect(actions(lateOnly).map((line) => line.split(" = ")[1])).toEqual([
        "cached",
        "cached",
        "cached",
        "cached",
        "cached",
        "cached",
        "built",
      ]);
    },
  );
});

describe("shared through a registry", () => {
  it(
    "host B builds nothing and pulls only the last stage; publish copies inside the registry",
    { timeout: 300_000 },
    async () => {
      const directory = exampleCopy();
      const repository = `${environment.registry}/${uniqueName("dockerfile")}`;
      const onHostA = await build(directory, onA, "--repo", repository);
      expect(rows(onHostA).every((row) => row.action === "built")).toBe(true);
      const pushed = await stages(["push", "--json", repository], { cwd: directory, env: onA });
      expect(pushed.code, pushed.stderr).toBe(0);

      // The plan says it before anything runs: the last stage is pulled, nothing is built.
      const planned = await stages(["plan", "--json", "--repo", repository], { cwd: directory, env: onB });
      expect(planned.code, planned.stderr).toBe(0);
      const builds = planned.json.images[0].stages.map((stage: { build: string }) => stage.build);
      expect(builds.at(-1)).toBe("pulled");
      expect(builds.slice(0, -1).every((action: string) => action === "cached")).toBe(true);
      expect(planned.json.images[0].stages.every((stage: { remote: boolean }) => stage.remote)).toBe(true);

      const onHostB = await build(directory, onB, "--repo", repository);
      const moved = rows(onHostB).filter((row) => row.action !== "cached");
      expect(moved).toEqual([
        {
          detail: expect.stringMatching(/^runtime: CMD/),
          action: "pulled",
          signature: rows(onHostA).at(-1)?.signature,
        },
      ]);

      const published = await stages(["publish", "--json", repository, "--tag-custom", "v1"], {
        cwd: directory,
        env: onB,
      });
      expect(published.code, published.stderr).toBe(0);
      expect(published.json.images[0].tags).toEqual([
        expect.objectContaining({ reference: `${repository}/hello:v1`, method: "registry-copy" }),
      ]);
      const image = `${repository}/hello:v1`;
      docker(environment.dockerHostB, "pull", image);
      cleanups.push(() => docker(environment.dockerHostB, "rmi", image));
      expect(docker(environment.dockerHostB, "run", "--rm", "--network", "none", image)).toContain(
        "Hello from a Dockerfile built stage by stage!",
      );
    },
  );
});

describe("images of the config, both ways", () => {
  it(
    "a Dockerfile FROMs a stapel image and a stapel image imports from a Dockerfile image",
    { timeout: 240_000 },
    async () => {
      const directory = makeRepository({
        "stages.yaml": `project: ${uniqueName("mix")}
configVersion: 1
---
image: tools
from: ${environment.baseImage}
shell:
  install: [echo stapel-tool > /tool.txt]
---
image: web
dockerfile: Dockerfile
context: web
---
image: bundle
fromImage: web
import:
- image: web
  add: /srv/page.txt
  to: /bundle/page.txt
  after: install
shell:
  install: [cat /tool.txt /srv/page.txt > /both.txt]
`,
        "web/Dockerfile": "FROM tools\nCOPY page.txt /srv/page.txt\nRUN cat /tool.txt >> /srv/page.txt\n",
        "web/page.txt": "page\n",
      });
      cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
      const built = await build(directory, onA);
      const names = built.json.images.map((image: { name: string }) => image.name);
      expect(names).toEqual(["tools", "web", "bundle"]);
      const bundle = built.json.images[2].stages.at(-1).signature;
      const project = readFileSync(join(directory, "stages.yaml"), "utf8").match(/project: (\S+)/)?.[1];
      const image = `stages-storage/${project}:${bundle}`;
      expect(docker(environment.dockerHostA, "run", "--rm", "--network", "none", image, "cat", "/both.txt")).toBe(
        "stapel-tool\npage\nstapel-tool",
      );
      expect(
        docker(environment.dockerHostA, "run", "--rm", "--network", "none", image, "cat", "/bundle/page.txt"),
      ).toBe("page\nstapel-tool");
    },
  );
});
