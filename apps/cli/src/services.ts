import { homedir, hostname } from "node:os";
import { join } from "node:path";
import {
  createPluginRegistry,
  type GitHead,
  type GitHistory,
  type GitSource,
  type ImageTransfer,
  type PluginContext,
  PluginError,
  type PluginRegistry,
  parseRepository,
  repositoryOf,
  type SecretRedactor,
  type StageBuilder,
  type StagesPlugin,
  type StagesStorage,
  UsageError,
} from "@stages/core";
import dockerPlugin, { stateDirectoryFromEnv } from "@stages/docker";
import gitPlugin from "@stages/git";
import registryPlugin, { createCredentialsProvider } from "@stages/registry";
import { createBuildSecretReader, registerConfigSecrets } from "./build-secrets.js";
import { readDockerEnvironment } from "./docker-environment.js";
import { loadPlugins } from "./plugins.js";
import type { Project } from "./project.js";

/** The plugins every stages has, registered through the same path as third-party ones. */
export const builtinPlugins: readonly StagesPlugin[] = [gitPlugin, dockerPlugin, registryPlugin];

/** Host settings read from flags and the environment, handed to plugins as plain data. */
export interface HostSettings {
  env: Readonly<Record<string, string | undefined>>;
  network?: string | undefined;
  insecureRegistries: readonly string[];
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
  /** The remote storage of REPO (registry by default, or a plugin's storage by name). */
  remote(location: string, storage?: string): Promise<StagesStorage>;
  /** REPO in its full normalized form (`docker.io/team/app`, `localhost:5000/app`). */
  repository(location: string): string;
  /** Branches, tags and commits of the project's repository (cleanup); a UsageError when there is none. */
  history(): Promise<GitHistory>;
  /** HEAD of the work tree, for commit records; null outside a git repository. */
  head(): Promise<GitHead | null>;
  /** Who this command is, for leases and holds: `host pid N`. */
  holder: string;
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

/** Wires built-in and configured plugins into the adapters a command needs. */
export async function createServices(
  project: Project,
  settings: HostSettings,
  log: (line: string) => void,
): Promise<Services> {
  const thirdParty = await loadPlugins(project.config.meta.plugins, project.directory);
  const plugins = createPluginRegistry([...builtinPlugins, ...thirdParty]);
  const env = settings.env;
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
      "docker.network": settings.network,
      "docker.config": dockerConfig,
      "registry.insecure": settings.insecureRegistries.join(","),
      // Where host cleanup's journal of last uses and the holds of running commands live.
      "stages.stateDir": stateDirectoryFromEnv(env),
      path: env.PATH,
    },
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
  const transfer = memo(async () => {
    const base = await pick(plugins.transfers, "docker", "transfer")(context);
    const copier = plugins.transfers.get("registry");
    if (!copier) return base;
    const registryTransfer = await copier(context);
    if (!registryTransfer.copy) return base;
    // Pushes and pulls go through the engine; registry-side copies need no engine at all.
    return {
      ...base,
      push: base.push.bind(base),
      pull: base.pull.bind(base),
      copy: registryTransfer.copy.bind(registryTransfer),
    };
  });
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
    local: memo(async () => pick(plugins.localStorages, "docker", "local storage")(context)),
    builder: memo(async () => pick(plugins.builders, "docker", "builder")(context)),
    transfer,
    repository,
    remote(location, storage = "registry") {
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
