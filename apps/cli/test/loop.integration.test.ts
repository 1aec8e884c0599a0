import { requireTestEnvironment } from "@stages/testenv";
import { beforeAll, describe, expect, it } from "vitest";
import { actionsOf, allStages, docker, git, makeRepository, stages, uniqueName, writeFile } from "./helpers.js";
import { temporaryDirectory } from "./temporary.js";

// The whole loop of the first milestone, through the CLI binary, on two real engines (hosts A
// and B) sharing one real registry.
const environment = requireTestEnvironment();
const project = uniqueName("e2e");
const repo = `${environment.registry}/${project}`;

const config = `project: ${project}
configVersion: 1
---
artifact: tools
from: ${environment.baseImage}
shell:
  install:
  - mkdir -p /out && echo 'echo tool says hi' > /out/tool.sh
---
image: app
from: ${environment.baseImage}
git:
- add: /
  to: /app
  owner: app
  group: app
  includePaths: [src, deps.txt]
  stageDependencies:
    install: [deps.txt]
shell:
  beforeInstall: [mkdir -p /opt/app]
  install: [cp /app/deps.txt /opt/app/installed.txt]
  setup: [cat /app/src/*.txt > /opt/app/built.txt]
import:
- artifact: tools
  add: /out
  to: /opt/tools
  after: setup
docker:
  ENV: {APP_MODE: production}
  WORKDIR: /app
  CMD: ["/bin/sh", "-c", "cat /opt/app/built.txt && sh /opt/tools/tool.sh"]
---
image: [web, worker]
from: ${environment.baseImage}
shell:
  install: [echo shared > /shared.txt]
docker:
  CMD: ["cat", "/shared.txt"]
`;

describe("the loop across two build hosts", () => {
  let directory: string;
  const onA = { DOCKER_HOST: environment.dockerHostA };
  const onB = { DOCKER_HOST: environment.dockerHostB };
  // Only the commands that build take --network.
  const run = (args: string[], env: Record<string, string>) =>
    stages([...args, "--json", ...(args[0] === "build" ? ["--network", "none"] : [])], { cwd: directory, env });
  const localStages = async (env: Record<string, string>) =>
    (await stages(["list", "--json"], { cwd: directory, env })).json.stages as { signature: string }[];

  beforeAll(() => {
    directory = makeRepository({
      "stages.yaml": config,
      "deps.txt": "left-pad 1.0\n",
      "src/a.txt": "hello from a\n",
      "src/b.txt": "hello from b\n",
      "notes.md": "not in the image\n",
    });
  });

  it("1. builds every stage on A, then reports every stage cached", async () => {
    const first = await run(["build"], onA);
    expect(first.code, first.stderr).toBe(0);
    expect(allStages(first).every((stage) => stage.action === "built" || stage.action === "cached")).toBe(true);
    expect(Object.values(actionsOf(first, "app")).every((action) => action === "built" || action === "cached")).toBe(
      true,
    );
    expect(actionsOf(first, "app").dockerInstructions).toBe("built");
    const second = await run(["build"], onA);
    expect(second.code, second.stderr).toBe(0);
    expect(allStages(second).every((stage) => stage.action === "cached")).toBe(true);
  });

  it("2. pushes every stage from A, then skips every stage", async () => {
    const first = await run(["push", repo], onA);
    expect(first.code, first.stderr).toBe(0);
    expect(allStages(first).every((stage) => stage.action === "pushed")).toBe(true);
    const second = await run(["push", repo], onA);
    expect(second.code, second.stderr).toBe(0);
    expect(allStages(second).every((stage) => stage.action === "skipped")).toBe(true);
  });

  it("3. pulls exactly the last stage of each image on B, a shared stage once; --all brings every stage", async () => {
    const pulled = await run(["pull", repo], onB);
    expect(pulled.code, pulled.stderr).toBe(0);
    for (const image of ["app", "web", "worker", "tools"]) {
      const actions = Object.values(actionsOf(pulled, image));
      expect(actions.at(-1)).toBe("pulled");
      expect(actions.filter((action) => action === "pulled")).toHaveLength(1);
    }
    const lastSignatures = new Set(
      allStages(pulled)
        .filter((stage) => stage.action === "pulled")
        .map((stage) => stage.signature),
    );
    expect(lastSignatures.size).toBe(3); // app, tools, and one stage shared by web and worker
    expect(pulled.stderr.match(/ pulling$/gm)).toHaveLength(3);
    expect((await localStages(onB)).map((stage) => stage.signature).sort()).toEqual([...lastSignatures].sort());

    const all = await run(["pull", "app", repo, "--all"], onB);
    expect(all.code, all.stderr).toBe(0);
    const appStages = allStages(all);
    expect(appStages.filter((stage) => stage.action === "local").map((stage) => stage.name)).toEqual([
      "dockerInstructions",
    ]);
    const local = new Set((await localStages(onB)).map((stage) => stage.signature));
    for (const stage of appStages) expect(local.has(stage.signature)).toBe(true);
  });

  it("4. builds nothing on B after the pull; build --repo on an emptied B pulls only the last stage", async () => {
    const built = await run(["build"], onB);
    expect(built.code, built.stderr).toBe(0);
    expect(allStages(built).every((stage) => stage.action === "cached")).toBe(true);

    for (const stage of await localStages(onB))
      docker(environment.dockerHostB, "rmi", `stages-storage/${project}:${stage.signature}`);
    expect(await localStages(onB)).toHaveLength(0);
    const fresh = await run(["build", "--repo", repo], onB);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(allStages(fresh).some((stage) => stage.action === "built")).toBe(false);
    for (const image of ["app", "web", "worker", "tools"]) {
      const actions = Object.values(actionsOf(fresh, image));
      expect(actions.at(-1)).toBe("pulled");
      expect(actions.slice(0, -1).every((action) => action === "cached")).toBe(true);
    }
  });

  it("5. a source change outside stageDependencies, built and pushed on A, reaches B as one new stage", async () => {
    writeFile(directory, "src/b.txt", "hello from b, changed\n");
    const built = await run(["build", "app"], onA);
    expect(built.code, built.stderr).toBe(0);
    const actions = actionsOf(built, "app");
    expect(
      Object.entries(actions)
        .filter(([, action]) => action === "built")
        .map(([name]) => name),
    ).toEqual(["gitLatestPatch", "dockerInstructions"]);
    expect((await run(["push", "app", repo], onA)).code).toBe(0);
    const pulled = await run(["pull", "app", repo], onB);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(
      Object.entries(actionsOf(pulled, "app"))
        .filter(([, action]) => action === "pulled")
        .map(([name]) => name),
    ).toEqual(["dockerInstructions"]);
  });

  it("5. a fresh clone on B that deletes a file patches from A's content: the file is gone", async () => {
    const clone = temporaryDirectory("stages-e2e-clone-");
    git(clone, "clone", "-q", directory, ".");
    git(clone, "-c", "user.email=e2e@stages.invalid", "-c", "user.name=e2e", "rm", "-q", "src/a.txt");
    git(clone, "-c", "user.email=e2e@stages.invalid", "-c", "user.name=e2e", "commit", "-q", "-m", "drop a");
    const built = await stages(["build", "app", "--repo", repo, "--json", "--network", "none"], {
      cwd: clone,
      env: onB,
    });
    expect(built.code, built.stderr).toBe(0);
    expect(actionsOf(built, "app").gitLatestPatch).toBe("built");
    // B's content cache is empty: A's content was found in the clone's history, so nothing was guessed.
    expect(built.stderr).not.toContain("unknown on this host");
    const last = built.json.images[0].stages.at(-1).signature;
    const files = docker(
      environment.dockerHostB,
      "run",
      "--rm",
      "--network",
      "none",
      `stages-storage/${project}:${last}`,
      "ls",
      "/app/src",
    );
    expect(files.split(/\s+/)).toEqual(["b.txt"]);
  });

  it("6. publishes by registry-side copy, and B runs the published image", async () => {
    const published = await run(["publish", "app", repo, "--tag-custom", "v1"], onA);
    expect(published.code, published.stderr).toBe(0);
    const app = published.json.images.find((image: { name: string }) => image.name === "app");
    expect(app.tags).toEqual([expect.objectContaining({ reference: `${repo}/app:v1`, method: "registry-copy" })]);
    docker(environment.dockerHostB, "pull", `${repo}/app:v1`);
    const output = docker(environment.dockerHostB, "run", "--rm", "--network", "none", `${repo}/app:v1`);
    // setup compiled src/ before the change (src is not among its stageDependencies); the source
    // itself is up to date through gitLatestPatch.
    expect(output).toBe("hello from a\nhello from b\ntool says hi");
    expect(
      docker(environment.dockerHostB, "run", "--rm", "--network", "none", `${repo}/app:v1`, "cat", "/app/src/b.txt"),
    ).toBe("hello from b, changed");
    const owner = docker(
      environment.dockerHostB,
      "run",
      "--rm",
      "--network",
      "none",
      `${repo}/app:v1`,
      "stat",
      "-c",
      "%U:%G",
      "/app/src/a.txt",
    );
    expect(owner).toBe("app:app");
    expect(
      docker(environment.dockerHostB, "run", "--rm", "--network", "none", `${repo}/app:v1`, "ls", "/app"),
    ).not.toContain("notes.md");
    const slugged = await run(["publish", "web", repo, "--tag-custom", "Feature/Login"], onA);
    expect(slugged.code, slugged.stderr).toBe(0);
    expect(slugged.stderr).toContain('publishing it as "feature-login"');
  });

  it("6. build-and-publish on B builds nothing and publishes by copy, also under each last stage's signature", async () => {
    const result = await run(
      ["build-and-publish", "web", "worker", repo, "--tag-custom", "v2", "--tag-by-signature"],
      onB,
    );
    expect(result.code, result.stderr).toBe(0);
    for (const image of ["web", "worker"]) {
      expect(Object.values(actionsOf(result, image)).every((action) => action === "cached")).toBe(true);
      const entry = result.json.images.find((candidate: { name: string }) => candidate.name === image);
      const last = entry.stages.at(-1).signature;
      expect(entry.tags.map((tag: { reference: string; method: string }) => [tag.reference, tag.method])).toEqual([
        [`${repo}/${image}:v2`, "registry-copy"],
        [`${repo}/${image}:${last}`, "registry-copy"],
      ]);
    }
    docker(environment.dockerHostA, "pull", `${repo}/worker:v2`);
    expect(docker(environment.dockerHostA, "run", "--rm", "--network", "none", `${repo}/worker:v2`)).toBe("shared");
  });

  it("7. a broken stages.yaml exits 1 with file:line:col and changes nothing", async () => {
    const before = (await localStages(onA)).length;
    writeFile(
      directory,
      "broken/stages.yaml",
      `project: ${project}\nconfigVersion: 1\n---\nimage: app\nfrom: ${environment.baseImage}\nshell:\n  instal: [echo]\n`,
    );
    const broken = await stages(["build", "--dir", "broken"], { cwd: directory, env: onA });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/stages\.yaml:7:3: .*instal.*install/);
    expect((await localStages(onA)).length).toBe(before);
  });

  it("7. an unreachable registry, wrong credentials and an unknown image each exit 1 saying what to do", async () => {
    const unreachable = await stages(["push", "localhost:1/nothing"], { cwd: directory, env: onA });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/localhost:1/);
    expect(unreachable.stderr).toMatch(/hint:/);

    const dockerConfig = makeRepository({
      "config.json": JSON.stringify({
        auths: {
          [environment.registryAuth]: {
            auth: Buffer.from(`${environment.registryUser}:wrong-password-sentinel`).toString("base64"),
          },
        },
      }),
    });
    const denied = await stages(["push", `${environment.registryAuth}/${project}`], {
      cwd: directory,
      env: { ...onA, DOCKER_CONFIG: dockerConfig },
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/401|credentials|unauthorized|authentication/i);
    expect(denied.stderr).not.toContain("wrong-password-sentinel");

    const unknown = await stages(["build", "nosuchimage"], { cwd: directory, env: onA });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no image or artifact "nosuchimage"');
  });
});
