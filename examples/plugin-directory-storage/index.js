// An example third-party plugin, written as any plugin author would: plain ESM, the public API of
// @stages/core, a clipanion command. It contributes a remote stages storage named "directory"
// (one JSON file per stage, labels included) and a command `stages directory-info`.
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  definePlugin,
  descriptorFromLabels,
  pluginSpecificationVersion,
  stagesStorageSpecificationVersion,
  throwIfAborted,
} from "@stages/core";
import { Command, Option } from "clipanion";

/** A stages storage over a directory: `<directory>/<signature>.json` holds `{ id, labels }`. */
export function createDirectoryStorage(directory, project) {
  const read = async (signature) => {
    try {
      const { id, labels } = JSON.parse(await readFile(join(directory, `${signature}.json`), "utf8"));
      const descriptor = descriptorFromLabels({ id, labels });
      return descriptor && descriptor.project === project ? descriptor : null;
    } catch (error) {
      if (error.code === "ENOENT") return null;
      throw error;
    }
  };
  return {
    specificationVersion: stagesStorageSpecificationVersion,
    kind: "directory",
    description: `directory ${directory}`,
    async get(signature, options) {
      throwIfAborted(options?.signal);
      return read(signature);
    },
    async has(signature, options) {
      throwIfAborted(options?.signal);
      return (await read(signature)) !== null;
    },
    async list(options) {
      throwIfAborted(options?.signal);
      await mkdir(directory, { recursive: true });
      const names = (await readdir(directory)).filter((name) => /^[0-9a-f]{64}\.json$/.test(name));
      const stages = await Promise.all(names.map((name) => read(name.slice(0, 64))));
      return stages.filter((stage) => stage !== null);
    },
    async delete(signature, options) {
      throwIfAborted(options?.signal);
      await rm(join(directory, `${signature}.json`), { force: true });
    },
  };
}

class DirectoryInfoCommand extends Command {
  static paths = [["directory-info"]];
  static usage = Command.Usage({
    description: "Say where the directory storage of the example plugin keeps stages",
    examples: [["Print the storage of ./cache", "stages directory-info ./cache"]],
  });
  location = Option.String({ required: true });
  async execute() {
    this.context.stdout.write(`directory storage at ${this.location}, from stages-plugin-directory-storage\n`);
    return 0;
  }
}

export default definePlugin({
  name: "stages-plugin-directory-storage",
  specificationVersion: pluginSpecificationVersion,
  storages: {
    remote: {
      directory: (context, location) => createDirectoryStorage(location, context.project),
    },
  },
  commands: [DirectoryInfoCommand],
});
