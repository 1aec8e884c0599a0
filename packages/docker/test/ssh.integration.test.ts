// DOCKER_HOST=ssh:// against the test environment's sshd, whose sessions reach engine B through
// `docker system dial-stdio` (STAGES_TEST_SSH_*): keys from options or an agent, the host key
// checked against known_hosts, clear errors for a wrong key, an unknown or changed host key.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EngineError } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerConnection, engineOf } from "../src/connection.js";
import type { DockerSshOptions } from "../src/docker-options.js";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through the test environment (pnpm test)`);
  return value;
}

const host = required("STAGES_TEST_SSH_DOCKER_HOST");
const keyFile = required("STAGES_TEST_SSH_KEY");
const knownHostsFile = required("STAGES_TEST_SSH_KNOWN_HOSTS");
const engineB = required("STAGES_TEST_DOCKER_HOST_B");

const identity = { source: keyFile, privateKey: readFileSync(keyFile, "utf8") };
const knownHosts = [{ source: knownHostsFile, text: readFileSync(knownHostsFile, "utf8") }];
const scratch = mkdtempSync(join(tmpdir(), "stages-ssh-test-"));
/** A key pair the sshd does not know. */
const stranger = join(scratch, "stranger");
execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "stranger", "-f", stranger]);
const strangerPublic = readFileSync(`${stranger}.pub`, "utf8").trim().split(/\s+/);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function engineId(options: Parameters<typeof createDockerConnection>[0]): Promise<string> {
  const info = (await engineOf(createDockerConnection(options)).docker.info()) as { ID: string };
  return info.ID;
}

describe("DOCKER_HOST=ssh://", () => {
  it("reaches the engine behind the sshd with a key and the host key from known_hosts", async () => {
    const connection = createDockerConnection({ host, ssh: { identities: [identity], knownHosts } });
    expect(connection.endpoint).toBe(host);
    await connection.ping();
    expect((await connection.version()).os).toBe("linux");
    // The very engine B, not some other one.
    expect(await engineId({ host, ssh: { identities: [identity], knownHosts } })).toBe(
      await engineId({ host: engineB }),
    );
  });

  it("logs in through ssh-agent (SSH_AUTH_SOCK) when the key is only in the agent", async () => {
    const socket = join(scratch, "agent.sock");
    const started = spawnSync("ssh-agent", ["-a", socket, "-s"], { encoding: "utf8" });
    expect(started.status, started.stderr).toBe(0);
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(started.stdout)?.[1]);
    try {
      const added = spawnSync("ssh-add", ["-q", keyFile], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
      expect(added.status, String(added.stderr)).toBe(0);
      // A key the server refuses comes second: the agent's is accepted first.
      const ssh: DockerSshOptions = {
        agent: socket,
        identities: [{ source: stranger, privateKey: readFileSync(stranger, "utf8") }],
        knownHosts,
      };
      await createDockerConnection({ host, ssh }).ping();
    } finally {
      if (pid > 0) process.kill(pid);
    }
  });

  it("refuses a host that known_hosts does not list, before connecting, saying how to add it", () => {
    const attempt = () => createDockerConnection({ host, ssh: { identities: [identity], knownHosts: [] } });
    expect(attempt).toThrow(EngineError);
    expect(attempt).toThrow(/the SSH host key of \[127\.0\.0\.1\]:\d+ is not in ~\/\.ssh\/known_hosts/);
  });

  it("refuses a host whose key differs from known_hosts", async () => {
    const port = /:(\d+)$/.exec(host)?.[1];
    const changed = [
      { source: "known_hosts", text: `[127.0.0.1]:${port} ${strangerPublic[0]} ${strangerPublic[1]}\n` },
    ];
    const failure = await createDockerConnection({ host, ssh: { identities: [identity], knownHosts: changed } })
      .ping()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EngineError);
    expect((failure as Error).message).toBe(
      `[docker] the SSH host key of ${host} does not match known_hosts: refusing to connect`,
    );
  });

  it("says which keys were refused when the server takes none of them", async () => {
    const ssh = { identities: [{ source: stranger, privateKey: readFileSync(stranger, "utf8") }], knownHosts };
    const failure = await createDockerConnection({ host, ssh })
      .ping()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EngineError);
    expect((failure as Error).message).toMatch(/accepted none of the SSH keys offered/);
    expect((failure as { hint?: string }).hint).toMatch(/SSH_AUTH_SOCK/);
    expect(() => createDockerConnection({ host, ssh: { knownHosts } })).toThrow(/no SSH key to log in/);
  });

  it("lets the process end when the work is done, and warns of nothing over many calls", async () => {
    const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "index.js");
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`pnpm build\` first (pnpm test does)`);
    const script = `
      import { createDockerConnection } from ${JSON.stringify(dist)};
      const options = JSON.parse(process.env.OPTIONS);
      const connection = createDockerConnection(options);
      await connection.ping();
      // Keep-alive reuses one channel: its listeners must not pile up (MaxListenersExceededWarning).
      for (let call = 0; call < 15; call++) await connection.version();
      console.log("done");
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, OPTIONS: JSON.stringify({ host, ssh: { identities: [identity], knownHosts } }) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const code = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve("still running 20 s after its last call");
      }, 20_000);
      child.on("close", (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode ?? -1);
      });
    });
    expect({ code, output: output.trim() }).toEqual({ code: 0, output: "done" });
  });
});

beforeAll(() => {
  // The engine behind the sshd must be up: fail loudly here rather than in every test.
  execFileSync("/usr/bin/docker", ["-H", engineB, "version", "--format", "{{.Server.Version}}"]);
});
