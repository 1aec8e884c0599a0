import { spawn } from "node:child_process";
import { requireTestEnvironment } from "@stages/testenv";
import { beforeAll, describe, expect, it } from "vitest";
import { actionsOf, binary, docker, makeRepository, stages, uniqueName, writeFile } from "./helpers.js";

// Builds on a real engine from real git content: what is rebuilt after which change, and what a
// failing or interrupted build leaves behind (nothing but the stages finished before it).
const environment = requireTestEnvironment();
const project = uniqueName("build");
const onA = { DOCKER_HOST: environment.dockerHostA };

const config = (setup: string) => `project: ${project}
configVersion: 1
---
artifact: tools
from: ${environment.baseImage}
shell:
  install: [mkdir -p /out && echo tool > /out/tool]
---
image: app
from: ${environment.baseImage}
git:
- add: /src
  to: /app
  owner: app
  stageDependencies:
    install: [deps.txt]
    setup: ["*.conf"]
shell:
  beforeInstall: [mkdir -p /opt]
  install: [cp /app/deps.txt /opt/deps]
  beforeSetup: [echo before-setup > /opt/before-setup]
  setup: [${setup}]
import:
- artifact: tools
  add: /out/tool
  to: /usr/local/bin/tool
  after: install
docker:
  ENV: {MODE: test}
  CMD: ["cat", "/opt/deps"]
`;

describe("building a project on a real engine", () => {
  let directory: string;
  const build = (...args: string[]) =>
    stages(["build", "--json", "--network", "none", ...args], { cwd: directory, env: onA });
  const builtStages = (result: Awaited<ReturnType<typeof build>>, image: string) =>
    Object.entries(actionsOf(result, image))
      .filter(([, action]) => action === "built")
      .map(([name]) => name);
  // This project's containers only: other packages' tests use engine A at the same time.
  const containers = () =>
    docker(
      environment.dockerHostA,
      "ps",
      "-a",
      "--filter",
      `label=io.stages.project=${project}`,
      "--format",
      "{{.Names}}",
    )
      .split("\n")
      .filter(Boolean);

  beforeAll(() => {
    directory = makeRepository({
      "stages.yaml": config("cat /app/app.conf > /opt/conf"),
      "src/deps.txt": "dep 1\n",
      "src/app.conf": "conf 1\n",
      "src/main.txt": "main 1\n",
    });
  });

  it("builds every stage kind, then nothing", async () => {
    const first = await build();
    expect(first.code, first.stderr).toBe(0);
    expect(Object.keys(actionsOf(first, "app"))).toEqual([
      "from",
      "beforeInstall",
      "gitArchive",
      "install",
      "importsAfterInstall",
      "beforeSetup",
      "setup",
      "dockerInstructions",
    ]);
    const second = await build();
    expect(Object.values(actionsOf(second, "app")).every((action) => action === "cached")).toBe(true);
    expect(Object.values(actionsOf(second, "tools")).every((action) => action === "cached")).toBe(true);
  });

  it("rebuilds only gitLatestPatch and what follows after a change outside stageDependencies", async () => {
    writeFile(directory, "src/main.txt", "main 2\n");
    const result = await build("app");
    expect(result.code, result.stderr).toBe(0);
    expect(builtStages(result, "app")).toEqual(["gitLatestPatch", "dockerInstructions"]);
  });

  it("rebuilds a stage whose stageDependencies changed, and what follows it", async () => {
    writeFile(directory, "src/app.conf", "conf 2\n");
    const result = await build("app");
    expect(result.code, result.stderr).toBe(0);
    // setup brought the files up to date first, so no gitLatestPatch is needed after it.
    expect(builtStages(result, "app")).toEqual(["setup", "dockerInstructions"]);
    const last = result.json.images[0].stages.at(-1).signature;
    const image = `stages-storage/${project}:${last}`;
    expect(
      docker(environment.dockerHostA, "run", "--rm", "--network", "none", image, "cat", "/opt/conf", "/app/main.txt"),
    ).toBe("conf 2\nmain 2");

    writeFile(directory, "src/deps.txt", "dep 2\n");
    const again = await build("app");
    expect(builtStages(again, "app")).toEqual([
      "install",
      "importsAfterInstall",
      "beforeSetup",
      "setup",
      "dockerInstructions",
    ]);
  });

  it("leaves no stage tagged and no container behind when a command fails; earlier stages stay", async () => {
    writeFile(directory, "stages.yaml", config("echo failing on purpose; exit 7"));
    const before = containers();
    const failed = await build("app");
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/setup/);
    expect(failed.stderr).toMatch(/7/);
    expect(failed.stderr).toContain("failing on purpose");
    expect(failed.json.error.code).toBe("STAGE_BUILD_FAILED");
    expect(containers()).toEqual(before);
    const plan = await stages(["plan", "app", "--json"], { cwd: directory, env: onA });
    const setup = plan.json.images[0].stages.find((stage: { name: string }) => stage.name === "setup");
    expect(setup.local).toBe(false);
    expect(plan.json.images[0].stages.find((stage: { name: string }) => stage.name === "beforeSetup").local).toBe(true);
  });

  it("stops on Ctrl-C with exit code 130, leaving no stage and no container; a re-run continues", async () => {
    writeFile(directory, "stages.yaml", config("sleep 30"));
    const before = containers();
    const child = spawn(process.execPath, [binary, "build", "app", "--network", "none"], {
      cwd: directory,
      env: { ...process.env, ...onA, CI: "true", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
        if (/setup\s+\S+\s+building/.test(stderr)) setTimeout(() => child.kill("SIGINT"), 500);
      });
      child.on("close", resolve);
    });
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("interrupted");
    expect(containers()).toEqual(before);
    writeFile(directory, "stages.yaml", config("cat /app/app.conf > /opt/conf"));
    const rerun = await build("app");
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(actionsOf(rerun, "app").beforeSetup).toBe("cached");
  });
});
