import { Command, Option } from "clipanion";
import type { CommandContext } from "../context.js";
import { rest } from "../option-conventions.js";

/**
 * `stages help [COMMAND...]`: the same as `stages --help` and `stages COMMAND --help`. runCli turns
 * the command line into that before parsing it (so a mistyped command gets the same "did you mean");
 * this class puts `help` in the list of commands.
 */
export class HelpCommand extends Command<CommandContext> {
  static override paths = [["help"]];
  static override usage = Command.Usage({
    description: "Show the commands, or the help of one (as --help)",
    examples: [
      ["List the commands", "stages help"],
      ["Show the options of build", "stages help build"],
    ],
  });
  command = rest(Option.Rest({ name: "COMMAND" }), "[COMMAND...]");

  async execute(): Promise<number> {
    return this.cli.run(this.command.length > 0 ? [...this.command, "--help"] : ["--help"]);
  }
}
