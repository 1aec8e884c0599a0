/**
 * The `STAGES_*` variable of every option declared with `conventions` (option-conventions.ts), to the
 * option's name (`STAGES_REPO` → `--repo`), filled as clipanion registers the commands. Apart from
 * option-conventions (which imports clipanion) so that services can read it without loading clipanion.
 */
const optionVariables = new Map<string, string>();

/** Records an option's variable; the first option to read a variable names it. */
export function recordOptionVariable(variable: string, option: string): void {
  if (!optionVariables.has(variable)) optionVariables.set(variable, option);
}

/** The variables of the options of the commands registered so far: plugin settings must not read them. */
export function variablesOfOptions(): ReadonlyMap<string, string> {
  return optionVariables;
}
