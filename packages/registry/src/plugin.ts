import { join } from "node:path";
import {
  definePlugin,
  imageTransferSpecificationVersion,
  type PluginContext,
  pluginSpecificationVersion,
  type RegistryCredentialsProvider,
  UsageError,
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

/** One registry client per host context, configured from its settings (never from process.env). */
function clientFor(context: PluginContext): RegistryClient {
  let client = clients.get(context);
  if (!client) {
    const insecure = (context.settings["registry.insecure"] ?? "").split(",").filter((host) => host !== "");
    const dockerConfigDir = context.settings["docker.config"];
    client = createRegistryClient({
      env: { PATH: context.settings.path },
      ...(dockerConfigDir ? { dockerConfigDir } : {}),
      insecureRegistries: insecure,
    });
    clients.set(context, client);
  }
  return client;
}

/** The built-in registry plugin: remote stages storage `registry` and registry-side copies. */
export const registryPlugin = definePlugin({
  name: "@stages/registry",
  specificationVersion: pluginSpecificationVersion,
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
      const engineOnly = () => {
        throw new UsageError(
          "the registry transfer only copies inside a registry; pushes and pulls go through a Docker Engine",
        );
      };
      return {
        specificationVersion: imageTransferSpecificationVersion,
        push: engineOnly,
        pull: engineOnly,
        copy: (request) => copier.copy(request),
      };
    },
  },
});
