import { requireTestEnvironment } from "@stages/testenv";
import { beforeAll, describe, expect, it } from "vitest";
import { actionsOf, docker, makeRepository, uniqueName } from "../helpers.js";
import { incompleteLocalStages, leftoverContainers, projectSignatures } from "./leftovers.js";
import { isCompleteJson, stages, startStages } from "./running-command.js";

// Ctrl-C at the two moments the CLI itself decides about (DESIGN §10): a second signal while the
// first one's cleanup runs, and a signal that comes after the work finished.
const environment = requireTestEnvironment();
const onA = { DOCKER_HOST: environment.dockerHostA };

const config = (project: string, sleepSeconds: number) => `project: ${project}
configVersion: 1
---
image: app
from: ${environment.baseImage}
shell:
  install: [echo ${project} > /installed]
  setup: [echo setup-started; sleep ${sleepSeconds}; echo ${project} > /set-up]
`;

/** Waits until a container of this signature runs on engine A. */
async function containerRunning(signature: string, deadlineMs = 60_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const status = docker(
      environment.dockerHostA,
      "ps",
      "--filter",
      `name=stages-build-${signature.slice(0, 12)}`,
      "--format",
      "{{.Status}}",
    );
    if (status.startsWith("Up")) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no build container of ${signature} ran within ${deadlineMs} ms`);
}

describe("Ctrl-C and the exit code", () => {
  it("lets the cleanup of the first signal finish when a second one follows 10 ms later (as `timeout` sends them)", async () => {
    const project = uniqueName("ctrlc");
    const directory = makeRepository({ "stages.yaml": config(project, 3) });
    const signatures = await projectSignatures(directory, onA);
    const setupSignature = signatures.at(-1) as string;
    const running = startStages(["build", "--network", "none"], { cwd: directory, env: onA });
    await containerRunning(setupSignature);
    running.interrupt("SIGINT", 10);
    const ended = await running.ended;
    expect(ended.code, ended.stderr).toBe(130);
    expect(ended.stderr).toContain("still removing temporary containers and aliases");
    expect(leftoverContainers(environment.dockerHostA, signatures)).toEqual([]);
    expect(incompleteLocalStages(environment.dockerHostA, project)).toEqual([]);
    const planned = await stages(["plan", "--json"], { cwd: directory, env: onA });
    expect(planned.json.images[0].stages.at(-1)).toMatchObject({ name: "setup", local: false });

    const rerun = await stages(["build", "--json", "--network", "none"], { cwd: directory, env: onA });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(actionsOf(rerun, "app")).toMatchObject({ install: "cached", setup: "built" });
    expect(leftoverContainers(environment.dockerHostA, signatures)).toEqual([]);
  });

  it("the same with SIGTERM twice, 10 ms apart", async () => {
    const project = uniqueName("ctrlc");
    const directory = makeRepository({ "stages.yaml": config(project, 3) });
    const signatures = await projectSignatures(directory, onA);
    const running = startStages(["build", "--network", "none"], { cwd: directory, env: onA });
    await containerRunning(signatures.at(-1) as string);
    running.interrupt("SIGTERM", 10);
    const ended = await running.ended;
    expect(ended.code, ended.stderr).toBe(130);
    expect(leftoverContainers(environment.dockerHostA, signatures)).toEqual([]);
    expect(incompleteLocalStages(environment.dockerHostA, project)).toEqual([]);
  });

  describe("after the work finished", () => {
    let directory: string;
    beforeAll(async () => {
      directory = makeRepository({ "stages.yaml": config(uniqueName("ctrlc"), 0) });
      const first = await stages(["build", "--json", "--network", "none"], { cwd: directory, env: onA });
      expect(first.code, first.stderr).toBe(0);
    });

    // The result document is printed as the last thing the work does: a signal sent as soon as it
    // is complete on stdout arrives while the process is winding down.
    it("exits 0 when a SIGINT (or two) comes right after the result document was printed", async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const running = startStages(["build", "--json", "--network", "none"], { cwd: directory, env: onA });
        await running.waitFor(({ stdout }) => isCompleteJson(stdout));
        running.interrupt("SIGINT", ...(attempt % 2 === 1 ? [10] : []));
        const ended = await running.ended;
        expect(ended.signal, ended.stderr).toBe(null);
        expect(ended.code, ended.stderr).toBe(0);
        expect(JSON.parse(ended.stdout).images[0].stages.at(-1).action).toBe("cached");
      }
    });
  });
});
