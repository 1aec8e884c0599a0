import { homedir, hostname } from "node:os";
import { join } from "node:path";
import {
  type AdapterKind,
  adapterKinds,
  ConfigError,
  type ConfigProblem,
  composeImageTransfer,
  createPluginRegistry,
  createProblem,
  type GitHead,
  type GitHistory,
  type GitSource,
  type ImageTransfer,
  type Lock,
  type PluginContext,
  PluginError,
  type PluginRegistry,
  type PluginSettingValue,
  parseRepository,
  repositoryOf,
  resolvePluginSettings,
  type SecretRedactor,
  type StageBuilder,
  type StagesPlugin,
  type StagesStorage,
  settingEnvironmentName,
  UsageError,
} from "@stages/core";
import dockerPlugin, { stateDirectoryFromEnv } from "@stages/docker";
import gitPlugin from "@stages/git";
import { lockRedisPlugin } from "@stages/lock-redis";
import registryPlugin, { createCredentialsProvider } from "@stages/registry";
import { createBuildSecretReader, registerConfigSecrets } from "./build-secrets.js";
import { readDockerEnvironment } from "./docker-environment.js";
import { variablesOfOptions } from "./option-variables.js";
import { loadPlugins } from "./plugins.js";
import type { Project } from "./project.js";

/**
 * The plugins every stages has, registered through the same path as third-party ones (the Redis
 * lock imports its client only when a lock is made).
 */
export const builtinPlugins: readonly StagesPlugin[] = [gitPlugin, dockerPlugin, registryPlugin, lockRedisPlugin];

/**
 * The adapter of each kind when neither `adapters:` in stages.yaml nor `--adapter` names one. The
 * transfer is composed by capability (composeImageTransfer): docker pushes and pulls, the registry
 * copies registry-side.
 */
export const defaultAdapters: Readonly<Record<AdapterKind, readonly string[]>> = {
  localStorage: ["docker"],
  builder: ["docker"],
  remoteStorage: ["registry"],
  transfer: ["docker", "registry"],
  lock: ["redis"],
};

/** Host settings read from flags and the environment, handed to plugins as plain data. */
export interface HostSettings {
  env: Readonly<Record<string, string | undefined>>;
  /** `--network`: the `docker.network` setting. */
  network?: string | undefined;
  /** `--insecure-registry`: added to the `registry.insecure` setting. */
  insecureRegistries: readonly string[];
  /** `--setting name=value` (plugin settings, checked against their declared types). */
  settings?: readonly string[];
  /** `--adapter kind=name`: the adapter of a kind, over `adapters:` of stages.yaml. */
  adapters?: readonly string[];
  /** The run's redactor: build secrets (`secrets:`) are registered with it before anything prints. */
  redactor?: SecretRedactor;
}

/** The adapters of one command run, made lazily from the plugin registry. */
export interface Services {
  project: Project;
  plugins: PluginRegistry;
  context: PluginContext;
  git: GitSource | undefined;
  local(): Promise<StagesStorage>;
  builder(): Promise<StageBuilder>;
  transfer(): Promise<ImageTransfer>;
  /** The remote storage of REPO (the chosen one, `registry` by default, or a plugin's storage by name). */
  remote(location: string, storage?: string): Promise<StagesStorage>;
  /** The lock at a location (a Redis URL for the default `redis`). */
  lock(location: string): Promise<Lock>;
  /** The names of the adapters in use, per kind (stages.yaml's `adapters:`, `--adapter`, defaults). */
  adapters: Readonly<Record<AdapterKind, readonly string[]>>;
  /** REPO in its full normalized form (`docker.io/team/app`, `localhost:5000/app`). */
  repository(location: string): string;
  /** Branches, tags and commits of the project's repository (cleanup); a UsageError when there is none. */
  history(): Promise<GitHistory>;
  /** HEAD of the work tree, for commit records; null outside a git repository. */
  head(): Promise<GitHead | null>;
  /** Who this command is, for leases and holds: `host pid N`. */
  holder: string;
}

const kindWords: Readonly<Record<AdapterKind, string>> = {
  localStorage: "local storage",
  builder: "builder",
  remoteStorage: "remote storage",
  transfer: "transfer",
  lock: "lock",
};

/** The registered names of a kind. */
function registeredOf(plugins: PluginRegistry, kind: AdapterKind): ReadonlyMap<string, unknown> {
  if (kind === "localStorage") return plugins.localStorages;
  if (kind === "remoteStorage") return plugins.remoteStorages;
  if (kind === "builder") return plugins.builders;
  if (kind === "transfer") return plugins.transfers;
  return plugins.locks;
}

/**
 * The adapters a run uses, per kind: `--adapter kind=name` over `adapters:` of the meta over the
 * defaults. Every name is checked against what the plugins registered before anything is made: a
 * name from stages.yaml fails at its position, one from a flag names the flag.
 */
export function chooseAdapters(
  plugins: PluginRegistry,
  configured: Project["config"]["meta"]["adapters"],
  flags: readonly string[],
): Record<AdapterKind, readonly string[]> {
  const chosen: Record<AdapterKind, readonly string[]> = { ...defaultAdapters };
  const problems: ReturnType<typeof createProblem>[] = [];
  for (const kind of adapterKinds) {
    const choice = configured?.[kind];
    if (choice === undefined) continue;
    const registered = registeredOf(plugins, kind);
    const unknown = choice.names.find((name) => !registered.has(name));
    if (unknown !== undefined) {
      problems.push(
        createProblem(
          "error",
          choice.position,
          `no ${kindWords[kind]} "${unknown}" is registered (registered: ${[...registered.keys()].join(", ") || "none"})`,
          "add the plugin that provides it under plugins:, or fix the name",
        ),
      );
    }
    chosen[kind] = choice.names;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const flagged = new Map<AdapterKind, string[]>();
  for (const flag of flags) {
    const [kind, name] = [flag.slice(0, flag.indexOf("=")), flag.slice(flag.indexOf("=") + 1)];
    if (!flag.includes("=") || !adapterKinds.includes(kind as AdapterKind) || name === "") {
      throw new UsageError(`--adapter "${flag}" is not kind=name`, {
        hint: `kinds: ${adapterKinds.join(", ")} (e.g. --adapter remoteStorage=registry)`,
      });
    }
    const registered = registeredOf(plugins, kind as AdapterKind);
    if (!registered.has(name)) {
      throw new UsageError(
        `--adapter ${flag}: no ${kindWords[kind as AdapterKind]} "${name}" is registered (registered: ${[...registered.keys()].join(", ") || "none"})`,
        { hint: "add the plugin that provides it under plugins: in stages.yaml, or fix the name" },
      );
    }
    // Several --adapter transfer=... compose, in order; another kind takes the last.
    const names = kind === "transfer" ? [...(flagged.get("transfer") ?? []), name] : [name];
    flagged.set(kind as AdapterKind, names);
  }
  for (const [kind, names] of flagged) chosen[kind] = names;
  return chosen;
}

function pick<T>(map: Map<string, T>, name: string, what: string): T {
  const factory = map.get(name);
  if (!factory) {
    const known = [...map.keys()].join(", ") || "none";
    throw new PluginError(`no ${what} "${name}" is registered (registered: ${known})`, {
      hint: "add the plugin that provides it under plugins: in stages.yaml",
    });
  }
  return factory;
}

/** Runs a check of the meta; its ConfigError is located in the template too, as parse problems are. */
function located<T>(project: Project, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!ConfigError.isInstance(error) || project.locate === undefined) throw error;
    throw new ConfigError(project.locate([...(error.problems as ConfigProblem[])]));
  }
}

function first(names: readonly string[]): string {
  return names[0] ?? "";
}

/**
 * Refuses a plugin setting whose variable is a CLI option's (a setting `repo` and `--repo` both read
 * STAGES_REPO): the one variable would set both, silently.
 */
export function refuseSharedVariables(
  plugins: PluginRegistry,
  optionVariables: ReadonlyMap<string, string> = variablesOfOptions(),
): void {
  for (const [name, definition] of plugins.settings) {
    const variable = settingEnvironmentName(name);
    const option = optionVariables.get(variable);
    if (option === undefined) continue;
    const prefix = definition.plugin.replace(/^@[^/]+\//, "").replace(/^stages-plugin-/, "");
    throw new PluginError(
      `plugin ${definition.plugin}: its setting "${name}" reads ${variable}, which is the variable of the option ${option}`,
      { hint: `prefix the setting with the plugin's name, e.g. "${prefix}.${name}"` },
    );
  }
}

/** The built-in plugins and those the project lists, registered (as every command has them). */
export async function registerPlugins(project: Pick<Project, "config" | "directory">): Promise<PluginRegistry> {
  const thirdParty = await loadPlugins(project.config.meta.plugins, project.directory);
  const plugins = createPluginRegistry([...builtinPlugins, ...thirdParty]);
  refuseSharedVariables(plugins);
  return plugins;
}

/** Wires built-in and configured plugins into the adapters a command needs. */
export async function createServices(
  project: Project,
  settings: HostSettings,
  log: (line: string) => void,
): Promise<Services> {
  const plugins = await registerPlugins(project);
  const adapters = located(project, () =>
    chooseAdapters(plugins, project.config.meta.adapters, settings.adapters ?? []),
  );
  const env = settings.env;
  // The convenience flags are flags of the settings they stand for.
  const settingFlags = [
    ...(settings.network !== undefined ? [`docker.network=${settings.network}`] : []),
    ...settings.insecureRegistries.map((host) => `registry.insecure=${host}`),
    ...(settings.settings ?? []),
  ];
  const declared = located(project, () =>
    resolvePluginSettings(plugins.settings, {
      flags: settingFlags,
      env,
      config: project.config.meta.settings ?? {},
    }),
  );
  // As the docker CLI: an empty DOCKER_CONFIG is no DOCKER_CONFIG.
  const dockerConfig = env.DOCKER_CONFIG || join(homedir(), ".docker");
  const docker = readDockerEnvironment(env, dockerConfig);
  const context: PluginContext = {
    project: project.config.meta.project,
    directory: project.directory,
    settings: {
      // The whole connection (host from DOCKER_HOST or the docker context, SSH keys and known_hosts
      // read here) for @stages/docker; the host alone for plugins that only want to know where.
      "docker.connection": JSON.stringify(docker.options),
      "docker.host": docker.options.host,
      "docker.context": docker.context,
      "docker.certPath": env.DOCKER_CERT_PATH,
      "docker.tlsVerify": env.DOCKER_TLS_VERIFY,
      "docker.config": dockerConfig,
      // Where host cleanup's journal of last uses and the holds of running commands live.
      "stages.stateDir": stateDirectoryFromEnv(env),
      path: env.PATH,
      ...declared,
    } satisfies Record<string, PluginSettingValue | undefined>,
    credentials: createCredentialsProvider({ dockerConfigDir: dockerConfig, env }),
    log,
  };
  if (settings.redactor !== undefined) {
    const secrets = { env, directory: project.directory, redactor: settings.redactor };
    registerConfigSecrets(project.config, secrets);
    context.secrets = createBuildSecretReader(secrets);
  }
  // Git mappings and Dockerfile build contexts are read from the work tree.
  const needsGit = project.config.images.some((image) => image.git.length > 0 || image.dockerfile !== null);
  const git = needsGit ? await pick(plugins.gitSources, "git", "git source")(context) : undefined;
  if (git) context.git = git;
  for (const plugin of plugins.plugins) await plugin.hooks?.afterConfig?.(context);

  const memo = <T>(make: () => Promise<T>): (() => Promise<T>) => {
    let value: Promise<T> | undefined;
    return () => {
      value ??= make();
      return value;
    };
  };
  const transfer = memo(async () =>
    composeImageTransfer(
      await Promise.all(
        adapters.transfer.map(async (name) => ({
          name,
          transfer: await pick(plugins.transfers, name, "transfer")(context),
        })),
      ),
    ),
  );
  const remotes = new Map<string, Promise<StagesStorage>>();
  const repository = (location: string) => {
    try {
      return repositoryOf(parseRepository(location));
    } catch (error) {
      throw new UsageError(`"${location}" is not a repository: ${(error as Error).message}`, {
        cause: error,
        hint: "give REPO as host[:port]/path, e.g. registry.example.com/team/app",
      });
    }
  };
  // Cleanup and commit records read git even when no image maps git content.
  const history = memo(async () => {
    const source = git ?? (await pick(plugins.gitSources, "git", "git source")(context));
    if (!source.history)
      throw new UsageError("the git source in use cannot read branches and tags", {
        hint: "use the built-in git source (remove the plugin that replaces it)",
      });
    return source.history;
  });
  // Outside a git repository head() is null: nothing to record. Any other failure (dubious
  // ownership, a broken repository) is said once, and the command goes on without a record.
  const head = memo(async () => {
    try {
      return await (await history()).head();
    } catch (error) {
      log(`warning: cannot read HEAD, so no commit record is written: ${(error as Error).message}`);
      return null;
    }
  });
  return {
    project,
    plugins,
    context,
    git,
    history,
    head,
    holder: `${hostname()} pid ${process.pid}`,
    adapters,
    local: memo(async () => pick(plugins.localStorages, first(adapters.localStorage), "local storage")(context)),
    builder: memo(async () => pick(plugins.builders, first(adapters.builder), "builder")(context)),
    transfer,
    repository,
    lock: async (location) => pick(plugins.locks, first(adapters.lock), "lock")(context, location),
    remote(location, storage = first(adapters.remoteStorage)) {
      const key = `${storage}\0${location}`;
      let remote = remotes.get(key);
      if (!remote) {
        const factory = pick(plugins.remoteStorages, storage, "remote storage");
        remote = Promise.resolve(factory(context, storage === "registry" ? repository(location) : location));
        remotes.set(key, remote);
      }
      return remote;
    },
  };
}
