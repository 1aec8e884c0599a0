import { join } from "node:path";
import { requireTestEnvironment } from "@stages/testenv";
import { describe, expect, it } from "vitest";
import { docker, repositoryRoot, stages } from "./helpers.js";

// The README's main job: build examples/hello on the local engine, then run what it built.
describe("examples/hello", () => {
  const environment = requireTestEnvironment();

  it("builds, and the image runs with its files, owner and instructions", async () => {
    const directory = join(repositoryRoot, "examples", "hello");
    const env = { DOCKER_HOST: environment.dockerHostA };
    const built = await stages(["build", "--network", "none", "--json"], { cwd: directory, env });
    expect(built.code, built.stderr).toBe(0);
    const last = built.json.images[0].stages.at(-1);
    expect(last.name).toBe("dockerInstructions");
    const image = `stages-storage/hello:${last.signature}`;
    const output = docker(environment.dockerHostA, "run", "--rm", "--network", "none", image);
    expect(output).toContain("Hello from a stage-built image!");
    expect(output).toContain("packages: colors greeter");
    expect(output).toContain("running as app in /app");
    const config = JSON.parse(
      docker(environment.dockerHostA, "image", "inspect", "--format", "{{json .Config}}", image),
    );
    expect(config.Env).toContain("HELLO_HOME=/opt/hello");
    expect(config.Labels["org.opencontainers.image.title"]).toBe("hello");
    expect(config.Labels["io.stages.stage"]).toBe("dockerInstructions");
    const again = await stages(["build", "--network", "none", "--json"], { cwd: directory, env });
    expect(again.json.images[0].stages.every((stage: { action: string }) => stage.action === "cached")).toBe(true);
  });
});
