import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { engineKey, formatDockerEndpoint, resolveDockerEndpoint } from "@stages/docker";
import { requireTestEnvironment } from "@stages/testenv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionsOf as actionsOfImage, allStages, docker, makeRepository, stages, uniqueName } from "./helpers.js";

// Host cleanup and host purge on a real engine: a container's stage, a stage a running command
// holds, and the stages they are built on stay; the rest goes only when not a dry run.
const environment = requireTestEnvironment();
const project = uniqueName("hostclean");
// Made in beforeAll: a file whose tests a filter skips leaves nothing behind.
let state: string;
let env: Record<string, string>;
const container = `${project}-user`;

const config = `project: ${project}
configVersion: 1
---
image: alpha
from: ${environment.baseImage}
shell:
  install: [echo alpha > /alpha]
---
image: beta
from: ${environment.baseImage}
shell:
  install: [echo beta > /beta]
---
image: gamma
from: ${environment.baseImage}
shell:
  install: [echo gamma > /gamma]
  setup: [echo gamma > /gamma-setup]
`;

/** Removes every image of a project; a parent refuses while a child exists, so it takes passes. */
function removeProjectImages(name: string): void {
  for (let pass = 0; pass < 5; pass++) {
    const images = docker(environment.dockerHostA, "images", "-q", "--filter", `label=io.stages.project=${name}`);
    const ids = [...new Set(images.split("\n").filter(Boolean))];
    if (ids.length === 0) return;
    for (const id of ids) {
      try {
        docker(environment.dockerHostA, "rmi", "-f", id);
      } catch {
        // A parent of an image still there: the next pass.
      }
    }
  }
}

const stageTag = (signature: string) => `stages-storage/${project}:${signature}`;
const exists = (signature: string): boolean => {
  try {
    docker(environment.dockerHostA, "image", "inspect", "--format", "{{.Id}}", stageTag(signature));
    return true;
  } catch {
    return false;
  }
};

describe("host cleanup and host purge on a real engine", () => {
  let directory: string;
  let holder: ChildProcess;
  let signatures: { image: string | null; name: string; signature: string }[];
  const signatureOf = (image: string, name: string) =>
    signatures.find((stage) => stage.image === image && stage.name === name)?.signature as string;
  const run = (...args: string[]) => stages([...args, "--json"], { cwd: directory, env });
  const outcome = (result: Awaited<ReturnType<typeof run>>) =>
    Object.fromEntries(
      (result.json.stages as { signature: string; action: string; reason: string }[]).map((stage) => [
        stage.signature,
        `${stage.action} ${stage.reason}`,
      ]),
    );

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), "stages-state-"));
    env = { DOCKER_HOST: environment.dockerHostA, STAGES_STATE_DIR: state };
    directory = makeRepository({ "stages.yaml": config });
    const built = await stages(["build", "--json", "--network", "none"], { cwd: directory, env });
    expect(built.code, built.stderr).toBe(0);
    signatures = allStages(built);
    // A container (never started) of alpha's last stage.
    docker(environment.dockerHostA, "create", "--name", container, stageTag(signatureOf("alpha", "install")), "true");
    // A running command of this host holds beta's last stage: a live process with a hold file.
    holder = spawn("sleep", ["300"], { stdio: "ignore" });
    const owner = `${hostname()}:${holder.pid}:${Date.now()}`;
    const endpoint = formatDockerEndpoint(resolveDockerEndpoint({ host: environment.dockerHostA }));
    mkdirSync(join(state, "holds"), { recursive: true });
    writeFileSync(
      join(state, "holds", `${owner.replace(/[^A-Za-z0-9._-]/g, "-")}.json`),
      JSON.stringify({ owner, scopes: { [`${engineKey(endpoint)}/${project}`]: [signatureOf("beta", "install")] } }),
    );
  }, 240_000);

  afterAll(() => {
    holder?.kill();
    try {
      docker(environment.dockerHostA, "rm", "-f", container);
    } catch {
      // Not made (an earlier failure).
    }
    removeProjectImages(project);
    if (state) rmSync(state, { recursive: true, force: true });
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it("with the default threshold and window keeps everything just built, and measures the engine's data root", async () => {
    // A use journaled later than the stage's creation and tagging is its last use.
    const endpoint = formatDockerEndpoint(resolveDockerEndpoint({ host: environment.dockerHostA }));
    const used = new Date(Date.now() + 60_000).toISOString();
    mkdirSync(join(state, "journal", engineKey(endpoint)), { recursive: true });
    appendFileSync(
      join(state, "journal", engineKey(endpoint), `${project}.log`),
      `${used} ${signatureOf("gamma", "setup")}\n`,
    );
    const result = await run("host", "cleanup");
    expect(result.code, result.stderr).toBe(0);
    expect(result.json.removed).toBe(0);
    expect(result.json.allowedVolumeUsage).toBe(70);
    expect(result.json.margin).toBe(5);
    expect(result.json.keepBuiltWithinHours).toBe(2);
    const root = docker(environment.dockerHostA, "info", "--format", "{{.DockerRootDir}}");
    expect(result.json.usageBefore.path).toBe(root);
    expect(result.json.usageBefore.totalBytes).toBeGreaterThan(0);
    expect(result.json.usageBefore.usedPercent).toBeGreaterThan(0);
    expect(result.json.stages).toHaveLength(new Set(signatures.map((stage) => stage.signature)).size);
    for (const stage of result.json.stages) expect(stage.action).toBe("kept");
    const gamma = result.json.stages.find(
      (stage: { signature: string }) => stage.signature === signatureOf("gamma", "setup"),
    );
    expect(gamma.lastUsedAt).toBe(used);
  });

  it("a dry run at 0 % reports what would go and removes nothing", async () => {
    const result = await run("host", "cleanup", "--allowed-volume-usage", "0", "--keep-built-within", "0", "--dry-run");
    expect(result.code, result.stderr).toBe(0);
    const fates = outcome(result);
    expect(fates[signatureOf("gamma", "setup")]).toBe("would-remove least-recently-used");
    expect(fates[signatureOf("gamma", "install")]).toBe("would-remove least-recently-used");
    expect(fates[signatureOf("alpha", "install")]).toBe("kept container");
    expect(result.json.usageAfter).toBeNull();
    for (const stage of signatures) expect(exists(stage.signature), stage.name).toBe(true);
  });

  it("at 0 % removes only unprotected stages, and says why each other one stays", async () => {
    const result = await run("host", "cleanup", "--allowed-volume-usage", "0", "--keep-built-within", "0");
    expect(result.code, result.stderr).toBe(0);
    const fates = outcome(result);
    const from = signatureOf("alpha", "from");
    // Every image starts from the same base: one shared `from` stage, under the kept stages.
    expect(signatureOf("beta", "from")).toBe(from);
    expect(fates).toEqual({
      [signatureOf("gamma", "setup")]: "removed least-recently-used",
      [signatureOf("gamma", "install")]: "removed least-recently-used",
      [signatureOf("alpha", "install")]: "kept container",
      [signatureOf("beta", "install")]: "kept held",
      [from]: "kept parent-of-kept",
    });
    const alpha = result.json.stages.find(
      (stage: { signature: string }) => stage.signature === signatureOf("alpha", "install"),
    );
    expect(alpha.containers).toEqual([container]);
    const beta = result.json.stages.find(
      (stage: { signature: string }) => stage.signature === signatureOf("beta", "install"),
    );
    expect(beta.heldBy).toEqual([`${hostname()} pid ${holder.pid}`]);
    expect(exists(signatureOf("gamma", "setup"))).toBe(false);
    expect(exists(signatureOf("gamma", "install"))).toBe(false);
    expect(exists(signatureOf("alpha", "install"))).toBe(true);
    expect(exists(signatureOf("beta", "install"))).toBe(true);
    expect(exists(from)).toBe(true);
    expect(result.json.usageAfter.totalBytes).toBe(result.json.usageBefore.totalBytes);
    expect(result.json.leftovers).toEqual({ containers: [], images: [], volumes: [] });
  });

  it("the table names each stage's fate and the usage before and after", async () => {
    const result = await stages(["host", "cleanup", "--allowed-volume-usage", "0", "--keep-built-within", "0"], {
      cwd: directory,
      env,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("usage before: ");
    expect(result.stdout).toContain("usage after: ");
    expect(result.stdout).toContain(`(containers: ${container})`);
    expect(result.stdout).toMatch(/a running stages command holds it .*held by: /);
  });

  it("host purge removes the rest but the container's stage once the holder is gone", async () => {
    holder.kill();
    await new Promise((resolve) => holder.once("exit", resolve));
    const dry = await run("host", "purge", "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(outcome(dry)[signatureOf("beta", "install")]).toBe("would-remove purge");
    expect(exists(signatureOf("beta", "install"))).toBe(true);

    const result = await run("host", "purge");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("warning: 2 stages are in use and kept");
    expect(outcome(result)).toEqual({
      [signatureOf("beta", "install")]: "removed purge",
      [signatureOf("alpha", "install")]: "kept container",
      [signatureOf("alpha", "from")]: "kept parent-of-kept",
    });
    expect(exists(signatureOf("beta", "install"))).toBe(false);
    expect(exists(signatureOf("alpha", "install"))).toBe(true);
    // The dead holder's file is gone.
    expect(readdirSync(join(state, "holds")).filter((name) => name.includes(String(holder.pid)))).toEqual([]);
  });

  it.each([
    ["--allowed-volume-usage", "120"],
    ["--allowed-volume-usage", "-1"],
    ["--allowed-volume-usage-margin", "x"],
    ["--keep-built-within", "-2"],
  ])("%s %s is a usage error", async (option, value) => {
    const result = await stages(["host", "cleanup", option, value], { cwd: directory, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(option);
  });

  it("refuses to guess the usage of a remote engine", async () => {
    const result = await stages(["host", "cleanup", "--json"], {
      cwd: directory,
      env: { ...env, DOCKER_HOST: "tcp://127.0.0.1:9" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot measure the storage of a remote engine");
    expect(result.json.error.code).toBe("USAGE");
  });
});

describe("host cleanup while a build runs", () => {
  const busyProject = uniqueName("hostbusy");
  let busyState: string;
  let busyEnv: Record<string, string>;
  const busyConfig = (setup: string) => `project: ${busyProject}
configVersion: 1
---
image: app
from: ${environment.baseImage}
shell:
  install: [echo install > /install]
  setup: [${setup}]
`;
  let busyDirectory: string;
  let running: ReturnType<typeof stages> | undefined;
  const busyExists = (signature: string): boolean => {
    try {
      docker(environment.dockerHostA, "image", "inspect", `stages-storage/${busyProject}:${signature}`);
      return true;
    } catch {
      return false;
    }
  };
  const holdFiles = () => {
    try {
      return readdirSync(join(busyState, "holds")).filter((name) => name.endsWith(".json"));
    } catch {
      return [];
    }
  };

  afterAll(async () => {
    // A build this test started ends before its images are removed.
    await running?.catch(() => {});
    removeProjectImages(busyProject);
    if (busyState) rmSync(busyState, { recursive: true, force: true });
    if (busyDirectory) rmSync(busyDirectory, { recursive: true, force: true });
  });

  it("keeps every stage the running build uses, removes the one it no longer needs, and the hold goes with the build", async () => {
    busyState = mkdtempSync(join(tmpdir(), "stages-state-"));
    busyEnv = { DOCKER_HOST: environment.dockerHostA, STAGES_STATE_DIR: busyState };
    busyDirectory = makeRepository({ "stages.yaml": busyConfig("echo one > /setup") });
    const first = await stages(["build", "--json", "--network", "none"], { cwd: busyDirectory, env: busyEnv });
    expect(first.code, first.stderr).toBe(0);
    const before = Object.fromEntries(allStages(first).map((stage) => [stage.name, stage.signature]));
    expect(holdFiles()).toEqual([]);

    writeFileSync(join(busyDirectory, "stages.yaml"), busyConfig("sleep 8 && echo two > /setup"));
    running = stages(["build", "--json", "--network", "none"], { cwd: busyDirectory, env: busyEnv });
    const deadline = Date.now() + 30_000;
    while (holdFiles().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(holdFiles()).toHaveLength(1);

    const during = await stages(
      ["host", "cleanup", "--allowed-volume-usage", "0", "--keep-built-within", "0", "--json"],
      { cwd: busyDirectory, env: busyEnv },
    );
    expect(during.code, during.stderr).toBe(0);
    const fate = (signature: string | undefined) => {
      const stage = (
        during.json.stages as { signature: string; action: string; reason: string; heldBy: string[] }[]
      ).find((candidate) => candidate.signature === signature);
      return stage && { ...stage, heldBy: stage.heldBy.map((holder) => holder.replace(/\d+$/, "N")) };
    };
    expect(during.json.stages).toHaveLength(3);
    expect(fate(before.from)).toMatchObject({ action: "kept", reason: "held", heldBy: [`${hostname()} pid N`] });
    // The build's container runs on install (once setup started): held, and used by a container too.
    expect(fate(before.install)).toMatchObject({ action: "kept", heldBy: [`${hostname()} pid N`] });
    expect(["held", "container"]).toContain(fate(before.install)?.reason);
    expect(fate(before.setup)).toMatchObject({ action: "removed", reason: "least-recently-used", heldBy: [] });

    const second = await running;
    expect(second.code, second.stderr).toBe(0);
    const after = Object.fromEntries(allStages(second).map((stage) => [stage.name, stage.signature]));
    expect(actionsOfImage(second, "app")).toEqual({ from: "cached", install: "cached", setup: "built" });
    expect(after.install).toBe(before.install);
    expect(busyExists(after.setup as string)).toBe(true);
    // The build's hold went with it: now nothing protects its stages.
    expect(holdFiles()).toEqual([]);
    const idle = await stages(
      ["host", "cleanup", "--allowed-volume-usage", "0", "--keep-built-within", "0", "--json"],
      { cwd: busyDirectory, env: busyEnv },
    );
    expect(idle.code, idle.stderr).toBe(0);
    expect(idle.json.removed).toBe(3);
    for (const signature of Object.values(after)) expect(busyExists(signature)).toBe(false);
  });
});
