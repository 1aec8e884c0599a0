import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { requireTestEnvironment } from "./index.js";
import { dockerClient } from "./paths.js";

function docker(host: string, ...args: string[]): string {
  const result = spawnSync(dockerClient(), ["-H", host, ...args], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`docker ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout.trim();
}

describe("test environment", () => {
  const environment = requireTestEnvironment();

  it("runs two separate engines", () => {
    expect(docker(environment.dockerHostA, "info", "--format", "{{.DockerRootDir}}")).not.toBe(
      docker(environment.dockerHostB, "info", "--format", "{{.DockerRootDir}}"),
    );
  });

  it("moves the base image from engine A to engine B through the registry by digest", () => {
    const repository = `${environment.registry}/testenv/busybox`;
    const tag = `${repository}:check-${process.pid}`;
    docker(environment.dockerHostA, "pull", environment.baseImage);
    docker(environment.dockerHostA, "tag", environment.baseImage, tag);
    const pushed = docker(environment.dockerHostA, "push", tag);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    docker(environment.dockerHostA, "rmi", tag);

    const byDigest = `${repository}@${digest}`;
    docker(environment.dockerHostB, "rmi", "-f", byDigest);
    docker(environment.dockerHostB, "pull", byDigest);
    const repoDigests = JSON.parse(
      docker(environment.dockerHostB, "image", "inspect", "--format", "{{json .RepoDigests}}", byDigest),
    );
    expect(repoDigests).toContain(byDigest);
    expect(docker(environment.dockerHostB, "run", "--rm", "--network", "none", byDigest, "echo", "hello from B")).toBe(
      "hello from B",
    );
  });

  it("guards the second registry with basic auth", async () => {
    const anonymous = await fetch(`http://${environment.registryAuth}/v2/`);
    expect(anonymous.status).toBe(401);
    const authorization = `Basic ${Buffer.from(`${environment.registryUser}:${environment.registryPassword}`).toString("base64")}`;
    const authenticated = await fetch(`http://${environment.registryAuth}/v2/`, { headers: { authorization } });
    expect(authenticated.status).toBe(200);
  });
});
