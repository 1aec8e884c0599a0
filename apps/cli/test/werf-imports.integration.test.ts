import { requireTestEnvironment } from "@stages/testenv";
import { describe, expect, it } from "vitest";
import { allStages, buildOk, docker, type RunResult, stages, temporaryRepositories, uniqueName } from "./helpers.js";

// werf v2's import.from, import.stage and dependencies end to end (issue 15): built by the CLI on
// engine A, checked in the images the engine holds.
const environment = requireTestEnvironment();
const onA = { DOCKER_HOST: environment.dockerHostA };
const project = temporaryRepositories();
const build = (directory: string, ...extra: string[]) => buildOk(directory, onA, ...extra);

function stageOf(result: RunResult, image: string, name?: string): { signature: string } {
  const found = allStages(result)
    .filter((stage) => stage.image === image && (name === undefined || stage.name === name))
    .at(-1);
  if (!found) throw new Error(`no stage ${name ?? "(last)"} of ${image} in ${result.stdout}`);
  return found;
}

/** Runs a command in a local stage image of the project. */
function run(projectName: string, signature: string, ...command: string[]): string {
  return docker(
    environment.dockerHostA,
    "run",
    "--rm",
    "--network",
    "none",
    `stages-storage/${projectName}:${signature}`,
    ...command,
  ).trim();
}

// biome-ignore lint/suspicious/noExplicitAny: docker inspect's document
function inspect(image: string): any {
  return JSON.parse(docker(environment.dockerHostA, "image", "inspect", image))[0];
}

async function manifestDigest(repository: string, tag: string): Promise<string> {
  const slash = repository.indexOf("/");
  const response = await fetch(
    `http://${repository.slice(0, slash)}/v2/${repository.slice(slash + 1)}/manifests/${tag}`,
    {
      method: "HEAD",
      headers: {
        accept: "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json",
      },
    },
  );
  expect(response.status).toBe(200);
  return response.headers.get("docker-content-digest") ?? "";
}

describe("import.stage and import.from", () => {
  it(
    "copies from the stage named (not the last one) and from an external image with a tag",
    { timeout: 300_000 },
    async () => {
      const name = uniqueName("imports");
      const directory = project({
        "werf.yaml": `project: ${name}
configVersion: 1
---
image: tools
final: false
from: ${environment.baseImage}
shell:
  install: [echo at-install > /made.txt]
  setup: [echo at-setup > /made.txt]
---
image: app
from: ${environment.baseImage}
import:
- from: tools
  stage: install
  add: /made.txt
  to: /from-install.txt
  after: install
- from: tools
  add: /made.txt
  to: /from-last.txt
  after: install
- from: ${environment.baseImage}
  add: /bin/busybox
  to: /external/busybox
  before: setup
shell:
  setup: [cat /from-install.txt /from-last.txt > /both.txt]
`,
      });
      const built = await build(directory);
      expect(allStages(built).map((stage) => [stage.image, stage.name, stage.action])).toEqual([
        ["tools", "from", "built"],
        ["tools", "install", "built"],
        ["tools", "setup", "built"],
        // The same from stage as tools' (one base, one project).
        ["app", "from", "built"],
        ["app", "importsAfterInstall", "built"],
        ["app", "importsBeforeSetup", "built"],
        ["app", "setup", "built"],
      ]);
      const last = stageOf(built, "app");
      expect(run(name, last.signature, "cat", "/both.txt")).toBe("at-install\nat-setup");
      // The external image's own file, byte for byte.
      expect(run(name, last.signature, "cmp", "/bin/busybox", "/external/busybox")).toBe("");

      // Nothing changed: nothing is built again, the external image's digest is the same.
      const again = await build(directory);
      expect(new Set(allStages(again).map((stage) => stage.action))).toEqual(new Set(["cached"]));
    },
  );

  it("reports a stage: that is no user stage, located", { timeout: 60_000 }, async () => {
    const directory = project({
      "werf.yaml": `project: ${uniqueName("imports")}
configVersion: 1
---
image: tools
from: ${environment.baseImage}
---
image: app
from: ${environment.baseImage}
import:
- from: tools
  stage: gitArchive
  add: /x
  after: install
`,
    });
    const result = await stages(["config", "check"], { cwd: directory, env: onA });
    expect(result.code).toBe(1);
    expect(result.stderr + result.stdout).toContain(
      'werf.yaml:11:10: import.stage must be beforeInstall, install, beforeSetup or setup, not "gitArchive"',
    );
  });
});

describe("dependencies", () => {
  const config = (name: string) => `project: ${name}
configVersion: 1
---
image: dep
final: false
from: ${environment.baseImage}
shell:
  install: [echo dep > /dep.txt]
---
image: app
from: ${environment.baseImage}
dependencies:
- image: dep
  before: setup
  imports:
  - type: ImageName
    targetEnv: DEP_NAME
  - type: ImageRepo
    targetEnv: DEP_REPO
  - type: ImageTag
    targetEnv: DEP_TAG
  - type: ImageID
    targetEnv: DEP_ID
  - type: ImageDigest
    targetEnv: DEP_DIGEST
shell:
  setup: ['echo "$DEP_NAME|$DEP_REPO|$DEP_TAG|$DEP_ID|$DEP_DIGEST" > /deps.txt']
`;

  it(
    "passes the dependency's name, repository, tag, id and digest as env variables, locally and through a REPO",
    { timeout: 300_000 },
    async () => {
      const name = uniqueName("deps");
      const directory = project({ "werf.yaml": config(name) });
      const local = await build(directory);
      expect(allStages(local).map((stage) => [stage.image, stage.name])).toEqual([
        ["dep", "from"],
        ["dep", "install"],
        ["app", "from"],
        ["app", "importsBeforeSetup"],
        ["app", "setup"],
      ]);
      const dep = stageOf(local, "dep").signature;
      const depId = inspect(`stages-storage/${name}:${dep}`).Id;
      const app = stageOf(local, "app").signature;
      // No REPO: the local stage's name; no registry digest (werf's is empty there too).
      expect(run(name, app, "cat", "/deps.txt")).toBe(
        `stages-storage/${name}:${dep}|stages-storage/${name}|${dep}|${depId}|`,
      );
      expect(local.stderr).toContain("DEP_DIGEST");
      // The values are the image's env, as werf sets them.
      expect(inspect(`stages-storage/${name}:${app}`).Config.Env).toContain(`DEP_NAME=stages-storage/${name}:${dep}`);

      const repository = `${environment.registry}/${name}`;
      const remote = await build(directory, "--repo", repository, "--push");
      // The dependency is the same stage; the names differ, so the stage that takes them is another.
      expect(stageOf(remote, "dep").signature).toBe(dep);
      expect(stageOf(remote, "app", "importsBeforeSetup").signature).not.toBe(
        stageOf(local, "app", "importsBeforeSetup").signature,
      );
      const digest = await manifestDigest(repository, `image-stage-${dep}`);
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(run(name, stageOf(remote, "app").signature, "cat", "/deps.txt")).toBe(
        `${repository}:image-stage-${dep}|${repository}|image-stage-${dep}|${depId}|${digest}`,
      );
    },
  );

  it("refuses an ImageDigest whose stage is not in REPO, saying what to do", { timeout: 300_000 }, async () => {
    const name = uniqueName("deps");
    const directory = project({ "werf.yaml": config(name) });
    const result = await stages(["build", "--network", "none", "--repo", `${environment.registry}/${name}`], {
      cwd: directory,
      env: onA,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DEP_DIGEST: the ImageDigest of "dep" needs its last stage in');
    expect(result.stderr).toContain("--push");
  });

  it("reports a dependency on an image that does not exist, located", { timeout: 60_000 }, async () => {
    const directory = project({
      "werf.yaml": `project: ${uniqueName("deps")}
configVersion: 1
---
image: app
from: ${environment.baseImage}
dependencies:
- image: nope
  after: install
`,
    });
    const result = await stages(["config", "check"], { cwd: directory, env: onA });
    expect(result.code).toBe(1);
    expect(result.stderr + result.stdout).toContain('werf.yaml:7:10: dependencies: no image named "nope"');
  });
});
