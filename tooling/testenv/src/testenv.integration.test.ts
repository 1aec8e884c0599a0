import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { requireTestEnvironment } from "./index.js";
import { dockerClient } from "./paths.js";
import { redisCommand } from "./redis.js";

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

  function ssh(
    input: string | undefined,
    ...command: string[]
  ): { status: number | null; stdout: string; stderr: string } {
    const url = new URL(environment.sshDockerHost);
    return spawnSync(
      "ssh",
      [
        ...["-i", environment.sshKey, "-p", url.port, "-l", url.username],
        // The host is checked against the testenv's known_hosts file.
        ...["-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${environment.sshKnownHosts}`],
        ...["-o", "BatchMode=yes", "-o", "LogLevel=ERROR", url.hostname, ...command],
      ],
      { encoding: "utf8", input, timeout: 60_000 },
    );
  }

  it("reaches engine B through the sshd, as DOCKER_HOST=ssh:// does (docker system dial-stdio)", () => {
    expect(environment.sshDockerHost).toBe("ssh://root@127.0.0.1:5792");
    const ping = ssh(
      "GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n",
      "docker",
      "system",
      "dial-stdio",
    );
    // Nothing on stderr but, at times, docker 20.10's own race between the engine closing the
    // connection (Connection: close) and dial-stdio half-closing it after stdin's end: that one line
    // is said after the whole answer was relayed, and says nothing of ssh or the engine.
    const closeWriteRace =
      /^time="[^"]*" level=error msg="error while CloseWrite \(stdin to stream\): close unix @->\S+: use of closed network connection"$/;
    expect(ping.stderr.split("\n").filter((line) => line !== "" && !closeWriteRace.test(line))).toEqual([]);
    expect(ping.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(ping.stdout).toMatch(/\r\n\r\nOK$/);
    // The session's engine is B, and its docker client the one that matches the engines.
    const remote = ssh(undefined, "docker", "info", "--format", "{{.DockerRootDir}}");
    expect(remote.status).toBe(0);
    expect(remote.stdout.trim()).toBe(docker(environment.dockerHostB, "info", "--format", "{{.DockerRootDir}}"));
    const version = ssh(undefined, "docker", "version", "--format", "{{.Client.Version}}/{{.Server.Version}}");
    expect(version.stdout.trim()).toBe(
      docker(environment.dockerHostB, "version", "--format", "{{.Client.Version}}/{{.Server.Version}}"),
    );
  });

  it("lets no one in without the testenv's key", () => {
    const url = new URL(environment.sshDockerHost);
    const result = spawnSync(
      "ssh",
      [
        ...["-p", url.port, "-l", url.username, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"],
        ...["-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "IdentityFile=/dev/null", url.hostname, "true"],
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(result.status).toBe(255);
    expect(result.stderr).toContain("Permission denied");
  });

  it("runs a Redis server without persistence for the build lock", async () => {
    expect(environment.redisUrl).toBe("redis://127.0.0.1:5793");
    const port = Number(new URL(environment.redisUrl).port);
    expect(await redisCommand(port, "PING")).toBe("+PONG");
    const key = `stages-testenv-check-${process.pid}`;
    expect(await redisCommand(port, "SET", key, "1", "NX", "PX", "10000")).toBe("+OK");
    expect(await redisCommand(port, "SET", key, "1", "NX", "PX", "10000")).toBe("$-1");
    expect(await redisCommand(port, "DEL", key)).toBe(":1");
    expect(await redisCommand(port, "CONFIG", "GET", "save")).toBe("*2");
    expect(await redisCommand(port, "CONFIG", "GET", "appendonly")).toBe("*2");
  });
});
