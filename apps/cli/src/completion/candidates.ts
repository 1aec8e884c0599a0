import { readFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import type { CommandShape } from "../stages-cli.js";
import { commandPaths, positionalWords } from "../usage-error.js";

/** Where the project is, for image names. */
export interface CompletionContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** The values a few options take; the others get nothing (or files, when their value is a path). */
const optionValues: Readonly<Record<string, readonly string[]>> = {
  "--network": ["none", "host", "default"],
};
const fileValues = new Set(["path", "file"]);

/**
 * What `stages WORD... CURRENT<Tab>` completes to: `words` are the words after `stages`, the last one
 * being the word under completion (empty at a new word). `[":files"]` asks the shell for file names.
 */
export async function completionCandidates(
  commands: readonly CommandShape[],
  words: readonly string[],
  context: CompletionContext,
): Promise<string[]> {
  const typed = words.at(-1) ?? "";
  let before = words.slice(0, -1);
  // `--network=ho`: zsh and fish give one word, bash (COMP_WORDBREAKS) gives `--network`, `=`, `ho`.
  const bound = /^(--[^=]+)=(.*)$/.exec(typed);
  if (before.at(-1) === "=" && before.at(-2)?.startsWith("--")) before = before.slice(0, -1);
  else if (bound) before = [...before, bound[1] as string];
  const current = bound ? (bound[2] as string) : typed;
  const prefix = bound ? `${bound[1]}=` : "";
  const matching = (candidates: readonly string[]) =>
    [...new Set(candidates)].filter((candidate) => candidate.startsWith(current)).map((value) => prefix + value);
  const command = longestCommand(commands, positionalWords(before, commands));

  const previous = before.at(-1);
  const optionOfValue =
    previous?.startsWith("-") && !previous.includes("=")
      ? (command?.options ?? commands.flatMap((shape) => shape.options)).find(
          (option) => option.arity > 0 && option.names.includes(previous),
        )
      : undefined;
  if (optionOfValue !== undefined) {
    const values = optionOfValue.names.map((name) => optionValues[name]).find((list) => list !== undefined);
    if (values) return matching(values);
    return optionOfValue.value !== undefined && fileValues.has(optionOfValue.value) && !bound ? [":files"] : [];
  }

  if (current.startsWith("-")) {
    if (command === undefined) return matching(["--help", "--version"]);
    const names = command.options
      .filter((option) => !option.hidden)
      .flatMap((option) => option.names.filter((name) => name.startsWith("--")));
    return matching([...names, "--help"]);
  }

  const positionals = positionalWords(before, commands);
  const paths = commandPaths(commands);
  if (command === undefined || command.paths.some((path) => path.length === 1 && path[0] === "help")) {
    // The next word of a command's path (`stages host <Tab>`, `stages help <Tab>`).
    const typed = command === undefined ? positionals : positionals.slice(1);
    return matching(
      paths
        .filter((path) => path.length > typed.length && typed.every((word, index) => path[index] === word))
        .map((path) => path[typed.length] as string),
    );
  }
  if (command.paths.some((path) => path[0] === "completion")) return matching(["bash", "zsh", "fish"]);
  if (command.synopsis?.includes("IMAGE")) return matching(await imageNames(before, context));
  return [];
}

function longestCommand(commands: readonly CommandShape[], words: readonly string[]): CommandShape | undefined {
  let found: CommandShape | undefined;
  let length = 0;
  for (const command of commands) {
    if (!command.documented) continue;
    for (const path of command.paths)
      if (path.length > length && path.length <= words.length && path.every((word, index) => words[index] === word)) {
        found = command;
        length = path.length;
      }
  }
  return found;
}

/**
 * The image names of the project's config, read cheaply: `image:` (and werf's `artifact:`) lines of the
 * file `--config`/`--dir` (or STAGES_CONFIG/STAGES_DIR) point at, without rendering templates or
 * loading the config model. A name a template computes is left out.
 */
async function imageNames(words: readonly string[], context: CompletionContext): Promise<string[]> {
  const flag = (name: string) => {
    for (let index = words.length - 1; index >= 0; index--) {
      const word = words[index] as string;
      if (word === name) return words[index + 1];
      if (word.startsWith(`${name}=`)) return word.slice(name.length + 1);
    }
    return undefined;
  };
  const directory = resolve(context.cwd, flag("--dir") || context.env.STAGES_DIR || ".");
  const config = flag("--config") || context.env.STAGES_CONFIG;
  const files = config
    ? [isAbsolute(config) ? config : resolve(directory, config)]
    : ["stages.yaml", "stages.yml", "werf.yaml", "werf.yml"].map((name) => join(directory, name));
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      continue;
    }
    const names: string[] = [];
    for (const match of text.matchAll(/^(?:image|artifact):[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#]+))/gm)) {
      const name = match[1] ?? match[2] ?? match[3] ?? "";
      if (name !== "" && name !== "~" && name !== "null" && !name.includes("{{")) names.push(name);
    }
    return names;
  }
  return [];
}
