import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { BuildSecretReader, SecretSpec, StagesStorage } from "@stages/core";
import { stageLabels } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentOwner, ownerLabel } from "../src/build-leftovers.js";
import { createDockerStageBuilder, createDockerStagesStorage } from "../src/index.js";
import type { TestEngine } from "./engine.js";
import { startTestEngine } from "./engine.js";
import { MemoryGitSource } from "./memory-git-source.js";
import { stageRequest } from "./stage-requests.js";

// The secrets volume of a shell stage (build-mounts) holds secret values on the engine's disk:
// it goes after the stage whatever happens, and a killed run's is swept like its container.

let engine: TestEngine;
let storage: StagesStorage;
const project = `secrets-${randomBytes(3).toString("hex")}`;
const secret: SecretSpec = {
  id: "token",
  source: { kind: "value", value: "value-of-the-token" },
  position: { file: "stages.yaml", line: 1, column: 1 },
};
const reader: BuildSecretReader = {
  read: async (spec) => new TextEncoder().encode(spec.source.kind === "value" ? spec.source.value : ""),
};

beforeAll(async () => {
  engine = await startTestEngine();
  storage = createDockerStagesStorage({ connection: engine.connection, project });
});

afterAll(async () => {
  if (engine) {
    for (const volume of secretsVolumes()) spawnSync("docker", ["-H", engine.host, "volume", "rm", "-f", volume]);
    for (const each of await storage.list()) await storage.delete(each.signature);
    await engine.stop();
  }
});

function secretsVolumes(): string[] {
  return engine
    .docker(["volume", "ls", "-q", "--filter", `label=${stageLabels.project}=${project}`])
    .split("\n")
    .filter((name) => name.startsWith("stages-secrets-"));
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

function leftoverVolume(owner: string): string {
  const name = `stages-secrets-${randomBytes(8).toString("hex")}`;
  engine.docker([
    "volume",
    "create",
    "--label",
    `${stageLabels.project}=${project}`,
    "--label",
    `${ownerLabel}=${owner}`,
    name,
  ]);
  return name;
}

const builder = (secrets?: BuildSecretReader) =>
  createDockerStageBuilder({
    connection: engine.connection,
    git: new MemoryGitSource(),
    ...(secrets ? { secrets } : {}),
  });

async function fromStage() {
  const request = stageRequest(project, {
    stage: "from",
    instructions: { kind: "from", base: { type: "image", reference: engine.baseImage, digest: null } },
  });
  await builder().build(request);
  return request.signature;
}

describe("the secrets volume of a shell stage", () => {
  it("is read through the reader, mounted read-only, and removed after the stage, failed or not", async () => {
    const base = await fromStage();
    const shell = (commands: string[]) =>
      stageRequest(project, {
        stage: "install",
        base,
        instructions: { kind: "shell", commands, gitUpdates: [], secrets: [secret] },
      });
    const events: string[] = [];
    const good = shell([
      'test "$(cat /run/secrets/token)" = value-of-the-token',
      "! touch /run/secrets/other 2>/dev/null",
      "echo the token is $(cat /run/secrets/token)",
    ]);
    good.onEvent = (event) => {
      if (event.type === "output") events.push(event.text);
    };
    await builder(reader).build(good);
    // The builder blanks the value itself, whoever the host is.
    expect(events.join("")).toBe("the token is ***\n");
    expect(secretsVolumes()).toEqual([]);

    const failing = shell(["cat /run/secrets/token", "exit 3"]);
    const error = await builder(reader)
      .build(failing)
      .catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("exited with code 3");
    expect((error as Error).message).not.toContain("value-of-the-token");
    expect(secretsVolumes()).toEqual([]);
  });

  it("needs a reader: without one the build says so", async () => {
    const base = await fromStage();
    const request = stageRequest(project, {
      stage: "install",
      base,
      instructions: { kind: "shell", commands: ["true"], gitUpdates: [], secrets: [secret] },
    });
    await expect(builder().build(request)).rejects.toThrow(/needs secrets \(token\) and no host reads them/);
  });

  it("left by a killed run is swept before the next build; a live run's stays", async () => {
    const dead = leftoverVolume(`${hostname()}:${deadPid()}:1700000000000`);
    const live = leftoverVolume(currentOwner());
    const elsewhere = leftoverVolume("some-other-host:4242:1700000000000");
    await fromStage();
    expect(secretsVolumes().sort()).toEqual([elsewhere, live].sort());
    expect(secretsVolumes()).not.toContain(dead);
  });
});
