import { spawn } from "node:child_process";
import { createRegistryClient } from "@stages/registry";
import { requireTestEnvironment } from "@stages/testenv";
import { afterAll, describe, expect, it } from "vitest";
import {
  allStages,
  binary,
  docker,
  git,
  makeRepository,
  type RunResult,
  stages,
  uniqueName,
  writeFile,
} from "./helpers.js";

// Many build hosts at once (issue 13): engines A and B build the same project into one REPO at
// the same moment, with and without the Redis lock, a lock holder dies, a stage tag vanishes.
const environment = requireTestEnvironment();
const onA = { DOCKER_HOST: environment.dockerHostA };
const onB = { DOCKER_HOST: environment.dockerHostB };
const registry = createRegistryClient();
const cleanups: (() => void)[] = [];

afterAll(() => {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // best effort: the engines are shared
    }
  }
});

/** Each shell stage echoes `marker-<stage>-<project>`, so its output tells which host ran it. */
const config = (project: string, install = "cp /app/deps.txt /deps") => `project: ${project}
configVersion: 1
---
image: app
from: ${environment.baseImage}
git:
- add: /src
  to: /app
  stageDependencies:
    install: [deps.txt]
shell:
  beforeInstall: [echo marker-beforeInstall-${project}]
  install: [echo marker-install-${project}, "${install}"]
  setup: [echo marker-setup-${project}]
docker:
  CMD: ["cat", "/deps"]
`;

/** A project on both hosts (one work tree: same content, same signatures), removed from both at the end. */
function newProject(prefix: string, install?: string) {
  const project = uniqueName(prefix);
  const directory = makeRepository({ "stages.yaml": config(project, install), "src/deps.txt": "deps 0\n" });
  const repository = `${environment.registry}/${uniqueName(`${prefix}-repo`)}`;
  cleanups.push(() => {
    for (const host of [environment.dockerHostA, environment.dockerHostB]) emptyHost(host, project);
  });
  return { project, directory, repository };
}

function emptyHost(host: string, project: string): void {
  const images = docker(host, "images", `stages-storage/${project}`, "--format", "{{.Repository}}:{{.Tag}}")
    .split("\n")
    .filter(Boolean);
  if (images.length > 0) docker(host, "rmi", "--force", ...images);
}

function commit(directory: string, path: string, content: string): void {
  writeFile(directory, path, content);
  git(directory, "-c", "user.email=e2e@stages.invalid", "-c", "user.name=e2e", "commit", "-q", "-am", path);
}

const build = (directory: string, env: Record<string, string>, ...args: string[]) =>
  stages(["build", "--json", "--network", "none", ...args], { cwd: directory, env });

/** Signature → action of every stage of a result. */
const actions = (result: RunResult) => new Map(allStages(result).map((stage) => [stage.signature, stage.action]));

/** Every `image-stage-*` tag of REPO is a whole image: its manifest, config and every layer are there. */
async function expectCompleteStageTags(repository: string, signatures: readonly string[]): Promise<void> {
  const name = repository.slice(repository.indexOf("/") + 1);
  const tags = (await registry.listTags(repository)).filter((tag) => tag.startsWith("image-stage-"));
  expect(tags.sort()).toEqual(expect.arrayContaining(signatures.map((signature) => `image-stage-${signature}`)));
  for (const tag of tags) {
    const found = await registry.getImageManifest(`${repository}:${tag}`);
    expect(found, tag).not.toBeNull();
    const manifest = found!.manifest as { config: { digest: string }; layers: { digest: string }[] };
    for (const blob of [manifest.config, ...manifest.layers]) {
      expect(
        await registry.headBlob(`${environment.registry}/${name}`, blob.digest),
        `${tag} ${blob.digest}`,
      ).not.toBeNull();
    }
  }
}

describe("two hosts building one project into one REPO", () => {
  it("without a lock: both succeed, agree, and REPO holds complete stages", { timeout: 240_000 }, async () => {
    const { project, directory, repository } = newProject("dist");
    let last: string[] = [];
    for (let round = 1; round <= 3; round++) {
      commit(directory, "src/deps.txt", `deps ${round}\n`);
      const [a, b] = await Promise.all([
        build(directory, onA, "--repo", repository, "--push"),
        build(directory, onB, "--repo", repository, "--push"),
      ]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const signatures = allStages(a).map((stage) => stage.signature);
      expect(allStages(b).map((stage) => stage.signature)).toEqual(signatures);
      await expectCompleteStageTags(repository, signatures);
      last = signatures;
    }
    // A host without any of the project's stages builds nothing: REPO has them all.
    emptyHost(environment.dockerHostA, project);
    const fresh = await build(directory, onA, "--repo", repository);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(allStages(fresh).map((stage) => stage.signature)).toEqual(last);
    expect([...actions(fresh).values()].filter((action) => action === "built")).toEqual([]);
    expect(docker(environment.dockerHostA, "run", "--rm", `stages-storage/${project}:${last.at(-1)}`)).toBe("deps 3");
  });

  it("with --lock: each stage is built by one host only", { timeout: 180_000 }, async () => {
    const { project, directory, repository } = newProject("lock");
    const lock = ["--repo", repository, "--push", "--lock", environment.redisUrl];
    const [a, b] = await Promise.all([build(directory, onA, ...lock), build(directory, onB, ...lock)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const onHostA = actions(a);
    const onHostB = actions(b);
    expect([...onHostB.keys()]).toEqual([...onHostA.keys()]);
    for (const [signature, action] of onHostA) {
      const both = [action, onHostB.get(signature)];
      // Built on exactly one host; the other pulled it (or found it local).
      expect(
        both.filter((taken) => taken === "built"),
        `${allStages(a).find((stage) => stage.signature === signature)?.name} ${signature}: ${both.join(", ")}\n${a.stderr}\n${b.stderr}`,
      ).toHaveLength(1);
    }
    // Each command ran once in total: its echo is in one host's build output only.
    for (const stage of ["beforeInstall", "install", "setup"]) {
      const marker = new RegExp(`\\| marker-${stage}-${project}$`, "m");
      expect(
        [a.stderr, b.stderr].filter((stderr) => marker.test(stderr)),
        stage,
      ).toHaveLength(1);
    }
    await expectCompleteStageTags(repository, [...onHostA.keys()]);
  });

  it("with --lock: a killed holder's stage is taken over once its TTL ends", { timeout: 120_000 }, async () => {
    const { project, directory, repository } = newProject("kill", "sleep 5");
    const env = { STAGES_LOCK_TTL_MS: "3000" };
    const args = [
      "build",
      "--json",
      "--network",
      "none",
      "--repo",
      repository,
      "--push",
      "--lock",
      environment.redisUrl,
    ];
    // Host A takes the install stage's lock and is killed in the middle of its `sleep 5`.
    const holder = spawn(process.execPath, [binary, ...args], {
      cwd: directory,
      env: { ...process.env, CI: "true", NO_COLOR: "1", ...onA, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let holderOutput = "";
    await new Promise<void>((resolve, reject) => {
      holder.stderr.on("data", (chunk) => {
        holderOutput += chunk;
        if (/\] install\s+[0-9a-f]{12}\s+building/.test(holderOutput)) resolve();
      });
      holder.on("close", () => reject(new Error(`host A ended before its install stage:\n${holderOutput}`)));
    });
    // B starts while A holds the lock, then A dies without releasing it.
    let markerSeen = 0;
    const taker = stages(args, {
      cwd: directory,
      env: { ...onB, ...env },
      onStderr: (stderr) => {
        if (!markerSeen && /\| marker-install-/.test(stderr)) markerSeen = Date.now();
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    holder.kill("SIGKILL");
    const killed = Date.now();
    const b = await taker;
    expect(b.code, b.stderr).toBe(0);
    // The killed run's build container stays on A: remove it, as A's next build of the project would.
    cleanups.push(() => {
      const left = docker(environment.dockerHostA, "ps", "-aq", "--filter", `label=io.stages.project=${project}`);
      if (left) docker(environment.dockerHostA, "rm", "--force", ...left.split("\n"));
    });
    expect(b.stderr).not.toMatch(/without the lock/);
    const install = allStages(b).find((stage) => stage.name === "install");
    expect(install?.action).toBe("built");
    // B ran install's commands only once A's lock expired (A renewed it at most a third of the TTL
    // before the kill): it waited for the lock, and not for ever.
    expect(markerSeen - killed, b.stderr).toBeGreaterThanOrEqual(1800);
    expect(holderOutput).not.toMatch(/\] install\s+[0-9a-f]{12}\s+built/);
    await expectCompleteStageTags(
      repository,
      allStages(b).map((stage) => stage.signature),
    );
  });

  it("a stage tag deleted from REPO after a plan is rebuilt by the build", { timeout: 120_000 }, async () => {
    const { directory, repository } = newProject("vanish");
    const pushed = await build(directory, onA, "--repo", repository, "--push");
    expect(pushed.code, pushed.stderr).toBe(0);
    const plan = await stages(["plan", "--json", "--repo", repository], { cwd: directory, env: onB });
    expect(plan.code, plan.stderr).toBe(0);
    const planned = plan.json.images[0].stages as { signature: string; build: string; remote: boolean }[];
    const last = planned.at(-1)!;
    expect([last.build, last.remote]).toEqual(["pulled", true]);
    // Cleanup removes the stage B's plan would pull: by digest, as the registry API does.
    expect(await registry.deleteManifest(`${repository}:image-stage-${last.signature}`)).toBe(true);
    const rebuilt = await build(directory, onB, "--repo", repository, "--push");
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(actions(rebuilt).get(last.signature)).toBe("built");
    await expectCompleteStageTags(repository, [last.signature]);
  });

  it(
    "says once that Redis is unreachable, builds without the lock, and never shows its password",
    { timeout: 60_000 },
    async () => {
      const { directory, repository } = newProject("nolock");
      // Nothing listens on this port (the range of this suite's own servers; none is started).
      const url = "redis://stages:lock-pass-9f3e@127.0.0.1:5849/0";
      const result = await build(directory, { ...onA, STAGES_LOCK: url }, "--repo", repository, "--push");
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr.match(/without the lock/g), result.stderr).toHaveLength(1);
      expect(result.stderr).toContain("127.0.0.1:5849");
      expect(allStages(result).every((stage) => stage.action === "built")).toBe(true);
      expect(`${result.stdout}${result.stderr}`).not.toContain("lock-pass-9f3e");
      // An empty STAGES_LOCK is no lock: nothing to say.
      const again = await build(directory, { ...onA, STAGES_LOCK: "" }, "--repo", repository, "--push");
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toMatch(/lock/i);
    },
  );

  it("refuses --push without --repo, and a lock URL it cannot read, without its password", async () => {
    const { directory } = newProject("usage");
    const push = await build(directory, onA, "--push");
    expect(push.code).toBe(2);
    expect(push.stderr).toMatch(/--push needs --repo/);
    expect(push.stderr).toMatch(/hint: add --repo REPO/);
    const bad = await build(directory, onA, "--lock", "redis://:bad-pass-77aa@127.0.0.1:notaport");
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.json.error.message).toMatch(/redis:\/\//);
    expect(`${bad.stdout}${bad.stderr}`).not.toContain("bad-pass-77aa");
  });

  it("build-and-publish pushes each stage as it is built, so every final name is a registry-side copy", async () => {
    const { directory, repository } = newProject("bap");
    const result = await stages(
      ["build-and-publish", "--json", "--network", "none", repository, "--tag-custom", "v1"],
      {
        cwd: directory,
        env: onA,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const stagesOfApp = result.json.images[0].stages as { action: string; pushed: boolean }[];
    expect(stagesOfApp.map((stage) => [stage.action, stage.pushed])).toEqual(stagesOfApp.map(() => ["built", true]));
    expect(result.json.images[0].tags.map((tag: { method: string }) => tag.method)).toEqual(["registry-copy"]);
  });
});
