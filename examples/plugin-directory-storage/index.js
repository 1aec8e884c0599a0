// An example third-party plugin, written as any plugin author would: plain ESM, the public API of
// @stages/core. It contributes a remote stages storage named "directory" (one JSON file per stage,
// labels included), a typed setting `directory.root` (where relative locations are) and a command
// `stages directory-info`, made with the clipanion the CLI hands it (never its own copy).
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  definePlugin,
  descriptorFromLabels,
  pluginSpecificationVersion,
  stagesStorageSpecificationVersion,
  throwIfAborted,
} from "@stages/core";

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

/** The command, made with the CLI's `Command` and `Option` (a global CLI shares no clipanion with us). */
function commands({ Command, Option }) {
  class DirectoryInfoCommand extends Command {
    static paths = [["directory-info"]];
    static usage = Command.Usage({
      description: "Say where the directory storage of the example plugin keeps stages",
      examples: [
        ["Print the storage of ./cache", "stages directory-info ./cache"],
        ["Count its stages too", "stages directory-info --count ./cache"],
      ],
    });
    count = Option.Boolean("--count", false, { description: "Also count the stages kept there" });
    location = Option.String({ required: true });
    async execute() {
      this.context.stdout.write(`directory storage at ${this.location}, from stages-plugin-directory-storage\n`);
      if (this.count) {
        const names = await readdir(resolve(this.context.cwd, this.location)).catch(() => []);
        const stages = names.filter((name) => /^[0-9a-f]{64}\.json$/.test(name)).length;
        this.context.stdout.write(`${stages} stage${stages === 1 ? "" : "s"}\n`);
      }
      return 0;
    }
  }
  return [DirectoryInfoCommand];
}

export default definePlugin({
  name: "stages-plugin-directory-storage",
  specificationVersion: pluginSpecificationVersion,
  settings: {
    "directory.root": {
      description: "Directory that relative storage locations are in (default: the project's directory)",
      type: "string",
    },
  },
  storages: {
    remote: {
      directory: (context, location) =>
        createDirectoryStorage(
          resolve(context.settings["directory.root"] ?? context.directory, location),
          context.project,
        ),
    },
  },
  commands,
});
