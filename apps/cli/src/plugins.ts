import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { assertPlugin, PluginError, pluginCommandsOf, type StagesPlugin } from "@stages/core";
import { Command, Option } from "clipanion";

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

/**
 * The command classes of a loaded plugin, made with this CLI's clipanion: a plugin's `commands`
 * function gets our `Command` and `Option`. A class of the old form that extends another copy of
 * clipanion's Command would parse no option or positional (clipanion tells its options apart by a
 * module-local symbol), so it is refused by name instead of failing as "Extraneous positional argument".
 */
export function pluginCommandClasses(plugin: StagesPlugin): unknown[] {
  return pluginCommandsOf(plugin, { Command, Option }).map((command) => {
    if (typeof command === "function" && command.prototype instanceof Command) return command;
    const name = typeof command === "function" ? command.name || "(anonymous class)" : typeof command;
    throw new PluginError(
      `plugin ${plugin.name}: its command ${name} does not extend the clipanion Command of this stages (another copy of clipanion?)`,
      { hint: "declare commands as a function of the CLI's clipanion: commands: ({ Command, Option }) => [MyCommand]" },
    );
  });
}
