import { readFileSync } from "node:fs";

/** Written in by the CLI's build (tsup.config.ts `define`) from apps/cli/package.json. */
declare const __STAGES_VERSION__: string | undefined;

/** The version of the stages CLI: apps/cli/package.json's, as `changeset version` sets it. */
export const version: string = typeof __STAGES_VERSION__ === "string" ? __STAGES_VERSION__ : versionOfPackage();

// Run from source (the tests), nothing was written in: read the manifest next to src/.
function versionOfPackage(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}
