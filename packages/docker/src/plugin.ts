import {
  definePlugin,
  gitSourceSpecificationVersion,
  type PluginContext,
  pluginSpecificationVersion,
  UsageError,
} from "@stages/core";
import { createDockerConnection, type DockerConnection } from "./connection.js";
import { dockerOptionsFromSettings } from "./docker-options.js";
import { createDockerImageTransfer } from "./image-transfer.js";
import { createDockerStageBuilder } from "./stage-builder.js";
import { createDockerStagesStorage } from "./stages-storage.js";

const connections = new WeakMap<PluginContext, DockerConnection>();

/** One engine connection per host context, from the settings the host read (never process.env). */
function connectionFor(context: PluginContext): DockerConnection {
  let connection = connections.get(context);
  if (!connection) {
    connection = createDockerConnection(dockerOptionsFromSettings(context.settings));
    connections.set(context, connection);
  }
  return connection;
}

/** A text setting, or undefined when absent or empty. */
function textSetting(context: PluginContext, name: string): string | undefined {
  const value = context.settings[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The built-in Docker Engine plugin: local stages storage, stage builder and transfer named `docker`. */
export const dockerPlugin = definePlugin({
  name: "@stages/docker",
  specificationVersion: pluginSpecificationVersion,
  settings: {
    "docker.network": {
      description: "Network mode of build containers: none (the default), host, default, or a network name",
      type: "string",
    },
  },
  storages: {
    local: {
      docker: (context) =>
        createDockerStagesStorage({
          connection: connectionFor(context),
          project: context.project,
          stateDirectory: textSetting(context, "stages.stateDir"),
        }),
    },
  },
  builders: {
    docker: (context) => {
      const git = context.git ?? {
        specificationVersion: gitSourceSpecificationVersion,
        content: () => Promise.reject(new UsageError("this project has no git source")),
        dependenciesChecksum: () => Promise.reject(new UsageError("this project has no git source")),
        diff: () => Promise.reject(new UsageError("this project has no git source")),
        readFile: () => Promise.reject(new UsageError("this project has no git source")),
      };
      const network = textSetting(context, "docker.network");
      return createDockerStageBuilder({
        connection: connectionFor(context),
        git,
        ...(network ? { network } : {}),
        ...(context.credentials ? { registryAuth: context.credentials } : {}),
        ...(context.secrets ? { secrets: context.secrets } : {}),
        projectDirectory: context.directory,
      });
    },
  },
  transfers: {
    docker: (context) =>
      createDockerImageTransfer({
        connection: connectionFor(context),
        ...(context.credentials ? { registryAuth: context.credentials } : {}),
      }),
  },
});
