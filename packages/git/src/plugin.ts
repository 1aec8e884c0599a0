import { definePlugin, specificationVersion } from "@stages/core";
import { createGitSource } from "./git-source.js";

/** The built-in git plugin: the `git` source reading the work tree the project lives in. */
export const gitPlugin = definePlugin({
  name: "@stages/git",
  specificationVersion,
  gitSources: {
    git: (context) => createGitSource({ workTree: context.directory }),
  },
});
