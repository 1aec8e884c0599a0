import { definePlugin, pluginSpecificationVersion } from "@stages/core";
import { createGitSource } from "./git-source.js";

/** The built-in git plugin: the `git` source reading the work tree the project lives in. */
export const gitPlugin = definePlugin({
  name: "@stages/git",
  specificationVersion: pluginSpecificationVersion,
  gitSources: {
    // One command sees one state of the work tree: scan it once per mapping root.
    git: (context) => createGitSource({ workTree: context.directory, snapshot: true }),
  },
});
