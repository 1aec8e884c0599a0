// The example plugin runs the StagesStorage conformance suite of @stages/testkit, as every plugin
// author should: its storage made through the plugin's own factory, as the CLI makes it.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testStagesStorage } from "@stages/testkit";
import plugin from "./index.js";

/** The context the CLI hands a factory, with only what this plugin reads. */
const contextOf = (project, directory) => ({ project, directory, settings: {}, log: () => {} });

testStagesStorage("stages-plugin-directory-storage", async () => {
  const directory = await mkdtemp(join(tmpdir(), "stages-dir-conformance-"));
  const place = async (project) => {
    const storage = await plugin.storages.remote.directory(contextOf(project, directory), directory);
    // A stage as the storage stores it: `<signature>.json` with the image id and labels.
    const seed = (signature, labels) =>
      writeFile(join(directory, `${signature}.json`), JSON.stringify({ id: `sha256:${signature}`, labels }));
    return { storage, project, seed };
  };
  return {
    ...(await place("conformance")),
    // Two projects in one directory: each storage must see its own stages only.
    otherProject: await place("conformance-other"),
    cleanup: () => rm(directory, { recursive: true, force: true }),
  };
});
