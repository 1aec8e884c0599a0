/** Written in by this package's build (tsup.config.ts `define`) from its package.json. */
declare const __STAGES_REGISTRY_VERSION__: string | undefined;

/**
 * The version of @stages/registry, as `changeset version` set it in package.json when the package was
 * built; "source" when run from src/ (the tests), where nothing was written in.
 */
export const registryVersion: string =
  typeof __STAGES_REGISTRY_VERSION__ === "string" ? __STAGES_REGISTRY_VERSION__ : "source";
