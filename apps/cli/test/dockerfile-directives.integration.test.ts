import { spawnSync } from "node:child_process";
import { requireTestEnvironment } from "@stages/testenv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allStages,
  docker,
  type RunResult,
  registryTags,
  stages,
  temporaryRepositories,
  uniqueName,
  writeFile,
} from "./helpers.js";

// werf v2's directives on Dockerfile images (issue 15), through the built CLI on engine A, with one
// project: a Dockerfile image `base` with final: false that `app` depends on (ImageName as the FROM
// of a build stage, ImageID as a late ARG), a secret read by RUN --mount (as a file and as a
// variable), imageSpec on app, platform, and what is published.
const environment = requireTestEnvironment();
const host = environment.dockerHostA;
const token = "df-secret-3c4d5e6f7a8b";
const project = uniqueName("dfdirectives");
const repository = `${environment.registry}/${project}`;

const werfYaml = (platform: string) => `project: ${project}
configVersion: 1
---
image: base
dockerfile: base.Dockerfile
final: false
---
image: app
dockerfile: Dockerfile
network: none
platform: [${platform}]
dependencies:
- image: base
  imports:
  - {type: ImageName, targetBuildArg: BASE_IMAGE}
  - {type: ImageID, targetBuildArg: BASE_ID}
secrets:
- env: STAGES_DF_TOKEN
  id: token
imageSpec:
  author: dockerfile-directives
  config:
    env: {FROM_SPEC: "yes"}
    removeLabels: [drop.me]
`;

const baseDockerfile = (text: string) => `FROM ${environment.baseImage}\nRUN echo ${text} > /base.txt\n`;

const appDockerfile = `ARG BASE_IMAGE
FROM \${BASE_IMAGE} AS fromdep
RUN cp /base.txt /copied.txt

FROM ${environment.baseImage}
LABEL drop.me=1 keep.me=1
RUN echo independent > /independent.txt && ls /sys/class/net > /networks
RUN --mount=type=secret,id=token sha256sum /run/secrets/token | cut -c1-64 > /token-sum && echo "token is $(cat /run/secrets/token)"
RUN --mount=type=secret,id=token,env=TOKEN,target=/root/.tok,mode=0444 test "$TOKEN" = "$(cat /root/.tok)" && echo "env is $TOKEN" >&2 && echo ok > /env-ok
COPY --from=fromdep /copied.txt /copied.txt
ARG BASE_ID
RUN --mount=type=cache,target=/var/cache/t --mount=type=tmpfs,target=/scratch echo run >> /var/cache/t/runs && wc -l < /var/cache/t/runs > /cache-runs && ls -A /scratch > /scratch-list && echo "$BASE_ID" > /base-id
`;

// biome-ignore lint/suspicious/noExplicitAny: docker inspect's document
function inspect(image: string): any {
  return JSON.parse(docker(host, "image", "inspect", image))[0];
}

function inImage(image: string, script: string): string {
  return docker(host, "run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", image, "-c", script);
}

function lastStageOf(result: RunResult, image: string): string {
  const last = allStages(result)
    .filter((stage) => stage.image === image)
    .at(-1);
  if (!last) throw new Error(`no stages of ${image} in ${result.stdout}`);
  return `stages-storage/${project}:${last.signature}`;
}

/** `image:detail-or-name → action`, for reading which stages a build made. */
function actions(result: RunResult): string[] {
  return (result.json?.images ?? []).flatMap(
    (image: { name: string; stages: { name: string; action: string; detail?: string | null }[] }) =>
      image.stages.map((stage) => `${image.name}:${stage.detail ?? stage.name}=${stage.action}`),
  );
}

describe("werf v2 directives of Dockerfile images on a real engine", () => {
  let directory = "";
  let first: RunResult;
  const env = { DOCKER_HOST: host, STAGES_DF_TOKEN: token };
  // The CLI's --network host: app's own network: none wins for its RUNs.
  const build = async () => {
    const result = await stages(["build", "--network", "host", "--json"], { cwd: directory, env });
    expect(result.code, result.stderr).toBe(0);
    return result;
  };

  beforeAll(async () => {
    directory = temporaryRepositories()({
      "werf.yaml": werfYaml("linux/amd64"),
      "base.Dockerfile": baseDockerfile("base-one"),
      Dockerfile: appDockerfile,
    });
    first = await build();
  }, 300_000);

  afterAll(() => {
    // The cache mount's volume (kept between builds, as BuildKit keeps its caches).
    for (const volume of docker(host, "volume", "ls", "-q", "--filter", `label=io.stages.project=${project}`)
      .split("\n")
      .filter(Boolean)) {
      docker(host, "volume", "rm", volume);
    }
    for (const tag of ["v1"]) spawnSync("/usr/bin/docker", ["-H", host, "rmi", `${repository}/app:${tag}`]);
  });

  it("builds the dependency first and passes its ImageName and ImageID as build args", () => {
    const names = (first.json.images as { name: string }[]).map((image) => image.name);
    expect(names).toEqual(["base", "app"]);
    const app = lastStageOf(first, "app");
    const base = lastStageOf(first, "base");
    // FROM ${BASE_IMAGE} built on base's stage; BASE_ID is base's image id; neither stays in the config.
    expect(inImage(app, "cat /copied.txt /base-id")).toBe(`base-one\n${inspect(base).Id}`);
    expect(JSON.stringify(inspect(app).Config.Env)).not.toContain("BASE_");
    // A cache mount and a tmpfs: used by the RUN, not in the image (nor their mount points).
    expect(inImage(app, "cat /cache-runs").trim()).toBe("1");
    expect(inImage(app, "for path in /var/cache/t /scratch; do [ -e $path ] && echo $path; done; true")).toBe("");
    // The image's network: none, not the CLI's host network.
    expect(inImage(app, "cat /networks")).toBe("lo");
  });

  it("gives RUN --mount=type=secret the value, as a file and a variable, and keeps it out of the image and the output", () => {
    const app = lastStageOf(first, "app");
    const sum = spawnSync("sha256sum", { input: token, encoding: "utf8" }).stdout.slice(0, 64);
    expect(inImage(app, "cat /token-sum /env-ok")).toBe(`${sum}\nok`);
    expect(first.stderr).toContain("token is ***");
    expect(first.stderr).toContain("env is ***");
    for (const text of [first.stdout, first.stderr]) expect(text).not.toContain(token);
    // Nowhere in the image: not a file's content, not its config or history.
    const saved = spawnSync("/usr/bin/docker", ["-H", host, "save", app], { maxBuffer: 256 * 1024 * 1024 });
    expect(saved.status).toBe(0);
    expect(saved.stdout.includes(Buffer.from(token))).toBe(false);
    // Nor the mount points: BuildKit leaves no stub of a secret's target in the image.
    expect(inImage(app, "for path in /run/secrets /root/.tok; do [ -e $path ] && echo $path; done; true")).toBe("");
    expect(docker(host, "history", "--no-trunc", app)).not.toContain(token);
  });

  it("applies imageSpec as the last stage of the Dockerfile image", () => {
    const stagesOfApp = allStages(first).filter((stage) => stage.image === "app");
    expect(stagesOfApp.at(-1)?.name).toBe("imageSpec");
    const config = inspect(lastStageOf(first, "app"));
    expect(config.Author).toBe("dockerfile-directives");
    expect(config.Config.Env).toContain("FROM_SPEC=yes");
    expect(config.Config.Labels["keep.me"]).toBe("1");
    expect(config.Config.Labels).not.toHaveProperty("drop.me");
  });

  it("rebuilds nothing when nothing changed, and only what uses the dependency when it changed", async () => {
    const again = await build();
    expect(actions(again).filter((action) => !action.endsWith("=cached"))).toEqual([]);

    writeFile(directory, "base.Dockerfile", baseDockerfile("base-two"));
    const changed = await build();
    const rebuilt = actions(changed)
      .filter((action) => action.endsWith("=built"))
      .map((action) => action.replace(/ \(Dockerfile:\d+\)/, "").replace(/ \(base\.Dockerfile:\d+\)/, ""));
    expect(rebuilt).toEqual([
      "base:stage 0: RUN echo base-two > /base.txt=built",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's own variable
      "app:fromdep: FROM ${BASE_IMAGE} AS fromdep=built",
      "app:fromdep: RUN cp /base.txt /copied.txt=built",
      "app:stage 1: COPY --from=fromdep /copied.txt /copied.txt=built",
      "app:stage 1: RUN --mount=type=cache,target=/var/cache/t --mount=type=tmp…=built",
      "app:imageSpec=built",
    ]);
    const app = lastStageOf(changed, "app");
    expect(inImage(app, "cat /copied.txt /base-id")).toBe(`base-two\n${inspect(lastStageOf(changed, "base")).Id}`);
    // The cache mount kept what the first build's RUN wrote there; the tmpfs started empty again.
    expect(inImage(app, "cat /cache-runs").trim()).toBe("2");
    expect(inImage(app, "cat /scratch-list")).toBe("");
  });

  it("publishes app but never base (final: false)", async () => {
    const published = await stages(["publish", "--json", repository, "--tag-custom", "v1"], { cwd: directory, env });
    expect(published.code, published.stderr).toBe(0);
    expect(await registryTags(`${repository}/app`)).toEqual(["v1"]);
    expect(await registryTags(`${repository}/base`)).toEqual([]);
  });

  it("refuses another platform than the engine's, naming both", async () => {
    writeFile(directory, "werf.yaml", werfYaml("linux/arm64"));
    const refused = await stages(["build", "app"], { cwd: directory, env });
    // The same usage error a stapel image's platform gives, before anything is built.
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/for platform linux\/arm64: the Docker Engine at .* is linux\/amd64/);
    expect(refused.stderr).toContain("building for another platform is not supported by stages yet");
  });

  it("host purge removes the cache mount's volume with the project's stages", async () => {
    const volumes = () =>
      docker(host, "volume", "ls", "-q", "--filter", `label=io.stages.project=${project}`).split("\n").filter(Boolean);
    const caches = volumes().filter((name) => name.startsWith(`stages-cache-${project}-`));
    expect(caches).toHaveLength(1);
    const purged = await stages(["host", "purge", "--json"], { cwd: directory, env });
    expect(purged.code, purged.stderr).toBe(0);
    expect(purged.json.buildDirectories).toEqual(caches);
    expect(volumes()).toEqual([]);
  });
});
