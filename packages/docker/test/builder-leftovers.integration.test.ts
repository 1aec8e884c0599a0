import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { StageBuilder, StagesStorage } from "@stages/core";
import { stageLabels } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentOwner } from "../src/build-leftovers.js";
import { createDockerStageBuilder, createDockerStagesStorage } from "../src/index.js";
import type { TestEngine } from "./engine.js";
import { startTestEngine } from "./engine.js";
import { MemoryGitSource } from "./memory-git-source.js";
import { stageRequest } from "./stage-requests.js";

// Defect 6 of issue 10: after two SIGINTs a build container `stages-build-<sig>-*` (Exited 137)
// and a dangling commit stayed, and later runs never cleaned them up.

let engine: TestEngine;
let storage: StagesStorage;
const project = `leftovers-${randomBytes(3).toString("hex")}`;
const ownerLabel = "io.stages.owner";
const made: string[] = [];

beforeAll(async () => {
  engine = await startTestEngine();
  storage = createDockerStagesStorage({ connection: engine.connection, project });
});

afterAll(async () => {
  if (engine) {
    for (const name of made) spawnSync("docker", ["-H", engine.host, "rm", "-f", name]);
    for (const each of await storage.list()) await storage.delete(each.signature);
    await engine.stop();
  }
});

const builder = (leftovers: { maxAgeMs?: number; danglingMinAgeMs?: number }): StageBuilder =>
  createDockerStageBuilder({ connection: engine.connection, git: new MemoryGitSource(), leftovers });

/** The pid of a process of this host that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

/** A container as a run's build container is, stopped (Exited) or still running. */
function leftoverContainer(owner: string, running = false): string {
  const name = `stages-build-${randomBytes(6).toString("hex")}`;
  made.push(name);
  engine.docker([
    "run",
    "-d",
    "--name",
    name,
    "--network",
    "none",
    "--label",
    `${stageLabels.project}=${project}`,
    "--label",
    `${ownerLabel}=${owner}`,
    engine.baseImage,
    "/bin/sh",
    "-c",
    running ? "sleep 600" : "exit 137",
  ]);
  if (!running) engine.docker(["wait", name]);
  return name;
}

/** An untagged commit labelled with the project, as a run killed between commit and tag leaves. */
function danglingCommit(): string {
  const name = `stages-build-${randomBytes(6).toString("hex")}`;
  engine.docker(["create", "--name", name, "--network", "none", engine.baseImage, "/bin/sh"]);
  const id = engine.docker(["commit", "--change", `LABEL ${stageLabels.project}=${project}`, name]).trim();
  engine.docker(["rm", name]);
  return id;
}

const exists = (name: string) => spawnSync("docker", ["-H", engine.host, "inspect", name]).status === 0;

const fromStage = () =>
  stageRequest(project, {
    stage: "from",
    instructions: { kind: "from", base: { type: "image", reference: engine.baseImage, digest: null } },
  });

describe("the builder removes what killed runs of its project left", () => {
  it("containers of dead owners and old ones of other hosts; unused old commits; nothing of live runs", async () => {
    const dead = leftoverContainer(`${hostname()}:${deadPid()}:1700000000000`);
    const deadRunning = leftoverContainer(`${hostname()}:${deadPid()}:1700000000000`, true);
    const reusedPid = leftoverContainer(`${hostname()}:${process.pid}:1600000000000`);
    const otherHost = leftoverContainer("some-other-host:4242:1700000000000");
    // This very process: the builder's own owner label.
    const live = leftoverContainer(currentOwner());
    const unusedCommit = danglingCommit();
    const usedCommit = danglingCommit();
    const user = `stages-keep-${randomBytes(4).toString("hex")}`;
    made.push(user);
    engine.docker(["create", "--name", user, "--network", "none", usedCommit, "/bin/sh"]);

    // A young commit may belong to a concurrent run between commit and tag: kept for now.
    await builder({}).build(fromStage());
    for (const name of [dead, deadRunning, reusedPid]) expect(exists(name), name).toBe(false);
    for (const name of [otherHost, live, unusedCommit, usedCommit, user]) expect(exists(name), name).toBe(true);

    // Older than the bounds: a stopped container of another host's run and an unused commit go.
    await builder({ maxAgeMs: 0, danglingMinAgeMs: 0 }).build(fromStage());
    expect(exists(otherHost)).toBe(false);
    expect(exists(unusedCommit)).toBe(false);
    expect(exists(usedCommit)).toBe(true);
    expect(exists(user)).toBe(true);
    expect(exists(live)).toBe(true);
  });

  it("labels its own containers with the project and its owner", async () => {
    const seen = new Set<string>();
    let labels: Record<string, string> | null = null;
    const watching = setInterval(() => {
      for (const name of engine.containersNamed("stages-build-")) {
        if (seen.has(name)) continue;
        const out = spawnSync("docker", ["-H", engine.host, "inspect", "--format", "{{json .Config.Labels}}", name], {
          encoding: "utf8",
        });
        const found = out.status === 0 ? (JSON.parse(out.stdout) as Record<string, string>) : null;
        if (found?.[stageLabels.project] === project) {
          seen.add(name);
          labels = found;
        }
      }
    }, 100);
    try {
      const from = await builder({}).build(fromStage());
      await builder({ maxAgeMs: 0 }).build(
        stageRequest(project, {
          stage: "install",
          base: from.signature,
          instructions: { kind: "shell", gitUpdates: [], commands: ["sleep 1"] },
        }),
      );
    } finally {
      clearInterval(watching);
    }
    expect(labels).not.toBeNull();
    expect(labels?.[ownerLabel]).toMatch(new RegExp(`^${hostname()}:${process.pid}:\\d+$`));
  });
});
