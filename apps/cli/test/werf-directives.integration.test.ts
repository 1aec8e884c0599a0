import { requireTestEnvironment } from "@stages/testenv";
import { afterAll, describe, expect, it } from "vitest";
import {
  allStages,
  buildOk,
  docker,
  git,
  type RunResult,
  registryTags,
  stages,
  temporaryRepositories,
  uniqueName,
  writeFile,
} from "./helpers.js";

// werf v2's stapel directives end to end (issue 15): a werf.yaml as werf reads it, built by the CLI on
// the real engine, and what each directive does to the stages and images.
const environment = requireTestEnvironment();
const onA = { DOCKER_HOST: environment.dockerHostA };
const project = temporaryRepositories();
// Images this file publishes and pulls, removed from the engines afterwards.
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups.reverse()) {
    try {
      cleanup();
    } catch {
      // best effort
    }
  }
});
const build = (directory: string, ...extra: string[]) => buildOk(directory, onA, ...extra);

/** The local stage image of an image's last stage. */
function lastStage(result: RunResult, projectName: string, image: string | null): { name: string; image: string } {
  const last = allStages(result)
    .filter((stage) => stage.image === image)
    .at(-1);
  if (!last) throw new Error(`no stages of ${image} in ${result.stdout}`);
  return { name: last.name, image: `stages-storage/${projectName}:${last.signature}` };
}

// biome-ignore lint/suspicious/noExplicitAny: docker inspect's document
function inspect(image: string): any {
  return JSON.parse(docker(environment.dockerHostA, "image", "inspect", image))[0];
}

describe("final: false and image names with capitals", () => {
  it(
    "builds an image only others use, never publishes it; the nameless image stands next to it; MyApp publishes as myapp",
    { timeout: 300_000 },
    async () => {
      const name = uniqueName("final");
      const directory = project({
        "werf.yaml": `project: ${name}
configVersion: 1
---
image: ~
fromImage: Base
docker:
  CMD: [cat, /base.txt]
---
image: Base
final: false
from: ${environment.baseImage}
shell:
  install: [echo base-made > /base.txt]
`,
      });
      const built = await build(directory);
      // Built, though only the nameless image uses it.
      expect(
        allStages(built)
          .map((stage) => `${stage.image ?? "~"}:${stage.name}`)
          .sort(),
      ).toEqual(["Base:from", "Base:install", "~:dockerInstructions", "~:from"]);
      const repository = `${environment.registry}/${uniqueName("final")}`;
      await build(directory, "--repo", repository, "--push");
      const planned = await stages(["plan", "--json", "--repo", repository], { cwd: directory, env: onA });
      expect(planned.code, planned.stderr).toBe(0);
      expect(
        planned.json.images.map((image: { name: string | null; final: boolean; publish: string | null }) => [
          image.name,
          image.final,
          image.publish !== null,
        ]),
      ).toEqual([
        [null, true, true],
        ["Base", false, false],
      ]);
      const plannedText = await stages(["plan", "--repo", repository], { cwd: directory, env: onA });
      expect(plannedText.stdout).toContain("Base (final: false)");
      const published = await stages(["publish", "--json", repository, "--tag-custom", "v1"], {
        cwd: directory,
        env: onA,
      });
      expect(published.code, published.stderr).toBe(0);
      expect(published.json.images.map((image: { name: string | null }) => image.name)).toEqual([null]);
      expect(await registryTags(repository)).toContain("v1");
      // No final repository for the final: false image, under any spelling.
      expect(await registryTags(`${repository}/base`)).toEqual([]);
      const refused = await stages(["publish", "Base", repository, "--tag-custom", "v1"], { cwd: directory, env: onA });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('"Base" has final: false: it is only used by other images, never published');

      // The same image published by name: a capital in the image name, a lower-case repository.
      writeFile(directory, "werf.yaml", configWithNames(name));
      git(directory, "commit", "-qam", "named");
      await build(directory, "--repo", repository, "--push");
      const named = await stages(["publish", "--json", repository, "--tag-custom", "v2"], { cwd: directory, env: onA });
      expect(named.code, named.stderr).toBe(0);
      expect(named.json.images.map((image: { name: string | null }) => image.name)).toEqual(["MyApp"]);
      expect(await registryTags(`${repository}/myapp`)).toEqual(["v2"]);
      const reference = `${repository}/myapp:v2`;
      docker(environment.dockerHostA, "pull", reference);
      cleanups.push(() => docker(environment.dockerHostA, "rmi", reference));
      expect(docker(environment.dockerHostA, "run", "--rm", "--network", "none", reference)).toBe("base-made");
    },
  );
});

function configWithNames(name: string): string {
  return `project: ${name}
configVersion: 1
---
image: MyApp
fromImage: Base
docker:
  CMD: [cat, /base.txt]
---
image: Base
final: false
from: ${environment.baseImage}
shell:
  install: [echo base-made > /base.txt]
`;
}

describe("imageSpec", () => {
  it(
    "writes the image config as the last stage, over the same layers, and a second build reuses it",
    { timeout: 300_000 },
    async () => {
      const name = uniqueName("spec");
      const directory = project({
        "werf.yaml": `project: ${name}
configVersion: 1
---
image: app
from: ${environment.baseImage}
shell:
  install: [mkdir -p /srv /data /logs && echo hello-from-spec > /srv/hello]
docker:
  ENV: {DEBUG: "1", TMP_X: x, KEEP: y}
  LABEL: {maintainer: someone, team: a}
  VOLUME: [/data, /logs]
  CMD: [sh]
imageSpec:
  author: Jane Doe
  clearHistory: true
  config:
    removeEnv: [DEBUG, /TMP_.*/]
    env: {MODE: prod}
    removeVolumes: [/data]
    removeLabels: [maintainer]
    labels: {built-by: "%project%/%image%"}
    clearWerfLabels: true
    workingDir: /srv
    user: nobody
    entrypoint: [/bin/cat]
    cmd: [/srv/hello]
    stopSignal: SIGINT
    expose: ["8080"]
    healthcheck: {test: [CMD, "true"], interval: 30, retries: 2}
`,
      });
      const first = await build(directory);
      expect(allStages(first).map((stage) => stage.name)).toEqual([
        "from",
        "install",
        "dockerInstructions",
        "imageSpec",
      ]);
      const last = lastStage(first, name, "app");
      expect(last.name).toBe("imageSpec");
      const before = inspect(`stages-storage/${name}:${allStages(first)[2]?.signature}`);
      const after = inspect(last.image);
      // The same layers: no container ran, no layer was added.
      expect(after.RootFS.Layers).toEqual(before.RootFS.Layers);
      expect(after.Author).toBe("Jane Doe");
      expect([...after.Config.Env].sort()).toEqual(
        [...before.Config.Env.filter((entry: string) => !/^(DEBUG|TMP_X)=/.test(entry)), "MODE=prod"].sort(),
      );
      expect(after.Config.Env).toContain("KEEP=y");
      expect(Object.keys(after.Config.Volumes)).toEqual(["/logs"]);
      expect(after.Config.Labels).toMatchObject({ team: "a", "built-by": `${name}/app` });
      expect(after.Config.Labels).not.toHaveProperty("maintainer");
      // clearWerfLabels: the stage keeps what finds it again, loses the rest.
      expect(after.Config.Labels).not.toHaveProperty("io.stages.image");
      expect(after.Config.Labels).toMatchObject({
        "io.stages.project": name,
        "io.stages.stage": "imageSpec",
        "io.stages.signature": last.image.split(":")[1],
      });
      expect(after.Config).toMatchObject({
        WorkingDir: "/srv",
        User: "nobody",
        Entrypoint: ["/bin/cat"],
        Cmd: ["/srv/hello"],
        StopSignal: "SIGINT",
        ExposedPorts: { "8080/tcp": {} },
        Healthcheck: { Test: ["CMD", "true"], Interval: 30_000_000_000, Retries: 2 },
      });
      // clearHistory: the engine shows no history entry.
      expect(docker(environment.dockerHostA, "history", "-q", last.image)).toBe("");
      expect(docker(environment.dockerHostA, "run", "--rm", "--network", "none", last.image)).toBe("hello-from-spec");

      const second = await build(directory);
      expect(allStages(second).map((stage) => stage.action)).toEqual(["cached", "cached", "cached", "cached"]);

      // Every field is in the signature: another author is another imageSpec stage, nothing before it changes.
      writeFile(directory, "werf.yaml", readConfig(directory).replace("Jane Doe", "John Doe"));
      git(directory, "commit", "-qam", "author");
      const third = await build(directory);
      expect(allStages(third).map((stage) => stage.action)).toEqual(["cached", "cached", "cached", "built"]);
      expect(inspect(lastStage(third, name, "app").image).Author).toBe("John Doe");

      // The rewritten image travels like any stage: pushed, published, pulled and run elsewhere.
      const repository = `${environment.registry}/${uniqueName("spec")}`;
      await build(directory, "--repo", repository, "--push");
      const published = await stages(["publish", "--json", repository, "--tag-custom", "v1"], {
        cwd: directory,
        env: onA,
      });
      expect(published.code, published.stderr).toBe(0);
      const reference = `${repository}/app:v1`;
      docker(environment.dockerHostB, "pull", reference);
      cleanups.push(() => docker(environment.dockerHostB, "rmi", reference));
      const pulled = JSON.parse(docker(environment.dockerHostB, "image", "inspect", reference))[0];
      expect(pulled.Author).toBe("John Doe");
      expect(pulled.Config.Env).not.toContain("DEBUG=1");
      expect(docker(environment.dockerHostB, "run", "--rm", "--network", "none", reference)).toBe("hello-from-spec");
    },
  );
});

describe("build.imageSpec", () => {
  it(
    "gives every final image the meta's author and labels, merged with an image's own as werf does",
    { timeout: 300_000 },
    async () => {
      const name = uniqueName("global-spec");
      const directory = project({
        "werf.yaml": `project: ${name}
configVersion: 1
build:
  imageSpec:
    author: Platform Team
    config:
      labels: {team: platform, tier: global}
      removeLabels: [maintainer]
---
image: plain
from: ${environment.baseImage}
docker:
  LABEL: {maintainer: someone}
---
image: own
from: ${environment.baseImage}
imageSpec:
  author: Someone Else
  config:
    labels: {tier: own, extra: "yes"}
---
image: base
final: false
from: ${environment.baseImage}
`,
      });
      const result = await build(directory);
      const stagesOf = (image: string) =>
        allStages(result)
          .filter((stage) => stage.image === image)
          .map((stage) => stage.name);
      expect(stagesOf("plain")).toEqual(["from", "dockerInstructions", "imageSpec"]);
      expect(stagesOf("own")).toEqual(["from", "imageSpec"]);
      // final: false: no imageSpec stage (werf: "does not apply for intermediate images").
      expect(stagesOf("base")).toEqual(["from"]);
      const plain = inspect(lastStage(result, name, "plain").image);
      expect(plain.Author).toBe("Platform Team");
      expect(plain.Config.Labels).toMatchObject({ team: "platform", tier: "global" });
      expect(plain.Config.Labels).not.toHaveProperty("maintainer");
      // werf's mergeImageSpec: the global author and labels win, the image's other labels stay.
      const own = inspect(lastStage(result, name, "own").image);
      expect(own.Author).toBe("Platform Team");
      expect(own.Config.Labels).toMatchObject({ team: "platform", tier: "global", extra: "yes" });
    },
  );
});

function readConfig(directory: string): string {
  return git(directory, "show", "HEAD:werf.yaml");
}

describe("network, platform, cacheVersion and disableGitAfterPatch", () => {
  it("runs an image's commands on its network, whatever --network says", { timeout: 300_000 }, async () => {
    const name = uniqueName("net");
    const directory = project({
      "werf.yaml": `project: ${name}
configVersion: 1
---
image: isolated
from: ${environment.baseImage}
shell:
  # Not the command of the other image: the network is not in the signature (as in werf), so the
  # same commands would be the same stage.
  install: [ls /sys/class/net > /nets && true]
docker: {CMD: [cat, /nets]}
---
image: hosted
network: host
from: ${environment.baseImage}
shell:
  install: [ls /sys/class/net > /nets]
docker: {CMD: [cat, /nets]}
`,
    });
    const built = await build(directory);
    const run = (image: string) =>
      docker(environment.dockerHostA, "run", "--rm", "--network", "none", lastStage(built, name, image).image);
    expect(run("isolated").split("\n")).toEqual(["lo"]);
    expect(run("hosted").split("\n")).toEqual(expect.arrayContaining(["eth0", "lo"]));
  });

  it("builds for the engine's platform and refuses another, naming both", { timeout: 300_000 }, async () => {
    const engine = docker(environment.dockerHostA, "version", "--format", "{{.Server.Os}}/{{.Server.Arch}}");
    const other = engine === "linux/arm64" ? "linux/amd64" : "linux/arm64";
    const config = (platform: string) => `project: ${uniqueName("platform")}
configVersion: 1
---
image: app
from: ${environment.baseImage}
platform: [${platform}]
shell:
  install: [touch /made]
`;
    await build(project({ "werf.yaml": config(engine) }));
    const refused = await stages(["build", "--network", "none"], {
      cwd: project({ "werf.yaml": config(other) }),
      env: onA,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`for platform ${other}: the Docker Engine at`);
    expect(refused.stderr).toContain(`is ${engine}`);
    expect(refused.stderr).toContain("building for another platform is not supported by stages yet");

    // werf's build.platform of the meta is every image's default.
    const meta = await stages(["build", "--network", "none"], {
      cwd: project({
        "werf.yaml": config(engine)
          .replace("configVersion: 1\n", `configVersion: 1\nbuild:\n  platform: [${other}]\n`)
          .replace(/platform: \[.*\]\nshell/, "shell"),
      }),
      env: onA,
    });
    expect(meta.code).not.toBe(0);
    expect(meta.stderr).toContain(`for platform ${other}: the Docker Engine at`);
  });

  it("rebuilds every stage when the image's cacheVersion changes", { timeout: 300_000 }, async () => {
    const config = (version: string) => `project: cacheversion
configVersion: 1
---
image: app
from: ${environment.baseImage}
cacheVersion: "${version}"
shell:
  install: [touch /made]
`;
    const directory = project({ "werf.yaml": config(uniqueName("v")) });
    await build(directory);
    expect(allStages(await build(directory)).map((stage) => stage.action)).toEqual(["cached", "cached"]);
    writeFile(directory, "werf.yaml", config(uniqueName("v")));
    const rebuilt = await build(directory);
    expect(allStages(rebuilt).map((stage) => stage.action)).toEqual(["built", "built"]);
  });

  it("signs docker.exactValues and sets values as written", { timeout: 300_000 }, async () => {
    const name = uniqueName("exact");
    const config = (exact: boolean) => `project: ${name}
configVersion: 1
---
image: app
from: ${environment.baseImage}
docker:
${exact ? "  exactValues: true\n" : ""}  ENV: {QUOTED: '"a b"'}
  LABEL: {spaced: 'x  y'}
`;
    const directory = project({ "werf.yaml": config(false) });
    const first = await build(directory);
    writeFile(directory, "werf.yaml", config(true));
    const exact = await build(directory);
    expect(allStages(exact).map((stage) => [stage.name, stage.action])).toEqual([
      ["from", "cached"],
      ["dockerInstructions", "built"],
    ]);
    expect(lastStage(exact, name, "app").image).not.toBe(lastStage(first, name, "app").image);
    const config_ = inspect(lastStage(exact, name, "app").image).Config;
    expect(config_.Env).toContain('QUOTED="a b"');
    expect(config_.Labels.spaced).toBe("x  y");
  });

  it(
    "keeps the archived git content with disableGitAfterPatch: no gitLatestPatch stage",
    { timeout: 300_000 },
    async () => {
      const config = (disable: boolean) => `project: ${uniqueName("patch")}
configVersion: 1
---
image: app
from: ${environment.baseImage}
${disable ? "disableGitAfterPatch: true\n" : ""}git:
- add: /src
  to: /app
docker: {CMD: [cat, /app/file.txt]}
`;
      const directory = project({ "werf.yaml": config(true), "src/file.txt": "one\n" });
      const first = await build(directory);
      expect(allStages(first).map((stage) => stage.name)).toEqual(["from", "gitArchive", "dockerInstructions"]);
      writeFile(directory, "src/file.txt", "two\n");
      git(directory, "commit", "-qam", "two");
      const second = await build(directory);
      expect(allStages(second).map((stage) => [stage.name, stage.action])).toEqual([
        ["from", "cached"],
        ["gitArchive", "cached"],
        ["dockerInstructions", "cached"],
      ]);
      const projectName = /project: (\S+)/.exec(readConfig(directory))?.[1] as string;
      const image = lastStage(second, projectName, "app").image;
      expect(docker(environment.dockerHostA, "run", "--rm", "--network", "none", image)).toBe("one");

      // Without it, the same change is a gitLatestPatch stage on top.
      writeFile(directory, "werf.yaml", config(false).replace(/project: \S+/, `project: ${projectName}`));
      git(directory, "commit", "-qam", "patch");
      const patched = await build(directory);
      expect(allStages(patched).map((stage) => stage.name)).toEqual([
        "from",
        "gitArchive",
        "gitLatestPatch",
        "dockerInstructions",
      ]);
      const patchedImage = lastStage(patched, projectName, "app").image;
      expect(docker(environment.dockerHostA, "run", "--rm", "--network", "none", patchedImage)).toBe("two");
    },
  );
});

describe("what stages does not support yet", () => {
  it("says so for werf directives, prints a warning once without a doubled prefix", { timeout: 120_000 }, async () => {
    const refused = await stages(["build", "--network", "none"], {
      cwd: project({
        "werf.yaml": `project: ${uniqueName("ansible")}
configVersion: 1
---
image: app
from: ${environment.baseImage}
ansible:
  install:
  - shell: make
`,
      }),
      env: onA,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'werf.yaml:6:1: directive "ansible" is not supported by stages yet: stages supports only shell stages (use shell: ...)',
    );
    expect(refused.stderr).not.toContain("did you mean");
    expect(refused.stderr).not.toContain("unknown directive");

    // In a Dockerfile too, at the flag.
    const mount = await stages(["build", "--network", "none"], {
      cwd: project({
        "werf.yaml": `project: ${uniqueName("bind")}\nconfigVersion: 1\n---\nimage: web\ndockerfile: Dockerfile\n`,
        Dockerfile: `FROM ${environment.baseImage}\nRUN --mount=type=bind,target=/src true\n`,
      }),
      env: onA,
    });
    expect(mount.code).toBe(1);
    expect(mount.stderr).toContain(
      "Dockerfile:2:5: RUN --mount=type=bind,target=/src: type=bind is not supported by stages yet",
    );

    const warned = await stages(["build", "--network", "none"], {
      cwd: project({
        "werf.yaml": `project: ${uniqueName("warn")}
configVersion: 1
deploy:
  helmRelease: x
---
image: app
from: ${environment.baseImage}
`,
      }),
      env: onA,
    });
    expect(warned.code, warned.stderr).toBe(0);
    const warnings = warned.stderr.split("\n").filter((line) => line.includes("warning:"));
    expect(warnings).toEqual([expect.stringMatching(/^werf\.yaml:3:1: warning: ignored key "deploy": /)]);
  });
});
