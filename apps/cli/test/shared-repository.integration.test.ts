import { requireTestEnvironment } from "@stages/testenv";
import { describe, expect, it } from "vitest";
import { allStages, makeRepository, stages, uniqueName } from "./helpers.js";

// Two projects with the very same image push into one REPO. The project is an input of every
// signature, so their stages have distinct tags: neither overwrites, skips or breaks the other's.
const environment = requireTestEnvironment();
const onA = { DOCKER_HOST: environment.dockerHostA };
const onB = { DOCKER_HOST: environment.dockerHostB };

const config = (project: string) => `project: ${project}
configVersion: 1
---
image: app
from: ${environment.baseImage}
shell:
  install: [echo same > /same]
docker:
  CMD: ["cat", "/same"]
`;

describe("two projects sharing one REPO", () => {
  it("build, push and pull --all each project's own stages", { timeout: 180_000 }, async () => {
    const repository = `${environment.registry}/${uniqueName("shared")}`;
    const projects = [uniqueName("first"), uniqueName("second")].map((project) => ({
      project,
      directory: makeRepository({ "stages.yaml": config(project) }),
    }));

    const signatures: string[][] = [];
    for (const { directory } of projects) {
      const build = await stages(["build", "--json", "--network", "none"], { cwd: directory, env: onA });
      expect(build.code, build.stderr).toBe(0);
      signatures.push(allStages(build).map((stage) => stage.signature));
      const push = await stages(["push", "--json", repository], { cwd: directory, env: onA });
      expect(push.code, push.stderr).toBe(0);
      // The second project's stages are its own: pushed, not skipped as if the first one's were them.
      expect(allStages(push).map((stage) => stage.action)).toEqual(["pushed", "pushed", "pushed"]);
    }
    const [first, second] = signatures as [string[], string[]];
    expect(first).toHaveLength(3);
    expect(second.filter((signature) => first.includes(signature))).toEqual([]);

    // A fresh host pulls each project's stages; following one project never breaks the other.
    for (const { directory } of [...projects].reverse()) {
      const pull = await stages(["pull", "--json", "--all", repository], { cwd: directory, env: onB });
      expect(pull.code, pull.stderr).toBe(0);
      expect(allStages(pull).map((stage) => stage.action)).toEqual(["pulled", "pulled", "pulled"]);
    }
  });
});
