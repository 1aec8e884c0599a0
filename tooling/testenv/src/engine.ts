import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { httpStatus, isAlive, startDetached, waitFor } from "./process.js";
import type { ComponentState } from "./state.js";

/** Pings a Docker Engine on a unix socket. */
export async function engineAnswers(socketPath: string): Promise<boolean> {
  return (await httpStatus({ socketPath }, "/_ping")) === 200;
}

/**
 * Starts a private dockerd standing for one build host: its own data root, exec root, pidfile and
 * socket, without a bridge or iptables (this machine has neither).
 */
export async function startEngine(name: string, stateDir: string, runDir: string): Promise<ComponentState> {
  const dataRoot = join(stateDir, `engine-${name}`);
  const execRoot = join(runDir, name);
  const socketPath = join(runDir, `${name}.sock`);
  const logFile = join(stateDir, `engine-${name}.log`);
  mkdirSync(dataRoot, { recursive: true });
  mkdirSync(execRoot, { recursive: true });
  // Its own (empty) daemon.json, so that a host's /etc/docker/daemon.json does not leak in.
  const configFile = join(stateDir, `engine-${name}.json`);
  writeFileSync(configFile, "{}\n");
  const pid = startDetached(
    "dockerd",
    [
      "--data-root",
      dataRoot,
      "--exec-root",
      execRoot,
      "--pidfile",
      join(runDir, `${name}.pid`),
      "-H",
      `unix://${socketPath}`,
      "--config-file",
      configFile,
      "--bridge=none",
      "--iptables=false",
      "--ip-masq=false",
      "--storage-driver=overlay2",
    ],
    logFile,
  );
  await waitFor(
    `dockerd ${name}`,
    async () => {
      if (!isAlive(pid)) throw new Error(`dockerd ${name} exited while starting; see ${logFile}`);
      return engineAnswers(socketPath);
    },
    60_000,
    logFile,
  );
  return { pid, address: `unix://${socketPath}`, logFile };
}
