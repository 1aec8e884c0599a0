import { join } from "node:path";
import { ensureBaseImage } from "./base-image.js";
import { engineAnswers, startEngine } from "./engine.js";
import { ensurePackages } from "./packages.js";
import { runDirectory, stateDirectory } from "./paths.js";
import { isAlive, stopProcess } from "./process.js";
import { redisAnswers, startRedis } from "./redis.js";
import { registryAnswers, startRegistry } from "./registry.js";
import { removeRunDirectory } from "./run-directory.js";
import { sshdAnswers, sshdFiles, startSshd, writeKnownHosts } from "./sshd.js";
import { type ComponentState, type EnvironmentState, readState, withStateLock, writeState } from "./state.js";

export { type EchoedRequest, type EchoRegistry, startEchoRegistry } from "./echo-registry.js";
export { stateDirectory } from "./paths.js";
export {
  type GarbageCollection,
  type ScratchRegistry,
  type ScratchRegistryOptions,
  startScratchRegistry,
} from "./scratch-registry.js";

/** What tests read to reach the servers. */
export interface TestEnvironment {
  /** DOCKER_HOST of build host A. */
  dockerHostA: string;
  /** DOCKER_HOST of build host B. */
  dockerHostB: string;
  /** Plain-HTTP registry (`localhost:PORT`), delete enabled. */
  registry: string;
  /** Registry with htpasswd basic auth. */
  registryAuth: string;
  registryUser: string;
  registryPassword: string;
  /** A busybox image in `registry`, usable as `from:`. */
  baseImage: string;
  /** `ssh://root@127.0.0.1:PORT`: an sshd whose sessions reach engine B (`docker system dial-stdio`). */
  sshDockerHost: string;
  /** Private key (ed25519, no passphrase) that logs in to `sshDockerHost`. */
  sshKey: string;
  /** A known_hosts file with the sshd's host key. */
  sshKnownHosts: string;
  /** `redis://127.0.0.1:PORT`, no persistence, for the optional build lock. */
  redisUrl: string;
}

export interface UpOptions {
  /** Install missing Debian packages when root (default true). */
  install?: boolean;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface UpResult {
  environment: TestEnvironment;
  /** Names of the components this call started (the others were already running). */
  started: string[];
}

const credentials = { username: "stages", password: "stages-test-password" };

function ports(env: NodeJS.ProcessEnv): { registry: number; registryAuth: number; sshd: number; redis: number } {
  return {
    registry: Number(env.STAGES_TESTENV_REGISTRY_PORT ?? 5790),
    registryAuth: Number(env.STAGES_TESTENV_REGISTRY_AUTH_PORT ?? 5791),
    sshd: Number(env.STAGES_TESTENV_SSH_PORT ?? 5792),
    redis: Number(env.STAGES_TESTENV_REDIS_PORT ?? 5793),
  };
}

async function isRunning(name: string, component: ComponentState | undefined): Promise<boolean> {
  if (!component || !isAlive(component.pid)) return false;
  if (name.startsWith("engine")) return engineAnswers(component.address.replace(/^unix:\/\//, ""));
  const port = Number(component.address.split(":").pop());
  if (name === "sshd") return sshdAnswers(port);
  if (name === "redis") return redisAnswers(port);
  return registryAnswers(port);
}

/**
 * Brings the environment up: two Docker Engines (build hosts A and B), a plain registry and an
 * htpasswd registry on loopback ports, the busybox base image in the plain registry, an sshd in
 * front of engine B and a Redis server. Idempotent: what already runs is reused.
 */
export async function up(options: UpOptions = {}): Promise<UpResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`[testenv] ${line}\n`));
  const stateDir = stateDirectory(env);
  const runDir = runDirectory(stateDir);
  return withStateLock(stateDir, async () => {
    // Under the lock: two runs installing at once would fight over dpkg's own lock.
    ensurePackages({ install: options.install ?? true, log, env });
    const state: EnvironmentState = readState(stateDir);
    const started: string[] = [];
    const { registry, registryAuth, sshd, redis } = ports(env);
    const starters: Record<string, () => Promise<ComponentState>> = {
      "engine-a": () => startEngine("a", stateDir, runDir),
      "engine-b": () => startEngine("b", stateDir, runDir),
      registry: () => startRegistry({ name: "plain", port: registry }, stateDir),
      "registry-auth": () => startRegistry({ name: "auth", port: registryAuth, credentials }, stateDir),
      // Engine B's socket path is fixed by the run directory, so sshd need not wait for it.
      sshd: () => startSshd({ stateDir, port: sshd, dockerHost: `unix://${join(runDir, "b.sock")}` }),
      redis: () => startRedis({ stateDir, port: redis }),
    };
    const outcomes = await Promise.allSettled(
      Object.entries(starters).map(async ([name, start]) => {
        if (await isRunning(name, state.components[name])) return;
        log(`starting ${name}`);
        state.components[name] = await start();
        started.push(name);
      }),
    );
    // What did start is recorded even when another component failed, so that `down` can stop it.
    writeState(stateDir, state);
    const failure = outcomes.find((outcome) => outcome.status === "rejected");
    if (failure) throw failure.reason;
    writeKnownHosts(stateDir, sshd);
    const component = (name: string) => state.components[name]?.address ?? "";
    const baseImage = await ensureBaseImage({ stateDir, engine: component("engine-a"), registryPort: registry, log });
    return {
      started,
      environment: {
        dockerHostA: component("engine-a"),
        dockerHostB: component("engine-b"),
        registry: component("registry"),
        registryAuth: component("registry-auth"),
        registryUser: credentials.username,
        registryPassword: credentials.password,
        baseImage,
        sshDockerHost: component("sshd"),
        sshKey: sshdFiles(stateDir).clientKey,
        sshKnownHosts: sshdFiles(stateDir).knownHosts,
        redisUrl: component("redis"),
      },
    };
  });
}

/** Stops the components `up` started (all of them, or only those named), leaving data in place. */
export async function down(options: { only?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<string[]> {
  const stateDir = stateDirectory(options.env ?? process.env);
  return withStateLock(stateDir, async () => {
    const state = readState(stateDir);
    const stopped: string[] = [];
    for (const [name, component] of Object.entries(state.components)) {
      if (options.only && !options.only.includes(name)) continue;
      await stopProcess(component.pid);
      delete state.components[name];
      stopped.push(name);
    }
    writeState(stateDir, state);
    if (Object.keys(state.components).length === 0) removeRunDirectory(runDirectory(stateDir));
    return stopped;
  });
}

/** Every component in the state file, and whether it still answers. */
export async function status(
  env: NodeJS.ProcessEnv = process.env,
): Promise<Array<{ name: string; running: boolean } & ComponentState>> {
  const state = readState(stateDirectory(env));
  return Promise.all(
    Object.entries(state.components).map(async ([name, component]) => ({
      name,
      running: await isRunning(name, component),
      ...component,
    })),
  );
}

/**
 * One `export NAME=value` line for a POSIX shell: values other than plain words are single-quoted,
 * so that eval never runs anything (a checkout path may hold spaces or `$`).
 */
export function exportLine(name: string, value: string): string {
  const quoted = /^[A-Za-z0-9_./:@%+,=-]*$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
  return `export ${name}=${quoted}`;
}

/** The environment variables tests read, as a record. */
export function environmentVariables(environment: TestEnvironment): Record<string, string> {
  return {
    STAGES_TEST_DOCKER_HOST_A: environment.dockerHostA,
    STAGES_TEST_DOCKER_HOST_B: environment.dockerHostB,
    STAGES_TEST_REGISTRY: environment.registry,
    STAGES_TEST_REGISTRY_AUTH: environment.registryAuth,
    STAGES_TEST_REGISTRY_USER: environment.registryUser,
    STAGES_TEST_REGISTRY_PASSWORD: environment.registryPassword,
    STAGES_TEST_BASE_IMAGE: environment.baseImage,
    STAGES_TEST_SSH_DOCKER_HOST: environment.sshDockerHost,
    STAGES_TEST_SSH_KEY: environment.sshKey,
    STAGES_TEST_SSH_KNOWN_HOSTS: environment.sshKnownHosts,
    STAGES_TEST_REDIS_URL: environment.redisUrl,
  };
}

/**
 * Reads the environment from `STAGES_TEST_*` variables. Integration tests call this and fail loudly
 * (never skip) when the environment is not up.
 */
export function requireTestEnvironment(env: NodeJS.ProcessEnv = process.env): TestEnvironment {
  const read = (name: string): string => {
    const value = env[name];
    if (!value) {
      throw new Error(
        `${name} is not set: integration tests need the real test environment. ` +
          'Run them through `pnpm test` (which starts it), or `eval "$(pnpm -s testenv env)"` after `pnpm testenv up`.',
      );
    }
    return value;
  };
  return {
    dockerHostA: read("STAGES_TEST_DOCKER_HOST_A"),
    dockerHostB: read("STAGES_TEST_DOCKER_HOST_B"),
    registry: read("STAGES_TEST_REGISTRY"),
    registryAuth: read("STAGES_TEST_REGISTRY_AUTH"),
    registryUser: read("STAGES_TEST_REGISTRY_USER"),
    registryPassword: read("STAGES_TEST_REGISTRY_PASSWORD"),
    baseImage: read("STAGES_TEST_BASE_IMAGE"),
    sshDockerHost: read("STAGES_TEST_SSH_DOCKER_HOST"),
    sshKey: read("STAGES_TEST_SSH_KEY"),
    sshKnownHosts: read("STAGES_TEST_SSH_KNOWN_HOSTS"),
    redisUrl: read("STAGES_TEST_REDIS_URL"),
  };
}
