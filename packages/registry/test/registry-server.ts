// Starts a private CNCF Distribution registry (`docker-registry`) for one test file: own temp dir,
// own loopback port, optional htpasswd or token auth. Fails loudly when the binary is missing.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TokenAuthSettings {
  realm: string;
  service: string;
  issuer: string;
  certificatePath: string;
}

export interface RegistryServerOptions {
  /** A fixed loopback port (e.g. one an engine must reach as an insecure registry); a free one by default. */
  port?: number;
  basicAuth?: { username: string; password: string };
  /** Several htpasswd users (bcrypt, as `htpasswd -Bbn` writes them); instead of basicAuth. */
  users?: ReadonlyArray<{ username: string; password: string }>;
  tokenAuth?: TokenAuthSettings;
}

export interface RegistryServer {
  /** `127.0.0.1:<port>` */
  host: string;
  port: number;
  directory: string;
  /** Where the registry keeps the bytes of a blob on disk. */
  blobPath(digest: string): string;
  /** What the registry wrote to stderr. */
  log(): string;
  stop(): Promise<void>;
}

/** Throws a clear error when a program the integration tests need is not installed. */
export function requireProgram(program: string, install: string): string {
  try {
    return execFileSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(`${program} is not installed: the integration tests need it (${install})`);
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startRegistryServer(options: RegistryServerOptions = {}): Promise<RegistryServer> {
  requireProgram("docker-registry", "apt-get install docker-registry");
  const directory = mkdtempSync(join(tmpdir(), "stages-registry-test-"));
  const port = options.port ?? (await freePort());
  const lines = [
    "version: 0.1",
    "log:",
    "  level: error",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${join(directory, "data")}`,
    "  delete:",
    "    enabled: true",
    "  maintenance:",
    "    uploadpurging:",
    "      enabled: false",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    "  secret: stages-test-http-secret",
  ];
  const users = options.users ?? (options.basicAuth ? [options.basicAuth] : []);
  if (users.length > 0) {
    requireProgram("htpasswd", "apt-get install apache2-utils");
    const htpasswd = join(directory, "htpasswd");
    const entries = users.map((user) =>
      execFileSync("htpasswd", ["-Bbn", user.username, user.password], { encoding: "utf8" }).trim(),
    );
    writeFileSync(htpasswd, `${entries.join("\n")}\n`);
    lines.push("auth:", "  htpasswd:", "    realm: stages-test", `    path: ${htpasswd}`);
  } else if (options.tokenAuth) {
    const token = options.tokenAuth;
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
  const child: ChildProcess = spawn("docker-registry", ["serve", configPath], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) throw new Error(`docker-registry exited while starting on ${host} (port taken?):\n${output}`);
    try {
      const response = await fetch(`http://${host}/v2/`);
      await response.arrayBuffer();
      if (response.status === 200 || response.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`docker-registry did not answer on ${host} within 15 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    host,
    port,
    directory,
    blobPath(digest) {
      const hex = digest.replace(/^sha256:/, "");
      return join(directory, "data", "docker", "registry", "v2", "blobs", "sha256", hex.slice(0, 2), hex, "data");
    },
    log: () => output,
    async stop() {
      if (!exited) {
        const gone = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 3000))]);
        if (!exited) child.kill("SIGKILL");
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
