import type { RegistryCredentialsProvider } from "./adapters/common.js";
import { type GitSource, gitSourceSpecificationVersion } from "./adapters/git-source.js";
import { type CopyRequest, type ImageTransfer, imageTransferSpecificationVersion } from "./adapters/image-transfer.js";
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

/** The value of a setting: its declared type (`"string[]"` is a list of strings). */
export type PluginSettingValue = string | number | boolean | readonly string[];

/**
 * A setting a plugin declares (yarn berry's `configuration` shape). The host fills it, first found
 * wins: the flag `--setting name=value`, the variable `STAGES_<NAME>` (name upper-cased, `.` and `-`
 * turned into `_`), `settings:` in the project meta of stages.yaml, then `default`. Values are
 * checked against `type` before any factory runs, with an error naming where the wrong one came from.
 */
export type PluginSettingDefinition =
  | { description: string; type: "string"; default?: string }
  | { description: string; type: "number"; default?: number }
  | { description: string; type: "boolean"; default?: boolean }
  | { description: string; type: "string[]"; default?: readonly string[] };

/** The types a setting may declare. */
export type PluginSettingType = PluginSettingDefinition["type"];

/**
 * What the host (the CLI) gives every factory: settings it read from flags, environment and
 * config files (plugins never read process.env themselves), and the adapters made so far.
 */
export interface PluginContext {
  project: string;
  /** Directory of stages.yaml (the git work tree root or below it). */
  directory: string;
  /**
   * Every declared setting of every loaded plugin, of its declared type (absent without a value or
   * default), e.g. `registry.insecure` (string[]), `docker.network` (string); and what the host
   * itself knows, as strings: `docker.connection` (JSON), `docker.config`, `stages.stateDir`, `path`.
   */
  settings: Readonly<Record<string, PluginSettingValue | undefined>>;
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
/**
 * What a transfer contributes: any of push, pull and copy (the registry contributes copy alone).
 * The host composes the transfers it is told to use into one ImageTransfer (composeImageTransfer).
 */
export type ImageTransferPart = Pick<ImageTransfer, "specificationVersion"> &
  Partial<Pick<ImageTransfer, "push" | "pull" | "copy">>;
export type TransferFactory = (context: PluginContext) => ImageTransferPart | Promise<ImageTransferPart>;
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

// biome-ignore lint/suspicious/noExplicitAny: core does not depend on clipanion; untyped by default so that `class extends Command` compiles, typed by a plugin that passes clipanion's types
type Untyped = any;

/**
 * What the CLI hands `commands`: the `Command` and `Option` of ITS clipanion. clipanion recognises
 * options by a module-local symbol, so a command built with the plugin's own copy of clipanion
 * (a global CLI, a project-local plugin) would parse nothing. TypeScript authors type it with
 * clipanion as a dev dependency: `PluginCommandApi<typeof import("clipanion")>`.
 */
export interface PluginCommandApi<
  Clipanion extends { Command: unknown; Option: unknown } = { Command: Untyped; Option: Untyped },
> {
  Command: Clipanion["Command"];
  Option: Clipanion["Option"];
}

/**
 * A plugin's commands: a function of the host's command API returning command classes (what the
 * CLI takes), or, the old form, the classes themselves, which work only when they extend the
 * CLI's own clipanion `Command` (the CLI refuses others with a PluginError saying so).
 */
export type PluginCommands = ((api: PluginCommandApi) => readonly unknown[]) | readonly unknown[];

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
  /** Settings the plugin's factories read from `context.settings`; names are global, so prefix them. */
  settings?: Record<string, PluginSettingDefinition>;
  commands?: PluginCommands;
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
  /** Every declared setting, with the plugin that declared it. */
  settings: Map<string, PluginSettingDefinition & { plugin: string }>;
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
    settings: new Map(),
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
    for (const [name, definition] of Object.entries(plugin.settings ?? {})) {
      const known = registry.settings.get(name);
      if (known)
        throw new PluginError(
          `plugin ${plugin.name} declares the setting "${name}", which plugin ${known.plugin} already declared`,
          { hint: "prefix a plugin's settings with its own name, e.g. directory.root" },
        );
      assertSettingDefinition(name, definition, plugin.name);
      registry.settings.set(name, { ...definition, plugin: plugin.name });
    }
  }
  return registry;
}

const settingTypes: readonly PluginSettingType[] = ["string", "number", "boolean", "string[]"];

function assertSettingDefinition(name: string, definition: PluginSettingDefinition, plugin: string): void {
  if (!settingTypes.includes(definition?.type)) {
    throw new PluginError(
      `plugin ${plugin} declares the setting "${name}" of type ${String(definition?.type)}, not one of ${settingTypes.join(", ")}`,
    );
  }
  if (definition.default !== undefined && !settingValueHasType(definition.default, definition.type)) {
    throw new PluginError(
      `plugin ${plugin} declares the setting "${name}" with a default that is not a ${definition.type}`,
    );
  }
}

/** Whether a value is of a setting type (`string[]`: an array of strings). */
export function settingValueHasType(value: unknown, type: PluginSettingType): value is PluginSettingValue {
  if (type === "string[]") return Array.isArray(value) && value.every((item) => typeof item === "string");
  if (type === "number") return typeof value === "number" && Number.isFinite(value);
  return typeof value === type;
}

/**
 * The command classes a plugin contributes: its `commands` function called with the host's API,
 * or its old-form list as it is.
 */
export function pluginCommandsOf(plugin: StagesPlugin, api: PluginCommandApi): readonly unknown[] {
  const commands = plugin.commands;
  if (commands === undefined) return [];
  const list = typeof commands === "function" ? commands(api) : commands;
  if (!Array.isArray(list))
    throw new PluginError(
      `plugin ${plugin.name}: commands(api) returned ${typeof list}, not a list of command classes`,
      {
        hint: "return an array: commands: ({ Command, Option }) => [MyCommand]",
      },
    );
  return list;
}

/**
 * The one place transfers are composed: push and pull from the first part that has each, copy from
 * the first that has it (absent when none does: the procedures then pull and push). The default of
 * the CLI is docker's (push, pull) then the registry's (copy): registry-side copies need no engine.
 */
export function composeImageTransfer(parts: readonly { name: string; transfer: ImageTransferPart }[]): ImageTransfer {
  const first = (key: "push" | "pull" | "copy") =>
    parts.find((candidate) => typeof candidate.transfer[key] === "function")?.transfer;
  const pusher = first("push");
  const puller = first("pull");
  const copier = first("copy");
  if (!pusher?.push || !puller?.pull) {
    const names = parts.map((part) => part.name).join(", ") || "none";
    throw new PluginError(`no transfer among those in use (${names}) can ${pusher ? "pull" : "push"} stages`, {
      hint: "add a transfer that pushes and pulls, e.g. transfer: [docker, registry] under adapters: in stages.yaml",
    });
  }
  // Called on their part: a part may be a class instance.
  const { push, pull } = { push: pusher.push, pull: puller.pull };
  const copy = copier?.copy;
  return {
    specificationVersion: imageTransferSpecificationVersion,
    push: (request) => push.call(pusher, request),
    pull: (request) => pull.call(puller, request),
    ...(copy ? { copy: (request: CopyRequest) => copy.call(copier, request) } : {}),
  };
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
