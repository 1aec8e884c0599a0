// A Docker Engine for the tests: STAGES_TEST_DOCKER_HOST_A when the test environment provides one,
// else a private dockerd with its own data root and socket, stopped after the test file.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireProgram } from "./registry-server.js";

export interface DockerDaemon {
  /** `unix:///...` */
  host: string;
  /** Runs the docker client against this engine; rejects with its stderr on failure. */
  docker(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

const dockerClient = existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker";

function runDocker(host: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      dockerClient,
      ["-H", host, ...args],
      { maxBuffer: 64 * 1024 * 1024, encoding: "buffer" },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`docker ${args.join(" ")} failed: ${stderr.toString()}`));
        else resolve(stdout.toString("latin1"));
      },
    );
  });
}

export async function startDockerDaemon(): Promise<DockerDaemon> {
  const shared = process.env.STAGES_TEST_DOCKER_HOST_A;
  if (shared) {
    return { host: shared, docker: (args) => runDocker(shared, args), stop: async () => {} };
  }
  requireProgram("dockerd", "apt-get install docker.io");
  const directory = mkdtempSync(join(tmpdir(), "stages-dockerd-test-"));
  // containerd's socket paths must stay short: the exec root lives directly under /tmp.
  const execRoot = mkdtempSync("/tmp/sdx-");
  const socket = join(directory, "d.sock");
  const host = `unix://${socket}`;
  const child: ChildProcess = spawn(
    "dockerd",
    [
      "--data-root",
      join(directory, "data"),
      "--exec-root",
      join(execRoot, "exec"),
      "--pidfile",
      join(directory, "pid"),
      "-H",
      host,
      "--bridge=none",
      "--iptables=false",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`dockerd exited while starting:\n${output.slice(-4000)}`);
    if (existsSync(socket)) {
      try {
        await runDocker(host, ["version", "--format", "{{.Server.Version}}"]);
        break;
      } catch {
        // not ready yet
      }
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`dockerd did not start within 30 s:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    host,
    docker: (args) => runDocker(host, args),
    async stop() {
      if (!exited) {
        const gone = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 15_000))]);
        if (!exited) child.kill("SIGKILL");
      }
      rmSync(directory, { recursive: true, force: true });
      rmSync(execRoot, { recursive: true, force: true });
    },
  };
}
