import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DockerConnection } from "../src/index.js";
import { createDockerConnection, importRootfs, removeImage } from "../src/index.js";

/**
 * A Docker Engine for integration tests: the test environment's engine A when
 * STAGES_TEST_DOCKER_HOST_A is set, otherwise a private dockerd started here (own data root,
 * exec root and socket; no bridge, no iptables) and stopped by `stop`.
 */
export interface TestEngine {
  connection: DockerConnection;
  /** For `docker -H`. */
  host: string;
  /** A busybox image with root and `app` (uid/gid 1000), PATH set, no CMD. */
  baseImage: string;
  /** Runs the docker CLI against the engine; returns stdout. */
  docker(args: string[]): string;
  /** Names of containers (running or not) whose name starts with `prefix`. */
  containersNamed(prefix: string): string[];
  stop(): Promise<void>;
}

const basePath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export async function startTestEngine(): Promise<TestEngine> {
  const shared = process.env.STAGES_TEST_DOCKER_HOST_A;
  const engine = shared ? { host: shared, stop: async () => {} } : await startPrivateDockerd();
  const connection = createDockerConnection({ host: engine.host });
  try {
    await connection.ping();
  } catch (error) {
    await engine.stop();
    throw error;
  }
  const baseImage = `stages-docker-test/busybox:${randomBytes(4).toString("hex")}`;
  const rootfs = mkdtempSync(join(tmpdir(), "stages-rootfs-"));
  try {
    makeBusyboxRootfs(rootfs);
    await importRootfs(connection, { rootfs, reference: baseImage, changes: [`ENV ${basePath}`] });
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
  const docker = (args: string[]) =>
    execFileSync("docker", ["-H", engine.host, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return {
    connection,
    host: engine.host,
    baseImage,
    docker,
    containersNamed: (prefix) =>
      docker(["ps", "-a", "--format", "{{.Names}}"])
        .split("\n")
        .filter((name) => name.startsWith(prefix)),
    async stop() {
      if (shared) await removeImage(connection, baseImage, { force: true }).catch(() => {});
      await engine.stop();
    },
  };
}

/** A root file system of Debian's static busybox with every applet, root and an `app` user. */
export function makeBusyboxRootfs(rootfs: string): void {
  for (const directory of ["bin", "etc", "tmp", "root", "home/app", "usr/local/bin"]) {
    mkdirSync(join(rootfs, directory), { recursive: true });
  }
  chmodSync(join(rootfs, "tmp"), 0o1777);
  copyFileSync("/usr/bin/busybox", join(rootfs, "bin", "busybox"));
  chmodSync(join(rootfs, "bin", "busybox"), 0o755);
  const applets = execFileSync("/usr/bin/busybox", ["--list"], { encoding: "utf8" })
    .split("\n")
    .filter((name) => name !== "" && name !== "busybox");
  for (const applet of applets) symlinkSync("busybox", join(rootfs, "bin", applet));
  writeFileSync(
    join(rootfs, "etc", "passwd"),
    "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n",
  );
  writeFileSync(join(rootfs, "etc", "group"), "root:x:0:\napp:x:1000:\nstaff:x:50:\n");
}

/** Extra listeners of a private dockerd: TCP with TLS (client certificates required). */
export interface PrivateDockerdOptions {
  tls?: { port: number; ca: string; cert: string; key: string };
}

/** Starts a dockerd of its own; `host` is its unix socket. */
export async function startPrivateDockerd(
  options: PrivateDockerdOptions = {},
): Promise<{ host: string; stop(): Promise<void> }> {
  // Unix socket paths must stay under ~100 characters: keep everything in a short /tmp directory.
  const directory = mkdtempSync("/tmp/sd-");
  const socket = join(directory, "d.sock");
  const logFile = join(directory, "dockerd.log");
  const configFile = join(directory, "daemon.json");
  writeFileSync(configFile, "{}\n");
  const log = openSync(logFile, "a");
  const child = spawn(
    "dockerd",
    [
      "--data-root",
      join(directory, "data"),
      "--exec-root",
      join(directory, "exec"),
      "--pidfile",
      join(directory, "pid"),
      "-H",
      `unix://${socket}`,
      "--config-file",
      configFile,
      "--bridge=none",
      "--iptables=false",
      "--ip-masq=false",
      ...(options.tls
        ? [
            "-H",
            `tcp://127.0.0.1:${options.tls.port}`,
            "--tlsverify",
            "--tlscacert",
            options.tls.ca,
            "--tlscert",
            options.tls.cert,
            "--tlskey",
            options.tls.key,
          ]
        : []),
    ],
    { stdio: ["ignore", log, log] },
  );
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const host = `unix://${socket}`;
  const stop = async () => {
    await stopProcess(child, exited);
    rmSync(directory, { recursive: true, force: true, maxRetries: 3 });
  };
  const connection = createDockerConnection({ host });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      const tail = readFileSync(logFile, "utf8").split("\n").slice(-20).join("\n");
      rmSync(directory, { recursive: true, force: true });
      throw new Error(`dockerd exited with code ${child.exitCode} while starting:\n${tail}`);
    }
    try {
      await connection.ping();
      return { host, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`dockerd did not answer on ${socket} within 30 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function stopProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const stopped = await Promise.race([exited.then(() => true), delay(20_000).then(() => false)]);
  if (!stopped) {
    child.kill("SIGKILL");
    await exited;
  }
}

/** A CNCF Distribution registry for tests: STAGES_TEST_REGISTRY when set, else a private one on a free port. */
export interface TestRegistry {
  /** `host:port`. */
  address: string;
  stop(): Promise<void>;
}

export async function startTestRegistry(): Promise<TestRegistry> {
  const shared = process.env.STAGES_TEST_REGISTRY;
  if (shared) return { address: shared, stop: async () => {} };
  const directory = mkdtempSync(join(tmpdir(), "stages-registry-"));
  const port = await freePort();
  const configFile = join(directory, "config.yml");
  writeFileSync(
    configFile,
    [
      "version: 0.1",
      "log:",
      "  level: warn",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(directory, "data")}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  const log = openSync(join(directory, "registry.log"), "a");
  const child = spawn("docker-registry", ["serve", configFile], { stdio: ["ignore", log, log] });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    await stopProcess(child, exited);
    rmSync(directory, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      const tail = readFileSync(join(directory, "registry.log"), "utf8");
      await stop();
      throw new Error(`docker-registry exited while starting:\n${tail}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/v2/`);
      if (response.ok) return { address: `localhost:${port}`, stop };
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on port ${port} within 20 s`);
    }
    await delay(100);
  }
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
