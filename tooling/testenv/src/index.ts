import { rmSync } from "node:fs";
import { ensureBaseImage } from "./base-image.js";
import { engineAnswers, startEngine } from "./engine.js";
import { ensurePackages } from "./packages.js";
import { runDirectory, stateDirectory } from "./paths.js";
import { isAlive, stopProcess } from "./process.js";
import { registryAnswers, startRegistry } from "./registry.js";
import { type ComponentState, type EnvironmentState, readState, withStateLock, writeState } from "./state.js";

export { stateDirectory } from "./paths.js";

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

function ports(env: NodeJS.ProcessEnv): { registry: number; registryAuth: number } {
  return {
    registry: Number(env.STAGES_TESTENV_REGISTRY_PORT ?? 5790),
    registryAuth: Number(env.STAGES_TESTENV_REGISTRY_AUTH_PORT ?? 5791),
  };
}

async function isRunning(name: string, component: ComponentState | undefined): Promise<boolean> {
  if (!component || !isAlive(component.pid)) return false;
  if (name.startsWith("engine")) return engineAnswers(component.address.replace(/^unix:\/\//, ""));
  return registryAnswers(Number(component.address.split(":").pop()));
}

/**
 * Brings the environment up: two Docker Engines (build hosts A and B), a plain registry and an
 * htpasswd registry on loopback ports, and the busybox base image in the plain registry.
 * Idempotent: what already runs is reused.
 */
export async function up(options: UpOptions = {}): Promise<UpResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`[testenv] ${line}\n`));
  const stateDir = stateDirectory(env);
  const runDir = runDirectory(stateDir);
  ensurePackages({ install: options.install ?? true, log });
  return withStateLock(stateDir, async () => {
    const state: EnvironmentState = readState(stateDir);
    const started: string[] = [];
    const { registry, registryAuth } = ports(env);
    const starters: Record<string, () => Promise<ComponentState>> = {
      "engine-a": () => startEngine("a", stateDir, runDir),
      "engine-b": () => startEngine("b", stateDir, runDir),
      registry: () => startRegistry({ name: "plain", port: registry }, stateDir),
      "registry-auth": () => startRegistry({ name: "auth", port: registryAuth, credentials }, stateDir),
    };
    await Promise.all(
      Object.entries(starters).map(async ([name, start]) => {
        if (await isRunning(name, state.components[name])) return;
        log(`starting ${name}`);
        state.components[name] = await start();
        started.push(name);
      }),
    );
    writeState(stateDir, state);
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
    if (Object.keys(state.components).length === 0) rmSync(runDirectory(stateDir), { recursive: true, force: true });
    return stopped;
  });
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
  };
}
