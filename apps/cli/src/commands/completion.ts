import { Command, Option } from "clipanion";
import * as t from "typanion";
import type { CommandContext } from "../context.js";

const shells = ["bash", "zsh", "fish"] as const;

/** `stages completion bash|zsh|fish`: the shell's completion script. */
export class CompletionCommand extends Command<CommandContext> {
  static override paths = [["completion"]];
  static override usage = Command.Usage({
    description: "Print the shell completion script of bash, zsh or fish",
    details: `
      The script completes commands, options, the values of some (\`--network\`, files for \`--dir\` and \`--config\`) and image names read from the project's stages.yaml or werf.yaml (\`image:\` lines; a name a template computes is not offered). It asks \`stages\` at each Tab, so the commands of the project's plugins are completed too.

      bash: add \`source <(stages completion bash)\` to ~/.bashrc, or save it where bash-completion finds it: \`stages completion bash > ~/.local/share/bash-completion/completions/stages\`.

      zsh: save it as \`_stages\` in a directory of \`$fpath\` before \`compinit\` runs: \`stages completion zsh > ~/.zfunc/_stages\` with \`fpath=(~/.zfunc $fpath)\` in ~/.zshrc; or add \`source <(stages completion zsh)\` to ~/.zshrc after \`compinit\`.

      fish: \`stages completion fish > ~/.config/fish/completions/stages.fish\`.
    `,
    examples: [
      ["Complete stages in this bash session", "source <(stages completion bash)"],
      ["Install the fish completion", "stages completion fish > ~/.config/fish/completions/stages.fish"],
    ],
  });
  shell = Option.String({ name: "SHELL", validator: t.isEnum(shells) });

  async execute(): Promise<number> {
    const { completionScript } = await import("../completion/scripts.js");
    this.context.stdout.write(completionScript(this.shell));
    return 0;
  }
}
