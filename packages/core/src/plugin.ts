import type { RegistryCredentialsProvider } from "./adapters/common.js";
import { type GitSource, gitSourceSpecificationVersion } from "./adapters/git-source.js";
import { type ImageTransfer, imageTransferSpecificationVersion } from "./adapters/image-transfer.js";
import { type Lock, lockSpecificationVersion } from "./adapters/lock.js";
import {
  type BuildSecretReader,
  type StageBuilder,
  stageBuilderSpecificationVersion,
} from "./adapters/stage-builder.js";
import { type StagesStorage, stagesStorageSpecificationVersion } from "./adapters/stages-storage.js";
import { PluginError } from "./errors.js";
import type { EventListener, ProcedureResult } from "./procedures/events.js";

/**
 * The version of the plugin contract (this file's StagesPlugin and PluginContext). The adapters a
 * plugin makes are checked against their own contracts' versions when they are made.
 */
export const pluginSpecificationVersion = "v1" as const;
export type PluginSpecificationVersion = typeof pluginSpecificationVersion;

/**
 * What the host (the CLI) gives every factory: settings it read from flags, environment and
 * config files (plugins never read process.env themselves), and the adapters made so far.
 */
export interface PluginContext {
  project: string;
  /** Directory of stages.yaml (the git work tree root or below it). */
  directory: string;
  /** Host settings, e.g. `docker.host`, `docker.network`, `registry.insecure`, `docker.config`. */
  settings: Readonly<Record<string, string | undefined>>;
  /** Registry credentials from the user's docker config (credential helpers included). */
  credentials?: RegistryCredentialsProvider;
  /** Reads the values of build secrets (`secrets:`) for builders; absent: a build that needs one fails. */
  secrets?: BuildSecretReader;
  /** The git source of the project, when the host made one. */
  git?: GitSource;
  /** Prints a diagnostic line (stderr). */
  log(line: string): void;
}

/** Makes a local stages storage. */
export type LocalStorageFactory = (context: PluginContext) => StagesStorage | Promise<StagesStorage>;
/** Makes a remote stages storage for a location (a REPO for registries). */
export type RemoteStorageFactory = (context: PluginContext, location: string) => StagesStorage | Promise<StagesStorage>;
export type BuilderFactory = (context: PluginContext) => StageBuilder | Promise<StageBuilder>;
export type TransferFactory = (context: PluginContext) => ImageTransfer | Promise<ImageTransfer>;
export type GitSourceFactory = (context: PluginContext) => GitSource | Promise<GitSource>;
export type LockFactory = (context: PluginContext, location: string) => Lock | Promise<Lock>;

/** Hooks run around procedures; a failing hook fails the command. */
export interface PluginHooks {
  /** After a config was loaded, before any procedure. */
  afterConfig?(context: PluginContext): void | Promise<void>;
  /** After a procedure finished, with its result. */
  afterProcedure?(procedure: string, result: ProcedureResult, context: PluginContext): void | Promise<void>;
  /** Every event of every procedure. */
  onEvent?: EventListener;
}

/** What a plugin contributes. Commands are host-specific (clipanion classes for the CLI), so opaque here. */
export interface StagesPlugin {
  name: string;
  specificationVersion: PluginSpecificationVersion;
  storages?: {
    local?: Record<string, LocalStorageFactory>;
    remote?: Record<string, RemoteStorageFactory>;
  };
  builders?: Record<string, BuilderFactory>;
  transfers?: Record<string, TransferFactory>;
  gitSources?: Record<string, GitSourceFactory>;
  locks?: Record<string, LockFactory>;
  commands?: readonly unknown[];
  hooks?: PluginHooks;
}

/** Declares a plugin: the default export of a plugin package. Checks its shape and version. */
export function definePlugin<T extends StagesPlugin>(plugin: T): T {
  assertPlugin(plugin, plugin?.name ?? "(unnamed)");
  return plugin;
}

/** Checks that a loaded value is a plugin this version of stages can use. */
export function assertPlugin(value: unknown, source: string): asserts value is StagesPlugin {
  if (typeof value !== "object" || value === null) {
    throw new PluginError(`plugin ${source} does not export a plugin object`, {
      hint: 'export default definePlugin({ name, specificationVersion: "v1", ... })',
    });
  }
  const plugin = value as Partial<StagesPlugin>;
  if (typeof plugin.name !== "string" || plugin.name === "") {
    throw new PluginError(`plugin ${source} has no name`, { hint: "give definePlugin a `name`" });
  }
  if (plugin.specificationVersion !== pluginSpecificationVersion) {
    throw new PluginError(
      `plugin ${plugin.name} targets specification ${String(plugin.specificationVersion)}, this stages speaks ${pluginSpecificationVersion}`,
      { hint: "upgrade the plugin or stages so that both speak the same specification version" },
    );
  }
}

/** The union of what the loaded plugins contribute; a later plugin may not silently replace a name. */
export interface PluginRegistry {
  plugins: StagesPlugin[];
  localStorages: Map<string, LocalStorageFactory>;
  remoteStorages: Map<string, RemoteStorageFactory>;
  builders: Map<string, BuilderFactory>;
  transfers: Map<string, TransferFactory>;
  gitSources: Map<string, GitSourceFactory>;
  locks: Map<string, LockFactory>;
  commands: unknown[];
}

/** Registers plugins in order, the same way for built-in and third-party ones. */
export function createPluginRegistry(plugins: readonly StagesPlugin[]): PluginRegistry {
  const registry: PluginRegistry = {
    plugins: [],
    localStorages: new Map(),
    remoteStorages: new Map(),
    builders: new Map(),
    transfers: new Map(),
    gitSources: new Map(),
    locks: new Map(),
    commands: [],
  };
  const add = <A extends { readonly specificationVersion: string }, R extends unknown[]>(
    map: Map<string, (context: PluginContext, ...rest: R) => A | Promise<A>>,
    entries: Record<string, (context: PluginContext, ...rest: R) => A | Promise<A>> | undefined,
    what: string,
    contract: { name: string; version: A["specificationVersion"] },
    plugin: StagesPlugin,
  ) => {
    for (const [name, factory] of Object.entries(entries ?? {})) {
      if (map.has(name))
        throw new PluginError(
          `plugin ${plugin.name} registers ${what} "${name}", which another plugin already registered`,
        );
      // Each adapter is checked against its own contract's version when it is made, so a plugin
      // built for another StagesStorage contract fails by name instead of misbehaving later.
      map.set(name, async (context, ...rest) =>
        assertAdapterVersion(await factory(context, ...rest), contract, `${what} "${name}" of plugin ${plugin.name}`),
      );
    }
  };
  for (const plugin of plugins) {
    assertPlugin(plugin, plugin.name);
    registry.plugins.push(plugin);
    add(registry.localStorages, plugin.storages?.local, "local storage", storageContract, plugin);
    add(registry.remoteStorages, plugin.storages?.remote, "remote storage", storageContract, plugin);
    add(registry.builders, plugin.builders, "builder", builderContract, plugin);
    add(registry.transfers, plugin.transfers, "transfer", transferContract, plugin);
    add(registry.gitSources, plugin.gitSources, "git source", gitSourceContract, plugin);
    add(registry.locks, plugin.locks, "lock", lockContract, plugin);
    registry.commands.push(...(plugin.commands ?? []));
  }
  return registry;
}

const storageContract = { name: "StagesStorage", version: stagesStorageSpecificationVersion };
const builderContract = { name: "StageBuilder", version: stageBuilderSpecificationVersion };
const transferContract = { name: "ImageTransfer", version: imageTransferSpecificationVersion };
const gitSourceContract = { name: "GitSource", version: gitSourceSpecificationVersion };
const lockContract = { name: "Lock", version: lockSpecificationVersion };

/**
 * Checks that an adapter implements the version of its contract this stages speaks; returns it.
 * `contract.name` is the interface (e.g. "StagesStorage"), `source` who made the adapter.
 */
export function assertAdapterVersion<A extends { readonly specificationVersion: string }>(
  adapter: A,
  contract: { name: string; version: string },
  source: string,
): A {
  const version = (adapter as Partial<A> | null)?.specificationVersion;
  if (version !== contract.version) {
    throw new PluginError(
      `${source} implements ${contract.name} specification ${String(version)}, this stages speaks ${contract.version}`,
      { hint: `upgrade the plugin or stages so that both speak ${contract.name} ${contract.version}` },
    );
  }
  return adapter;
}
