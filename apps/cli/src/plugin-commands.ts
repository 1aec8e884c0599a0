import { PluginError, pluginCommandsOf, type StagesPlugin } from "@stages/core";
import { Command, Option } from "clipanion";

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
