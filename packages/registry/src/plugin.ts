import { join } from "node:path";
import {
  definePlugin,
  imageTransferSpecificationVersion,
  type PluginContext,
  pluginSpecificationVersion,
  type RegistryCredentialsProvider,
} from "@stages/core";
import { createRegistryClient, type RegistryClient } from "./client.js";
import { createConfigCache } from "./config-cache.js";
import { createRegistryCopier } from "./copier.js";
import { createDockerConfigCredentials, type Environment } from "./credentials.js";
import { createRegistryStagesStorage } from "./stages-storage.js";

/** Docker-config credentials for other adapters (the engine's X-Registry-Auth): core's one credentials type. */
export function createCredentialsProvider(options: {
  dockerConfigDir?: string;
  env: Environment;
}): RegistryCredentialsProvider {
  return createDockerConfigCredentials({
    env: options.env,
    ...(options.dockerConfigDir ? { dockerConfigDir: options.dockerConfigDir } : {}),
  });
}

const clients = new WeakMap<PluginContext, RegistryClient>();

/** A text setting, or undefined when absent or empty. */
function textSetting(context: PluginContext, name: string): string | undefined {
  const value = context.settings[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** One registry client per host context, configured from its settings (never from process.env). */
function clientFor(context: PluginContext): RegistryClient {
  let client = clients.get(context);
  if (!client) {
    const insecure = context.settings["registry.insecure"];
    const dockerConfigDir = textSetting(context, "docker.config");
    client = createRegistryClient({
      env: { PATH: textSetting(context, "path") },
      ...(dockerConfigDir ? { dockerConfigDir } : {}),
      insecureRegistries: Array.isArray(insecure) ? insecure : [],
    });
    clients.set(context, client);
  }
  return client;
}

/**
 * The built-in registry plugin: remote stages storage `registry` and registry-side copies (a
 * transfer `registry` with `copy` alone: pushes and pulls go through an engine's transfer, which
 * the host composes with it).
 */
export const registryPlugin = definePlugin({
  name: "@stages/registry",
  specificationVersion: pluginSpecificationVersion,
  settings: {
    "registry.insecure": {
      description: "Registry hosts allowed over plain HTTP; localhost and 127.0.0.0/8 always are",
      type: "string[]",
      default: [],
    },
  },
  storages: {
    remote: {
      registry: (context, location) => {
        const client = clientFor(context);
        // Open the connection (and learn how the registry authenticates) while the caller is still
        // reading git and local storage: the first request to a registry is the slow one.
        client.ping(location.split("/")[0] ?? location).catch(() => {});
        // Stage configs read before are kept per user: a lookup that needs what a stage carries
        // (push, `build --repo`) then costs REPO one manifest request, as a HEAD does.
        const stateDirectory = context.settings["stages.stateDir"];
        return createRegistryStagesStorage({
          client,
          repository: location,
          project: context.project,
          ...(typeof stateDirectory === "string" && stateDirectory !== ""
            ? { configCache: createConfigCache(join(stateDirectory, "stage-configs")) }
            : {}),
        });
      },
    },
  },
  transfers: {
    registry: (context) => {
      const copier = createRegistryCopier({ client: clientFor(context) });
      return {
        specificationVersion: imageTransferSpecificationVersion,
        copy: (request) => copier.copy(request),
      };
    },
  },
});
