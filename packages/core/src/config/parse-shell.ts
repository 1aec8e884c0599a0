import type { Node } from "yaml";
import type { ShellStages } from "./model.js";
import { userStageNames } from "./model.js";
import { readSection, type SectionSpec, sectionValue } from "./read-section.js";
import type { YamlContext } from "./yaml-context.js";
import { isNullNode } from "./yaml-context.js";
import { readText, readTextList } from "./yaml-values.js";

const cacheVersionKeys = [
  "cacheVersion",
  "beforeInstallCacheVersion",
  "installCacheVersion",
  "beforeSetupCacheVersion",
  "setupCacheVersion",
] as const;

const shellSpec: SectionSpec = {
  where: "under shell",
  word: "directive",
  known: [...userStageNames, ...cacheVersionKeys],
};

/** The shell stages of an image without any command. */
export function emptyShellStages(): ShellStages {
  return {
    beforeInstall: [],
    install: [],
    beforeSetup: [],
    setup: [],
    cacheVersion: null,
    beforeInstallCacheVersion: null,
    installCacheVersion: null,
    beforeSetupCacheVersion: null,
    setupCacheVersion: null,
  };
}

/** Reads `shell:`: the commands of the user stages (a string or a list each) and their cache versions. */
export function parseShell(context: YamlContext, node: Node | null): ShellStages {
  const shell = emptyShellStages();
  if (isNullNode(node)) return shell;
  const section = readSection(context, node as Node, "shell", shellSpec);
  if (section === null) return shell;
  for (const stage of userStageNames) {
    shell[stage] = readTextList(context, sectionValue(section, stage), `shell.${stage}`);
  }
  for (const key of cacheVersionKeys) {
    shell[key] = readText(context, sectionValue(section, key), `shell.${key}`, `write ${key}: "1"`);
  }
  return shell;
}
