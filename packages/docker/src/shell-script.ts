/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** Longest `rm` line we write, well below the kernel's 128 KiB limit for one argument. */
const removalLineLimit = 32 * 1024;

/** `rm -rf --` commands removing `paths`, split so no line gets too long. */
export function removalCommands(paths: readonly string[]): string[] {
  const commands: string[] = [];
  let line = "";
  for (const path of paths) {
    const word = shellQuote(path);
    if (line !== "" && line.length + word.length + 1 > removalLineLimit) {
      commands.push(line);
      line = "";
    }
    line = line === "" ? `rm -rf -- ${word}` : `${line} ${word}`;
  }
  if (line !== "") commands.push(line);
  return commands;
}

/**
 * The script a stage runs with `/bin/sh -e -c`: the commands one per line, in one shell, so `cd`
 * and variables carry over (as in werf) and the first failing command stops the stage.
 */
export function stageScript(commands: readonly string[]): string {
  return commands.join("\n");
}
