#!/usr/bin/env node
// stages against docker's own builders, side by side in one run (issue 7). Every scenario runs its
// subjects interleaved, several rounds after a warm-up, on the test environment's engines and
// registry (through a counting proxy), and reports medians and the ratio stages/peer.
//
//   pnpm bench [--runs 5] [--only 1,3,8] [--files 100000] [--context-files 5000] [--cli path/to/main.js]
//              [--baseline-cli path/to/main.js] [--node22 path/to/node|none]
//
// --cli measures another build of the CLI than this tree's apps/cli/dist/main.js.
// --baseline-cli runs another build of the CLI (e.g. an older commit's apps/cli/dist/main.js) as
// one more subject of the start-up (7), no-op build (1), push (4) and large-tree plan (6) scenarios,
// interleaved with this one.
// --node22 runs the CLI under that Node 22 too (scenarios 1, 7, 11), next to this Node; by default
// the one `node tooling/scripts/node22.mjs` installs from the npm registry into .tools/node22.
// Scenarios 1 and 2 run on the tiny project and on the same project with --context-files more files.
// The goals of issue 16 are printed at the end, each with pass or miss.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { arch, cpus, loadavg, release, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { changeDockerfileSource, writeDockerfileProject } from "./lib/dockerfile-project.mjs";
import { measure, pairedDifference, run } from "./lib/measure.mjs";
import { changeSource, ensureLargeTree, git, writeProject } from "./lib/project.mjs";
import { startCountingProxy } from "./lib/proxy.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const allScenarios = "1,2,3,4,5,6,7,8,9,10,11";
const root = resolve(here, "..");
const { values: options } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    only: { type: "string", default: allScenarios },
    cli: { type: "string" },
    "baseline-cli": { type: "string" },
    files: { type: "string", default: "100000" },
    "context-files": { type: "string", default: "5000" },
    node22: { type: "string" },
    tags: { type: "string", default: "10000" },
  },
});
const runs = Number(options.runs);
// Other work on the machine moves every number: the load average is reported with the results.
const loadAtStart = loadavg()[0];
const only = new Set(options.only.split(",").map(Number));
const log = (line) => process.stderr.write(`${line}\n`);

const { up, environmentVariables } = await import(join(root, "tooling/testenv/dist/index.js"));
const { environment } = await up({ log: (line) => log(`[testenv] ${line}`) });
Object.assign(process.env, environmentVariables(environment));
const proxy = await startCountingProxy(environment.registry);
const dockerClient = "/usr/bin/docker";
const cli = options.cli ? resolve(options.cli) : join(root, "apps/cli/dist/main.js");
const work = join(here, "work");
const onA = { DOCKER_HOST: environment.dockerHostA, CI: "true", NO_COLOR: "1" };
const onB = { DOCKER_HOST: environment.dockerHostB, CI: "true", NO_COLOR: "1" };
const stages = (args, options) => run(process.execPath, [cli, ...args], options);
// The same CLI under Node 22 (DESIGN §16: it enables the module compile cache there).
const node22 =
  options.node22 === "none"
    ? undefined
    : options.node22
      ? resolve(options.node22)
      : execFileSync(process.execPath, [join(root, "tooling/scripts/node22.mjs")], { encoding: "utf8" }).trim();
const node22Version = node22 ? execFileSync(node22, ["--version"], { encoding: "utf8" }).trim() : undefined;
const stages22 = (args, options) => run(node22, [cli, ...args], options);
const thisNode = `Node ${process.version.split(".")[0].slice(1)}`;
const baselineCli = options["baseline-cli"] ? resolve(options["baseline-cli"]) : undefined;
const baseline = (args, options) => run(process.execPath, [baselineCli, ...args], options);
const signed = (value) => `${value >= 0 ? "+" : ""}${Math.round(value)}`;
const docker = (host, args, options = {}) => run(dockerClient, ["-H", host, ...args], options);
const dockerBuild = (host, kind, args, cwd) =>
  run(dockerClient, ["-H", host, "build", "--network", "none", "-q", ...args, "."], {
    cwd,
    env: { DOCKER_BUILDKIT: kind === "buildkit" ? "1" : "0" },
  });

// The base image, reached through the proxy like every registry access below, so that bytes and
// requests of stages and docker are counted alike.
const baseImage = `${proxy.address}/stages/busybox:1`;
const run_id = Date.now().toString(36);
const results = [];
const record = (scenario, subject, peer, stagesResult, peerResult, notes = "") => {
  const row = {
    scenario,
    stages: subject,
    peer,
    stagesMs: Math.round(stagesResult.milliseconds),
    peerMs: Math.round(peerResult.milliseconds),
    ratio: Number((stagesResult.milliseconds / peerResult.milliseconds).toFixed(2)),
    notes,
  };
  for (const key of ["requests", "stageManifests", "blobBytes"]) {
    if (stagesResult[key] !== undefined) row[`stages${key[0].toUpperCase()}${key.slice(1)}`] = stagesResult[key];
    if (peerResult[key] !== undefined) row[`peer${key[0].toUpperCase()}${key.slice(1)}`] = peerResult[key];
  }
  results.push(row);
  log(`  => ${scenario}: ${subject} ${row.stagesMs} ms vs ${peer} ${row.peerMs} ms (ratio ${row.ratio})`);
  return row;
};
// The rows the goals of issue 16 are read from (filled by the scenarios that ran).
const goalRows = {};
const counted = async (work) => {
  proxy.reset();
  const result = await work();
  const counters = proxy.snapshot();
  return {
    milliseconds: result.milliseconds,
    requests: counters.requests,
    stageManifests: counters.stageManifests,
    blobBytes: counters.blobBytes,
  };
};

const project = join(work, "project");
writeProject(project, { project: `bench${run_id}`, baseImage });
log(`bench project in ${project}, base ${baseImage}`);
// The same project with a context as large as a real service's (scenarios 1 and 2).
const contextFiles = Number(options["context-files"]);
const sized = [
  { label: "tiny", directory: project, suffix: "" },
  ...(only.has(1) || only.has(2) || only.has(11)
    ? [{ label: `realistic, +${contextFiles} files`, directory: join(work, "project-realistic"), suffix: "-realistic" }]
    : []),
];
if (sized[1]) {
  writeProject(sized[1].directory, { project: `benchr${run_id}`, baseImage, sources: contextFiles });
  log(`realistic project (${contextFiles} more files) in ${sized[1].directory}`);
}
const build = ["build", "--network", "none"];

if (only.has(1) || only.has(2)) {
  // Warm every builder once so that scenario 1 starts from a full cache.
  for (const { directory, suffix } of sized) {
    await stages(build, { cwd: directory, env: onA });
    await dockerBuild(environment.dockerHostA, "classic", ["-t", `bench-classic${suffix}`], directory);
    await dockerBuild(environment.dockerHostA, "buildkit", ["-t", `bench-buildkit${suffix}`], directory);
  }
  if (baselineCli) await baseline(build, { cwd: project, env: onA });
}

if (only.has(1)) {
  for (const { label, directory, suffix } of sized) {
    log(`scenario 1: no-op rebuild (every stage cached locally), ${label}`);
    const medians = await measure(
      {
        stages: { run: async () => (await stages(build, { cwd: directory, env: onA })).milliseconds },
        ...(node22
          ? {
              "stages (Node 22)": {
                run: async () => (await stages22(build, { cwd: directory, env: onA })).milliseconds,
              },
            }
          : {}),
        classic: {
          run: async () =>
            (await dockerBuild(environment.dockerHostA, "classic", ["-t", `bench-classic${suffix}`], directory))
              .milliseconds,
        },
        buildkit: {
          run: async () =>
            (await dockerBuild(environment.dockerHostA, "buildkit", ["-t", `bench-buildkit${suffix}`], directory))
              .milliseconds,
        },
        ...(baselineCli && suffix === ""
          ? { baseline: { run: async () => (await baseline(build, { cwd: directory, env: onA })).milliseconds } }
          : {}),
      },
      { runs, log },
    );
    const scenario = `1. no-op rebuild (${label})`;
    goalRows[`noop-classic${suffix}`] = record(
      scenario,
      `stages build (${thisNode})`,
      "docker build (classic)",
      medians.stages,
      medians.classic,
    );
    goalRows[`noop-buildkit${suffix}`] = record(
      scenario,
      `stages build (${thisNode})`,
      "docker build (BuildKit)",
      medians.stages,
      medians.buildkit,
    );
    if (node22) {
      goalRows[`noop-classic${suffix}-22`] = record(
        scenario,
        "stages build (Node 22)",
        "docker build (classic)",
        medians["stages (Node 22)"],
        medians.classic,
      );
      goalRows[`noop-buildkit${suffix}-22`] = record(
        scenario,
        "stages build (Node 22)",
        "docker build (BuildKit)",
        medians["stages (Node 22)"],
        medians.buildkit,
      );
    }
    if (baselineCli && suffix === "") {
      record(
        scenario,
        "stages build",
        "baseline CLI: stages build",
        medians.stages,
        medians.baseline,
        `median of the per-round differences: ${signed(pairedDifference(medians, "stages", "baseline"))} ms`,
      );
    }
  }
}

if (only.has(2)) {
  for (const { label, directory, suffix } of sized) {
    log(`scenario 2: source change outside stageDependencies, ${label}`);
    const medians = await measure(
      {
        stages: {
          prepare: (round) => changeSource(directory, `s${round}`),
          run: async () => (await stages(build, { cwd: directory, env: onA })).milliseconds,
        },
        classic: {
          prepare: (round) => changeSource(directory, `c${round}`),
          run: async () =>
            (await dockerBuild(environment.dockerHostA, "classic", ["-t", `bench-classic${suffix}`], directory))
              .milliseconds,
        },
        buildkit: {
          prepare: (round) => changeSource(directory, `b${round}`),
          run: async () =>
            (await dockerBuild(environment.dockerHostA, "buildkit", ["-t", `bench-buildkit${suffix}`], directory))
              .milliseconds,
        },
      },
      { runs, log },
    );
    const scenario = `2. source change (${label})`;
    record(
      scenario,
      "stages build",
      "docker build (classic)",
      medians.stages,
      medians.classic,
      "rebuilds gitLatestPatch + dockerInstructions",
    );
    record(
      scenario,
      "stages build",
      "docker build (BuildKit)",
      medians.stages,
      medians.buildkit,
      "docker rebuilds the last COPY and after",
    );
  }
}

const stagesRepo = `${proxy.address}/bench-${run_id}-stages`;
const dockerRepo = `${proxy.address}/bench-${run_id}-docker`;
if (only.has(3) || only.has(4) || only.has(5) || only.has(10)) {
  git(project, "checkout", "--", ".");
  await stages(["build", "--network", "none"], { cwd: project, env: onA });
  await stages(["push", stagesRepo], { cwd: project, env: onA });
}

// Host B is shared with the test suites of whoever else works on this machine: only the images of
// this run (its stages, its docker tags, the base image under the proxy's name) are removed, by
// name, so that layers another image still uses stay (the base image's, then, for both subjects).
async function wipeEngine(host) {
  const names = (await docker(host, ["images", "--format", "{{.Repository}}:{{.Tag}}"])).stdout
    .split("\n")
    .filter(
      (name) => name.includes(`bench${run_id}`) || name.includes(`bench-${run_id}`) || name.startsWith(proxy.address),
    );
  if (names.length > 0) await docker(host, ["rmi", "-f", ...new Set(names)], { allowFailure: true });
  await docker(host, ["builder", "prune", "-af"], { allowFailure: true });
}

if (only.has(3)) {
  log("scenario 3: fresh host B with a shared cache");
  await run(
    dockerClient,
    [
      "-H",
      environment.dockerHostA,
      "build",
      "--network",
      "none",
      "-q",
      "--build-arg",
      "BUILDKIT_INLINE_CACHE=1",
      "-t",
      `${dockerRepo}:latest`,
      ".",
    ],
    {
      cwd: project,
      env: { DOCKER_BUILDKIT: "1" },
    },
  );
  await docker(environment.dockerHostA, ["push", `${dockerRepo}:latest`]);
  const medians = await measure(
    {
      "stages build --repo": {
        prepare: () => wipeEngine(environment.dockerHostB),
        run: () =>
          counted(() => stages(["build", "--repo", stagesRepo, "--network", "none"], { cwd: project, env: onB })),
      },
      "stages pull + build": {
        prepare: () => wipeEngine(environment.dockerHostB),
        run: () =>
          counted(async () => {
            const pulled = await stages(["pull", stagesRepo], { cwd: project, env: onB });
            const built = await stages(["build", "--network", "none"], { cwd: project, env: onB });
            return { milliseconds: pulled.milliseconds + built.milliseconds };
          }),
      },
      "docker build --cache-from": {
        prepare: () => wipeEngine(environment.dockerHostB),
        run: () =>
          counted(() =>
            run(
              dockerClient,
              [
                "-H",
                environment.dockerHostB,
                "build",
                "--network",
                "none",
                "-q",
                "--cache-from",
                `${dockerRepo}:latest`,
                "-t",
                "bench-fresh",
                ".",
              ],
              {
                cwd: project,
                env: { DOCKER_BUILDKIT: "1" },
              },
            ),
          ),
      },
    },
    { runs: Math.max(3, Math.ceil(runs / 2)), log },
  );
  record(
    "3. fresh host, shared cache",
    "stages build --repo",
    "docker build --cache-from (BuildKit, inline cache)",
    medians["stages build --repo"],
    medians["docker build --cache-from"],
  );
  record(
    "3. fresh host, shared cache",
    "stages pull + stages build",
    "docker build --cache-from (BuildKit, inline cache)",
    medians["stages pull + build"],
    medians["docker build --cache-from"],
  );
}

if (only.has(4)) {
  log("scenario 4: push of an already-pushed project");
  const listed = JSON.parse((await stages(["list", "--json"], { cwd: project, env: onA })).stdout);
  const plan = JSON.parse((await stages(["plan", "--json"], { cwd: project, env: onA })).stdout);
  const signatures = plan.images.flatMap((image) => image.stages.map((stage) => stage.signature));
  for (const signature of signatures) {
    await docker(environment.dockerHostA, [
      "tag",
      `stages-storage/bench${run_id}:${signature}`,
      `${stagesRepo}:image-stage-${signature}`,
    ]);
  }
  log(`  ${signatures.length} stage tags (of ${listed.stages.length} local stages)`);
  const medians = await measure(
    {
      "stages push": { run: () => counted(() => stages(["push", stagesRepo], { cwd: project, env: onA })) },
      "docker push": { run: () => counted(() => docker(environment.dockerHostA, ["push", "--all-tags", stagesRepo])) },
      ...(baselineCli
        ? { baseline: { run: () => counted(() => baseline(["push", stagesRepo], { cwd: project, env: onA })) } }
        : {}),
    },
    { runs, log },
  );
  const pushed = medians["stages push"];
  goalRows.push = record(
    "4. push, already pushed",
    "stages push",
    `docker push --all-tags (${signatures.length} stage tags)`,
    pushed,
    medians["docker push"],
    `stages: ${pushed.stageManifests} requests naming a stage (${signatures.length} stages) of ${pushed.requests} (the others: the registry version check, the commit record's HEAD)`,
  );
  goalRows.push.stageCount = signatures.length;
  if (baselineCli) {
    record(
      "4. push, already pushed",
      "stages push",
      "baseline CLI: stages push",
      pushed,
      medians.baseline,
      `median of the per-round differences: ${signed(pairedDifference(medians, "stages push", "baseline"))} ms`,
    );
  }
  for (const signature of signatures)
    await docker(environment.dockerHostA, ["rmi", `${stagesRepo}:image-stage-${signature}`]);
}

async function addOtherTags(repository, count) {
  // Give REPO `count` more tags (copies of one stage manifest), written straight to the registry.
  const [name] = repository.split("/").slice(1);
  const base = `http://${environment.registry}/v2/${name}`;
  const tags = await (await fetch(`${base}/tags/list`)).json();
  const stageTag = tags.tags.find((tag) => tag.startsWith("image-stage-"));
  const accept = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json";
  const response = await fetch(`${base}/manifests/${stageTag}`, { headers: { accept } });
  const manifest = Buffer.from(await response.arrayBuffer());
  const contentType = response.headers.get("content-type");
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const put = await fetch(`${base}/manifests/other-${index}`, {
        method: "PUT",
        headers: { "content-type": contentType },
        body: manifest,
      });
      if (!put.ok) throw new Error(`PUT other-${index}: ${put.status}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

if (only.has(5)) {
  log("scenario 5: lookup cost against registry size");
  const small = `${proxy.address}/bench-${run_id}-small`;
  const large = `${proxy.address}/bench-${run_id}-large`;
  await stages(["push", small], { cwd: project, env: onA });
  await stages(["push", large], { cwd: project, env: onA });
  const tagCount = Number(options.tags);
  log(`  adding 10 tags to ${small} and ${tagCount} to ${large}`);
  await addOtherTags(small, 10);
  await addOtherTags(large, tagCount);
  const medians = await measure(
    {
      small: { run: () => counted(() => stages(["plan", "--repo", small], { cwd: project, env: onA })) },
      large: { run: () => counted(() => stages(["plan", "--repo", large], { cwd: project, env: onA })) },
    },
    { runs, log },
  );
  record(
    "5. lookup vs registry size",
    `stages plan --repo (${tagCount} other tags)`,
    "stages plan --repo (10 other tags)",
    medians.large,
    medians.small,
    "ratio should stay near 1",
  );
}

if (only.has(6)) {
  const count = Number(options.files);
  log(`scenario 6: signatures on a ${count}-file tree`);
  const large = join(work, "large-tree");
  if (ensureLargeTree(large, { count, project: `benchlarge${run_id}`, baseImage })) log(`  generated ${large}`);
  const medians = await measure(
    {
      "stages plan": { run: async () => (await stages(["plan"], { cwd: large, env: onA })).milliseconds },
      ...(baselineCli
        ? { baseline: { run: async () => (await baseline(["plan"], { cwd: large, env: onA })).milliseconds } }
        : {}),
      "git ls-files -s": { run: async () => (await run("git", ["ls-files", "-s"], { cwd: large })).milliseconds },
      "git status -uno": {
        run: async () => (await run("git", ["status", "--porcelain", "-uno"], { cwd: large })).milliseconds,
      },
    },
    { runs, log },
  );
  goalRows.plan = record(
    "6. signatures, large tree",
    `stages plan (${count} files)`,
    "git ls-files -s",
    medians["stages plan"],
    medians["git ls-files -s"],
  );
  // What git itself needs to tell whether the work tree differs from the index (an lstat per file).
  record(
    "6. signatures, large tree",
    `stages plan (${count} files)`,
    "git status --porcelain -uno",
    medians["stages plan"],
    medians["git status -uno"],
    "git status, like stages, looks at every tracked file of the work tree; git ls-files -s reads the index only",
  );
  if (baselineCli) {
    record(
      "6. signatures, large tree",
      `stages plan (${count} files)`,
      "baseline CLI: stages plan",
      medians["stages plan"],
      medians.baseline,
      `median of the per-round differences: ${signed(pairedDifference(medians, "stages plan", "baseline"))} ms`,
    );
  }
}

if (only.has(7)) {
  log("scenario 7: start-up (`stages --version`)");
  const subjects = {
    "stages --version": { run: async () => (await stages(["--version"], {})).milliseconds },
    "node -e 0": { run: async () => (await run(process.execPath, ["-e", "0"])).milliseconds },
  };
  if (node22) {
    subjects["stages --version (Node 22)"] = { run: async () => (await stages22(["--version"], {})).milliseconds };
    subjects["node22 -e 0"] = { run: async () => (await run(node22, ["-e", "0"])).milliseconds };
  }
  if (baselineCli) {
    subjects["baseline --version"] = { run: async () => (await baseline(["--version"], {})).milliseconds };
  }
  // Start-up is short and the machine may be busy: three times the runs, interleaved.
  const medians = await measure(subjects, { runs: runs * 3, log });
  goalRows.version = record(
    "7. start-up",
    `stages --version (${thisNode})`,
    `node -e 0 (${thisNode})`,
    medians["stages --version"],
    medians["node -e 0"],
  );
  if (node22) {
    goalRows["version-22"] = record(
      "7. start-up",
      "stages --version (Node 22)",
      "node -e 0 (Node 22)",
      medians["stages --version (Node 22)"],
      medians["node22 -e 0"],
      `${node22Version}; paired difference stages − node: ${signed(pairedDifference(medians, "stages --version (Node 22)", "node22 -e 0"))} ms (${thisNode}: ${signed(pairedDifference(medians, "stages --version", "node -e 0"))} ms)`,
    );
  }
  if (baselineCli) {
    record(
      "7. start-up",
      "stages --version",
      "baseline CLI: stages --version",
      medians["stages --version"],
      medians["baseline --version"],
      `median of the per-round differences: ${signed(pairedDifference(medians, "stages --version", "baseline --version"))} ms`,
    );
  }
}

if (only.has(8)) {
  // Issue 12: a Dockerfile built staged (one cached stage per instruction) against docker's own
  // builders on the same Dockerfile and the same context (what git tracks minus .dockerignore).
  const dockerfileProject = join(work, "dockerfile-project");
  const contextFiles = writeDockerfileProject(dockerfileProject, { project: `benchdf${run_id}`, baseImage });
  log(`scenario 8: staged Dockerfile (${contextFiles} context files) in ${dockerfileProject}`);
  const subjects = {
    stages: () => stages(["build", "--network", "none"], { cwd: dockerfileProject, env: onA }),
    classic: () => dockerBuild(environment.dockerHostA, "classic", ["-t", "bench-df-classic"], dockerfileProject),
    buildkit: () => dockerBuild(environment.dockerHostA, "buildkit", ["-t", "bench-df-buildkit"], dockerfileProject),
  };
  // Warm every builder: the first build of each fills its cache (stages' is a new project per run).
  for (const build of Object.values(subjects)) await build();
  const noOp = await measure(
    Object.fromEntries(
      Object.entries(subjects).map(([name, build]) => [name, { run: async () => (await build()).milliseconds }]),
    ),
    { runs, log },
  );
  const contextNote = `${contextFiles} context files, 2 build stages, 17 instructions`;
  record(
    "8a. Dockerfile no-op rebuild",
    "stages build",
    "docker build (classic)",
    noOp.stages,
    noOp.classic,
    contextNote,
  );
  record("8a. Dockerfile no-op rebuild", "stages build", "docker build (BuildKit)", noOp.stages, noOp.buildkit);
  // A different edit per round and subject, so that every build finds the file changed since its own last build.
  const changed = await measure(
    Object.fromEntries(
      Object.entries(subjects).map(([name, build]) => [
        name,
        {
          prepare: (round) => changeDockerfileSource(dockerfileProject, `${name[0]}${round}`),
          run: async () => (await build()).milliseconds,
        },
      ]),
    ),
    { runs, log },
  );
  record(
    "8b. Dockerfile, one source changed",
    "stages build",
    "docker build (classic)",
    changed.stages,
    changed.classic,
    "stages rebuilds 7 stages (COPY src/, RUN build, both COPY --from=build: a COPY --from signs the source stage, not the files it copies; USER, EXPOSE, CMD: chained after them); the classic builder 6 (its COPY --from=build /app/node_modules stays cached by content) and it sends the whole context every time",
  );
  record(
    "8b. Dockerfile, one source changed",
    "stages build",
    "docker build (BuildKit)",
    changed.stages,
    changed.buildkit,
    "BuildKit re-runs 3 instructions (COPY src/, RUN build, COPY --from=build /app/dist) and snapshots no config-only one",
  );
}

if (only.has(9)) {
  // Issue 13: hosts A and B build the same cold project (nothing local, nothing in REPO) at the
  // same moment with `build --repo --push`, without and with the Redis lock. Each round is a new
  // project and REPO (cold stages); the base image stays on both engines.
  log("scenario 9: two hosts build one cold project at once, without and with --lock");
  let coldRound = 0;
  const bothHosts = async (lock) => {
    const name = `bench9${run_id}${coldRound++}`;
    const directory = join(work, "distributed", name);
    writeProject(directory, { project: name, baseImage });
    const repository = `${proxy.address}/bench-${run_id}-${name}`;
    const args = ["build", "--json", "--network", "none", "--repo", repository, "--push", ...lock];
    const started = process.hrtime.bigint();
    const finished = await Promise.all([onA, onB].map((env) => stages(args, { cwd: directory, env })));
    const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
    // Each built stage ran its commands once on its host: the total over both hosts.
    const built = finished
      .flatMap((result) => JSON.parse(result.stdout).images.flatMap((image) => image.stages))
      .filter((stage) => stage.action === "built").length;
    for (const env of [onA, onB]) {
      const images = (
        await docker(env.DOCKER_HOST, ["images", `stages-storage/${name}`, "--format", "{{.Repository}}:{{.Tag}}"])
      ).stdout
        .split("\n")
        .filter(Boolean);
      if (images.length > 0) await docker(env.DOCKER_HOST, ["rmi", "-f", ...images], { allowFailure: true });
    }
    const perHost = JSON.parse(finished[0].stdout).images.flatMap((image) => image.stages).length;
    return { milliseconds, built, perHost };
  };
  const cold = await measure(
    {
      "without lock": { run: () => bothHosts([]) },
      "with --lock": { run: () => bothHosts(["--lock", environment.redisUrl]) },
    },
    { runs, log },
  );
  const stagesBuilt = (name) => cold.samples[name].map((sample) => sample.built).join(", ");
  record(
    "9. two hosts, one cold project at once",
    "with --lock",
    "without lock",
    cold["with --lock"],
    cold["without lock"],
    `wall time until both hosts are done; stages built in total over both hosts (${cold["with --lock"].perHost} stages a host), by round: with --lock ${stagesBuilt("with --lock")}, without ${stagesBuilt("without lock")}; paired difference with − without ${signed(pairedDifference(cold, "with --lock", "without lock"))} ms`,
  );
}

if (only.has(10)) {
  // The stages of the project pushed above, pulled onto host B emptied of this run's images first
  // (no build cache; only layers other images on B share stay, for both), by stages and by docker
  // (the last stage's tag: its layers are every stage's).
  log("scenario 10: pull onto an empty host");
  const plan = JSON.parse((await stages(["plan", "--json"], { cwd: project, env: onA })).stdout);
  const app = plan.images.find((image) => image.name === "app") ?? plan.images[0];
  const last = app.stages.at(-1).signature;
  const medians = await measure(
    {
      "stages pull": {
        prepare: () => wipeEngine(environment.dockerHostB),
        run: () => counted(() => stages(["pull", stagesRepo], { cwd: project, env: onB })),
      },
      "docker pull": {
        prepare: () => wipeEngine(environment.dockerHostB),
        run: () => counted(() => docker(environment.dockerHostB, ["pull", "-q", `${stagesRepo}:image-stage-${last}`])),
      },
    },
    { runs: Math.max(3, Math.ceil(runs / 2)), log },
  );
  record(
    "10. pull, empty host",
    `stages pull (${app.stages.length} stages)`,
    "docker pull of the last stage",
    medians["stages pull"],
    medians["docker pull"],
    "host B emptied of this run's images before every pull; stages asks REPO about each stage, then pulls the last one as docker does",
  );
}

if (only.has(11)) {
  // What `stages plan` costs beyond starting: nothing to build, nothing to ask a registry.
  log("scenario 11: no-op plan");
  const subjects = {
    "stages --version": { run: async () => (await stages(["--version"], {})).milliseconds },
    ...Object.fromEntries(
      sized.map(({ label, directory }) => [
        `stages plan (${label})`,
        { run: async () => (await stages(["plan"], { cwd: directory, env: onA })).milliseconds },
      ]),
    ),
    ...(node22
      ? {
          "stages plan (tiny, Node 22)": {
            run: async () => (await stages22(["plan"], { cwd: project, env: onA })).milliseconds,
          },
        }
      : {}),
    ...(node22
      ? { "stages --version (Node 22)": { run: async () => (await stages22(["--version"], {})).milliseconds } }
      : {}),
  };
  const medians = await measure(subjects, { runs, log });
  for (const { label } of sized) {
    const name = `stages plan (${label})`;
    record(
      "11. no-op plan",
      name,
      "stages --version",
      medians[name],
      medians["stages --version"],
      `the plan's own work (paired): ${signed(pairedDifference(medians, name, "stages --version"))} ms`,
    );
  }
  if (node22) {
    record(
      "11. no-op plan",
      "stages plan (tiny, Node 22)",
      "stages --version (Node 22)",
      medians["stages plan (tiny, Node 22)"],
      medians["stages --version (Node 22)"],
      `the plan's own work (paired): ${signed(pairedDifference(medians, "stages plan (tiny, Node 22)", "stages --version (Node 22)"))} ms`,
    );
  }
}

await proxy.close();

// Issue 16's goals, each read from a ratio of this run (a goal whose scenario did not run says so).
const goalSpecs = [
  { goal: "`stages --version` ≤ 1.3× `node -e 0`", key: "version", limit: 1.3, scenario: 7 },
  { goal: "`stages --version` ≤ 1.3× `node -e 0`, Node 22", key: "version-22", limit: 1.3, scenario: 7 },
  { goal: "no-op rebuild, tiny project ≤ 1.2× `docker build` (classic)", key: "noop-classic", limit: 1.2, scenario: 1 },
  {
    goal: "no-op rebuild, tiny project ≤ 1.2× `docker build` (classic), Node 22",
    key: "noop-classic-22",
    limit: 1.2,
    scenario: 1,
  },
  {
    goal: `no-op rebuild, realistic context (+${contextFiles} files) ≤ 0.5× BuildKit`,
    key: "noop-buildkit-realistic",
    limit: 0.5,
    scenario: 1,
  },
  {
    goal: `no-op rebuild, realistic context (+${contextFiles} files) ≤ 0.5× BuildKit, Node 22`,
    key: "noop-buildkit-realistic-22",
    limit: 0.5,
    scenario: 1,
  },
  { goal: "push of an already-pushed project ≤ 1.5× `docker push`", key: "push", limit: 1.5, scenario: 4 },
  {
    goal: "push of an already-pushed project: ≤ 1 request per stage",
    key: "push",
    limit: 1,
    scenario: 4,
    measured: (row) => ({
      value: row.stagesStageManifests / row.stageCount,
      text: `${row.stagesStageManifests} stage requests / ${row.stageCount} stages (${row.stagesRequests} requests in all)`,
    }),
  },
  { goal: "`stages plan` on 100 000 files ≤ 2.5× `git ls-files -s`", key: "plan", limit: 2.5, scenario: 6 },
];
const goals = goalSpecs
  .filter((spec) => only.has(spec.scenario) && (!spec.key.endsWith("-22") || node22))
  .map((spec) => {
    const row = goalRows[spec.key];
    if (!row) return { goal: spec.goal, limit: spec.limit, measured: null, text: "not measured", pass: null };
    const { value, text } = spec.measured ? spec.measured(row) : { value: row.ratio, text: `${row.ratio}×` };
    return { goal: spec.goal, limit: spec.limit, measured: Number(value.toFixed(2)), text, pass: value <= spec.limit };
  });

// The table, the machine, the command.
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()} ${arch()}, Node ${process.version}${node22Version ? ` (and ${node22Version} for the Node 22 rows)` : ""}, Docker Engine ${(await docker(environment.dockerHostA, ["version", "--format", "{{.Server.Version}}"])).stdout.trim()}; 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`;
const bytes = (value) =>
  value === undefined
    ? ""
    : value >= 1048576
      ? `${(value / 1048576).toFixed(1)} MiB`
      : `${(value / 1024).toFixed(1)} KiB`;
const lines = [
  `| scenario | stages | peer | stages (median) | peer (median) | ratio stages/peer | HTTP requests stages / peer | blob bytes pulled stages / peer |`,
  "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ...results.map(
    (row) =>
      `| ${row.scenario} | ${row.stages} | ${row.peer} | ${row.stagesMs} ms | ${row.peerMs} ms | ${row.ratio} | ${row.stagesRequests ?? ""}${row.peerRequests !== undefined ? ` / ${row.peerRequests}` : ""} | ${bytes(row.stagesBlobBytes)}${row.peerBlobBytes !== undefined ? ` / ${bytes(row.peerBlobBytes)}` : ""} |`,
  ),
];
const date = new Date().toISOString().slice(0, 10);
const noted = results.filter((row) => row.notes);
const notes =
  noted.length === 0
    ? ""
    : `\n${noted.map((row) => `- ${row.scenario}, ${row.stages} vs ${row.peer}: ${row.notes}`).join("\n")}\n`;
// Scenarios 3 and 7 run another number of rounds; say so only when they ran.
const exceptions = [
  ...(only.has(3) ? [`scenario 3 of ${Math.max(3, Math.ceil(runs / 2))}`] : []),
  ...(only.has(10) ? [`scenario 10 of ${Math.max(3, Math.ceil(runs / 2))}`] : []),
  ...(only.has(7) ? [`scenario 7 of ${runs * 3}`] : []),
]
  .map((exception) => `; ${exception}`)
  .join("");
const goalLines =
  goals.length === 0
    ? ""
    : `\n## Goals (issue 16)\n\n| goal | measured | pass |\n| --- | ---: | --- |\n${goals
        .map((goal) => `| ${goal.goal} | ${goal.text} | ${goal.pass === null ? "—" : goal.pass ? "pass" : "miss"} |`)
        .join("\n")}\n`;
const markdown = `# Benchmarks ${date}\n\nMachine: ${machine}.\nCommand: \`pnpm bench --runs ${runs}${options.only === allScenarios ? "" : ` --only ${options.only}`}${options.cli ? ` --cli ${options.cli}` : ""}${baselineCli ? ` --baseline-cli ${options["baseline-cli"]}` : ""}${options.node22 ? ` --node22 ${options.node22}` : ""}\` (medians of ${runs} runs after a warm-up${exceptions}).\n\n${lines.join("\n")}\n${notes}${goalLines}`;
mkdirSync(join(here, "results"), { recursive: true });
// A run of some scenarios only does not replace the full table.
const partial = options.only === allScenarios ? "" : `-only-${[...only].join("-")}`;
writeFileSync(join(here, "results", `${date}${partial}.md`), markdown);
writeFileSync(
  join(here, "results", `latest${partial}.json`),
  `${JSON.stringify({ date, machine, node22: node22Version, runs, baselineCli: options["baseline-cli"], results, goals }, null, 2)}\n`,
);
process.stdout.write(`${markdown}`);
