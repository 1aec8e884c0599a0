import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { isAlive, run, startDetached, waitFor } from "./process.js";
import type { ComponentState } from "./state.js";

/** Debian's sshd; it must be started by its absolute path (it re-executes itself). */
export const sshdBinary = "/usr/sbin/sshd";

/** The key pair and files of the private sshd, all inside the state directory. */
export function sshdFiles(stateDir: string): {
  directory: string;
  hostKey: string;
  clientKey: string;
  authorizedKeys: string;
  knownHosts: string;
  config: string;
  pidFile: string;
  logFile: string;
} {
  const directory = join(stateDir, "sshd");
  return {
    directory,
    hostKey: join(directory, "ssh_host_ed25519_key"),
    clientKey: join(directory, "client_ed25519_key"),
    authorizedKeys: join(directory, "authorized_keys"),
    knownHosts: join(directory, "known_hosts"),
    config: join(directory, "sshd_config"),
    pidFile: join(directory, "sshd.pid"),
    logFile: join(stateDir, "sshd.log"),
  };
}

/**
 * Writes a known_hosts file naming the sshd's host key, so that clients can check the host
 * instead of trusting it blindly (`ssh -o UserKnownHostsFile=...`).
 */
export function writeKnownHosts(stateDir: string, port: number): void {
  const files = sshdFiles(stateDir);
  if (!existsSync(`${files.hostKey}.pub`)) return;
  const [type, key] = readFileSync(`${files.hostKey}.pub`, "utf8").trim().split(/\s+/);
  const line = `[127.0.0.1]:${port} ${type} ${key}\n`;
  if (!existsSync(files.knownHosts) || readFileSync(files.knownHosts, "utf8") !== line) {
    writeFileSync(files.knownHosts, line);
  }
}

/** Whether an SSH server greets on the loopback port (reads its `SSH-2.0-` banner). */
export function sshdAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = "";
    const finish = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2000, () => finish(false));
    socket.on("error", () => finish(false));
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      if (received.includes("\n")) finish(received.startsWith("SSH-2.0-"));
    });
    socket.on("end", () => finish(false));
  });
}

function ensureKey(path: string, comment: string): void {
  if (!existsSync(path) || !existsSync(`${path}.pub`)) {
    rmSync(path, { force: true });
    rmSync(`${path}.pub`, { force: true });
    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path]);
  }
  // sshd ignores a host key and ssh a client key that others can read ("UNPROTECTED PRIVATE KEY").
  chmodSync(path, 0o600);
}

/**
 * sshd refuses to start without its privilege separation directory, and refuses one that others
 * can write to; Debian's package makes it only when its own service starts, which containers skip.
 */
function ensurePrivilegeSeparationDirectory(): void {
  const directory = "/run/sshd";
  if (!existsSync(directory)) mkdirSync(directory, { recursive: true, mode: 0o755 });
  if ((statSync(directory).mode & 0o022) !== 0) chmodSync(directory, 0o755);
}

/**
 * Starts a private sshd on 127.0.0.1 for `DOCKER_HOST=ssh://` tests: its own host key and config,
 * root logs in with the testenv's own key only, and every session gets `DOCKER_HOST` of the engine
 * it stands in front of, so that the remote `docker system dial-stdio` reaches that engine.
 */
export async function startSshd(options: {
  stateDir: string;
  port: number;
  /** DOCKER_HOST for the sessions, e.g. `unix:///tmp/.../b.sock`. */
  dockerHost: string;
}): Promise<ComponentState> {
  const files = sshdFiles(options.stateDir);
  mkdirSync(files.directory, { recursive: true });
  // Private keys live here: nobody else reads the directory.
  chmodSync(files.directory, 0o700);
  ensureKey(files.hostKey, "stages-testenv-host");
  ensureKey(files.clientKey, "stages-testenv-client");
  writeFileSync(files.authorizedKeys, readFileSync(`${files.clientKey}.pub`), { mode: 0o600 });
  writeKnownHosts(options.stateDir, options.port);
  ensurePrivilegeSeparationDirectory();
  const config = [
    `Port ${options.port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${files.hostKey}`,
    `PidFile ${files.pidFile}`,
    `AuthorizedKeysFile ${files.authorizedKeys}`,
    "PermitRootLogin prohibit-password",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    // PAM would read the host's /etc/pam.d and could ask for things; keys are all we accept.
    "UsePAM no",
    // StrictModes checks every directory from the key files up to /, which this sshd does not own
    // (a checkout under a group-writable directory would refuse every login); its own directory is 0700.
    "StrictModes no",
    "PrintMotd no",
    "PrintLastLog no",
    "X11Forwarding no",
    "AllowTcpForwarding yes",
    // /usr/bin first: Debian's docker client matches the engines (a newer one may sit in /usr/local/bin).
    `SetEnv DOCKER_HOST=${options.dockerHost} PATH=/usr/bin:/bin:/usr/sbin:/sbin:/usr/local/bin`,
    "LogLevel INFO",
  ];
  writeFileSync(files.config, `${config.join("\n")}\n`);
  // Checks the config before starting, so that a mistake reads as sshd's own message.
  run(sshdBinary, ["-t", "-f", files.config]);
  const pid = startDetached(sshdBinary, ["-D", "-e", "-f", files.config], files.logFile);
  await waitFor(
    "sshd",
    async () => {
      if (!isAlive(pid)) {
        throw new Error(`sshd exited while starting (port ${options.port} in use?); see ${files.logFile}`);
      }
      return sshdAnswers(options.port);
    },
    30_000,
    files.logFile,
  );
  return { pid, address: `ssh://root@127.0.0.1:${options.port}`, logFile: files.logFile };
}
