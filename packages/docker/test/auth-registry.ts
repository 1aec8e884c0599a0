// A private CNCF Distribution registry for the engine-auth tests: htpasswd with several users, or
// token auth against a token server. Fixed loopback ports of this package's range (5800-5819), so
// the engine treats them as insecure registries (127.0.0.0/8). Fails loudly without the binaries.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface AuthRegistryOptions {
  port: number;
  /** htpasswd users (bcrypt, as `htpasswd -Bbn` writes them). */
  users?: ReadonlyArray<{ username: string; password: string }>;
  /** Distribution's `auth: token` settings. */
  token?: { realm: string; service: string; issuer: string; certificatePath: string };
}

export interface AuthRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  stop(): Promise<void>;
}

function requireProgram(program: string, install: string): void {
  try {
    execFileSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" });
  } catch {
    throw new Error(`${program} is not installed: the engine-auth tests need it (${install})`);
  }
}

export async function startAuthRegistry(options: AuthRegistryOptions): Promise<AuthRegistry> {
  requireProgram("docker-registry", "apt-get install docker-registry");
  const directory = mkdtempSync(join(tmpdir(), "stages-auth-registry-"));
  const host = `127.0.0.1:${options.port}`;
  const lines = [
    "version: 0.1",
    "log:",
    "  level: error",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${join(directory, "data")}`,
    "http:",
    `  addr: ${host}`,
    "  secret: stages-test-http-secret",
  ];
  if (options.users) {
    requireProgram("htpasswd", "apt-get install apache2-utils");
    const htpasswd = join(directory, "htpasswd");
    const entries = options.users.map((user) =>
      execFileSync("htpasswd", ["-Bbn", user.username, user.password], { encoding: "utf8" }).trim(),
    );
    writeFileSync(htpasswd, `${entries.join("\n")}\n`);
    lines.push("auth:", "  htpasswd:", "    realm: stages-test", `    path: ${htpasswd}`);
  } else if (options.token) {
    const token = options.token;
    lines.push(
      "auth:",
      "  token:",
      `    realm: ${token.realm}`,
      `    service: ${token.service}`,
      `    issuer: ${token.issuer}`,
      `    rootcertbundle: ${token.certificatePath}`,
    );
  }
  const configPath = join(directory, "config.yml");
  writeFileSync(configPath, `${lines.join("\n")}\n`);
  const child: ChildProcess = spawn("docker-registry", ["serve", configPath], { stdio: ["ignore", "ignore", "pipe"] });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (!exited) child.kill("SIGKILL");
    }
    rmSync(directory, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`docker-registry exited while starting on ${host} (port taken?):\n${output}`);
    }
    try {
      const response = await fetch(`http://${host}/v2/`);
      await response.arrayBuffer();
      if (response.status === 200 || response.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on ${host} within 15 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { host, stop };
}
