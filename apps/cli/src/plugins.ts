import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { assertPlugin, PluginError, type StagesPlugin } from "@stages/core";

function packageEntry(packageDirectory: string, name: string): string {
  const manifest = JSON.parse(readFileSync(join(packageDirectory, "package.json"), "utf8")) as {
    exports?: unknown;
    module?: string;
    main?: string;
  };
  const pick = (value: unknown): string | undefined => {
    if (typeof value === "string") return value;
    if (value && typeof value === "object") {
      const conditions = value as Record<string, unknown>;
      for (const key of ["import", "node", "default"]) {
        const picked = pick(conditions[key]);
        if (picked) return picked;
      }
      if ("." in conditions) return pick(conditions["."]);
    }
    return undefined;
  };
  const entry = pick(manifest.exports) ?? manifest.module ?? manifest.main ?? "index.js";
  const path = resolve(packageDirectory, entry);
  if (!existsSync(path))
    throw new PluginError(`plugin ${name}: its entry ${path} does not exist`, {
      hint: "build the plugin package first",
    });
  return path;
}

/** Finds a plugin module: a path relative to the project, or a package in node_modules above it (or above stages). */
export function resolvePlugin(name: string, projectDirectory: string): string {
  if (name.startsWith(".") || isAbsolute(name)) {
    const path = resolve(projectDirectory, name);
    if (existsSync(join(path, "package.json"))) return packageEntry(path, name);
    if (existsSync(path)) return path;
    throw new PluginError(`plugin ${name} not found at ${path}`, {
      hint: "fix the path under plugins: in stages.yaml",
    });
  }
  const starts = [projectDirectory, dirname(fileURLToPath(import.meta.url))];
  for (const start of starts) {
    for (let directory = start; ; directory = dirname(directory)) {
      const candidate = join(directory, "node_modules", name);
      if (existsSync(join(candidate, "package.json"))) return packageEntry(candidate, name);
      if (dirname(directory) === directory) break;
    }
  }
  throw new PluginError(`plugin ${name} is not installed`, {
    hint: `install it next to stages.yaml: npm install ${name}`,
  });
}

/** Loads the plugins a stages.yaml lists; each default export must be a `definePlugin` value. */
export async function loadPlugins(names: readonly string[], projectDirectory: string): Promise<StagesPlugin[]> {
  const plugins: StagesPlugin[] = [];
  for (const name of names) {
    const path = resolvePlugin(name, projectDirectory);
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(path).href)) as { default?: unknown };
    } catch (error) {
      throw new PluginError(`plugin ${name} failed to load: ${(error as Error).message}`, { cause: error });
    }
    assertPlugin(module.default, name);
    plugins.push(module.default);
  }
  return plugins;
}
