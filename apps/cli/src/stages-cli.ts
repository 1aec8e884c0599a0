import { Cli, type CommandClass } from "clipanion";
import type { CommandContext } from "./context.js";
import { synopsisOf, valueNameOf, withValueNames } from "./option-conventions.js";

/** An option of a command as help, suggestions and completion see it. */
export interface OptionOfCommand {
  names: readonly string[];
  /** How many values follow it (0 for a flag). */
  arity: number;
  hidden: boolean;
  /** The value's name in help (`path` for `--dir <path>`), if stages named it. */
  value: string | undefined;
}

/** A command as help, suggestions and completion see it. */
export interface CommandShape {
  paths: readonly (readonly string[])[];
  options: readonly OptionOfCommand[];
  /** Whether it has a `static usage` (commands without one are internal and listed nowhere). */
  documented: boolean;
  /** How its positionals read (`[IMAGE...] <REPO>`), if stages declared them with `rest`. */
  synopsis: string | undefined;
  commandClass: CommandClass<CommandContext>;
}

/**
 * clipanion's Cli with value names in usage lines and option lists (`--dir <path>`, not `--dir #0`),
 * and the registered commands' shapes for suggestions and completion.
 */
export class StagesCli extends Cli<CommandContext> {
  protected override getUsageByIndex(n: number, options?: { detailed?: boolean; inlineOptions?: boolean }) {
    const builder = [...this.registrations.values()].find((registration) => registration.index === n)?.builder;
    if (builder === undefined) return super.getUsageByIndex(n, options);
    if (options === undefined) {
      // The one-line form (the list of commands, a group's help): `stages build [options] [IMAGE...]`,
      // each command's options being in its own --help.
      const { usage } = super.getUsageByIndex(n, { detailed: true, inlineOptions: false });
      const command = [this.binaryName, ...(builder.paths[0] ?? [])].join(" ");
      const hasOptions = builder.options.some((option) => !option.hidden);
      const positionals = withValueNames(usage, builder, false).slice(command.length);
      return { usage: `${command}${hasOptions ? " [options]" : ""}${positionals}`, options: [] };
    }
    const usage = super.getUsageByIndex(n, options);
    const command = [this.binaryName, ...(builder.paths[0] ?? [])].join(" ");
    // A command's help lists the options under the usage line, which says where they go.
    const withOptions =
      options.inlineOptions === false && options.detailed !== false && usage.options.length > 0
        ? `${command} [options]${usage.usage.slice(command.length)}`
        : usage.usage;
    return {
      usage: withValueNames(withOptions, builder, false),
      options: usage.options.map((option) => ({
        ...option,
        definition: withValueNames(option.definition, builder, true),
      })),
    };
  }

  /** Every registered command: its paths and options. */
  commands(): CommandShape[] {
    return [...this.registrations.entries()].map(([commandClass, { builder }]) => ({
      paths: builder.paths,
      options: builder.options.map((option) => ({
        names: option.names,
        arity: option.arity,
        hidden: option.hidden,
        value: valueNameOf(option),
      })),
      documented: commandClass.usage !== undefined,
      synopsis: synopsisOf(builder),
      commandClass,
    }));
  }

  /** The one-line usage of a command (`stages build [options] [IMAGE...]`). */
  usageLine(commandClass: CommandClass<CommandContext>): string {
    return this.getUsageByRegistration(commandClass).usage;
  }
}
