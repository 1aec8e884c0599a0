import { homedir } from "node:os";
import { join } from "node:path";
import { definePlugin, pluginSpecificationVersion } from "@stages/core";
import { createGitSource } from "./git-source.js";
import { remoteCacheDirectory } from "./remote-purge.js";
import { routeRemoteMappings } from "./remote-routing.js";
import { createRemoteGitSource } from "./remote-source.js";

/**
 * The built-in git plugin: the `git` source reading the work tree the project lives in, and remote
 * mappings (`url:`) from bare mirrors under `<stages.stateDir>/git/<project>`.
 */
export const gitPlugin = definePlugin({
  name: "@stages/git",
  specificationVersion: pluginSpecificationVersion,
  gitSources: {
    git: (context) => {
      // One command sees one state of the work tree: scan it once per mapping root.
      const local = createGitSource({ workTree: context.directory, snapshot: true });
      const setting = context.settings["stages.stateDir"];
      const stateDirectory = typeof setting === "string" ? setting : "";
      // A host that names no state directory gets the CLI's default one.
      const cacheDir = remoteCacheDirectory(
        stateDirectory || join(homedir(), ".local", "state", "stages"),
        context.project,
      );
      const remote = createRemoteGitSource({
        cacheDir,
        secrets: context.secrets,
        onFetch: (what) => context.log(`fetching ${what}`),
      });
      return routeRemoteMappings(local, remote);
    },
  },
});
