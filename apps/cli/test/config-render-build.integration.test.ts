import { rmSync } from "node:fs";
import { requireTestEnvironment } from "@stages/testenv";
import { afterAll, describe, expect, it } from "vitest";
import { actionsOf, makeRepository, stages, uniqueName } from "./helpers.js";

// A templated werf.yaml builds on the real engine: signatures follow the rendered text, so what a
// template read (an env value, --env) rebuilds exactly the stages its value reaches.

const environment = requireTestEnvironment();
const project = uniqueName("tplbuild");

const directory = makeRepository({
  "werf.yaml": `project: ${project}
configVersion: 1
---
image: app
from: {{ env "STAGES_E2E_BASE" }}
shell:
  install:
  {{- include "install" . | nindent 4 }}
  setup:
  - echo {{ env "STAGES_E2E_SETUP" "default" }} > /setup.txt
`,
  ".werf/_helpers.tmpl": `{{- define "install" -}}
- echo {{ .Env }} > /env.txt
{{- end }}
`,
});

afterAll(async () => {
  // The project's stages go with it (a unique project: nothing else uses them).
  const purge = await stages(["host", "purge", "--env", "production"], {
    cwd: directory,
    env: { DOCKER_HOST: environment.dockerHostA, STAGES_E2E_BASE: environment.baseImage },
  });
  rmSync(directory, { recursive: true, force: true });
  if (purge.code !== 0) throw new Error(`host purge failed: ${purge.stderr}`);
}, 60_000);

const build = (args: string[], setup?: string) =>
  stages(["build", "--json", "--network", "none", ...args], {
    cwd: directory,
    env: { DOCKER_HOST: environment.dockerHostA, STAGES_E2E_BASE: environment.baseImage, STAGES_E2E_SETUP: setup },
  });

describe("a templated werf.yaml on the engine", () => {
  it("builds, and rebuilds what a changed --env or env value reaches, nothing else", async () => {
    const first = await build(["--env", "production"]);
    expect(first.stderr).not.toContain("error");
    expect(first.code).toBe(0);
    expect(actionsOf(first, "app")).toMatchObject({ install: "built", setup: "built" });

    const same = await build(["--env", "production"]);
    expect(same.code).toBe(0);
    expect(Object.values(actionsOf(same, "app")).every((action) => action !== "built")).toBe(true);

    // .Env is in install's commands: install and what follows rebuild.
    const staging = await build(["--env", "staging"]);
    expect(actionsOf(staging, "app")).toMatchObject({ install: "built", setup: "built" });

    // An env value only setup's command holds: setup alone rebuilds.
    const setup = await build(["--env", "staging"], "changed");
    expect(actionsOf(setup, "app")).toMatchObject({ install: expect.not.stringMatching(/^built$/), setup: "built" });
  });
});
