import type { Writable } from "node:stream";
import type { CommandShape, StagesCli } from "./stages-cli.js";

/** A usage error as stages prints it: what is wrong, and what to type instead. */
export interface UsageProblem {
  message: string;
  hint: string | undefined;
}

/** The words of a command line that are no options or option values (`--dir x build` → `build`). */
export function positionalWords(argv: readonly string[], commands: readonly CommandShape[]): string[] {
  const takesValue = new Set(
    commands.flatMap((command) => command.options.filter((option) => option.arity > 0).flatMap((o) => o.names)),
  );
  const words: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (argument === "--") break;
    if (argument.startsWith("-")) {
      if (!argument.includes("=") && takesValue.has(argument)) index++;
      continue;
    }
    words.push(argument);
  }
  return words;
}

const startsWith = (words: readonly string[], path: readonly string[]) =>
  path.length <= words.length && path.every((word, index) => words[index] === word);

/** The documented command paths (`build`, `host cleanup`...), without clipanion's `-h` and `-v`. */
export function commandPaths(commands: readonly CommandShape[]): string[][] {
  return commands
    .filter((command) => command.documented)
    .flatMap((command) => command.paths.map((path) => [...path]))
    .filter((path) => path.length > 0 && !(path[0] as string).startsWith("-"));
}

/** The command a command line names (the longest path it starts with), if any. */
export function commandNamed(argv: readonly string[], commands: readonly CommandShape[]): CommandShape | undefined {
  const words = positionalWords(argv, commands);
  let found: CommandShape | undefined;
  let length = 0;
  for (const command of commands)
    for (const path of command.paths)
      if (path.length > length && startsWith(words, path)) {
        found = command;
        length = path.length;
      }
  return found;
}

/**
 * What went wrong with a command line clipanion refused, in stages' words, with a "did you mean" for
 * a mistyped command or option (core's suggestion code, as for config keys).
 */
export async function describeUsageError(
  cli: StagesCli,
  argv: readonly string[],
  error: unknown,
): Promise<UsageProblem> {
  const commands = cli.commands();
  const words = positionalWords(argv, commands);
  const command = commandNamed(argv, commands);
  const { suggestClosest } = await import("@stages/core/internal");
  if (command === undefined && words.length > 0) {
    const paths = commandPaths(commands);
    const group = paths.filter((path) => path.length > 1 && path[0] === words[0]);
    if (group.length > 0 && words.length === 1)
      return {
        message: `"stages ${words[0]}" needs a command: ${group.map((path) => path.at(-1)).join(", ")}`,
        hint: `"stages help ${words[0]}" lists them`,
      };
    const named = (length: number) => [
      ...new Set(paths.filter((path) => path.length === length).map((path) => path.join(" "))),
    ];
    // Two words first (`stages hots purge`, `stages host cleanp`), then the first one (`stages biuld x`).
    const twoWords = words.length >= 2 ? suggestClosest(words.slice(0, 2).join(" "), named(2)) : null;
    const typed = twoWords !== null || group.length > 0 ? words.slice(0, 2).join(" ") : (words[0] as string);
    const groups = [...new Set(paths.filter((path) => path.length > 1).map((path) => path[0] as string))];
    const suggestion =
      twoWords ?? (group.length > 0 ? null : (suggestClosest(typed, named(1)) ?? suggestClosest(typed, groups)));
    return {
      message: `unknown command "${typed}"`,
      hint:
        suggestion !== null
          ? `did you mean "stages ${suggestion}"?`
          : `"stages help" lists the commands (a plugin's command needs its plugin in the config's plugins:)`,
    };
  }
  const name = command ? `stages ${command.paths[0]?.join(" ")}` : "stages";
  const helpHint = command
    ? `"${name} --help" lists its arguments and options`
    : `"stages help" lists the commands and "stages help <command>" their options`;
  const reason = clipanionReason(error, command ? `stages ${command.paths[0]?.join(" ")}` : undefined);
  const unsupported = /^Unsupported option name \("(.*)"\)\.$/.exec(reason);
  if (unsupported) {
    const option = (unsupported[1] as string).split("=")[0] as string;
    const names = (command ?? { options: [] }).options
      .filter((candidate) => !candidate.hidden)
      .flatMap((candidate) => candidate.names)
      .filter((candidate) => candidate.startsWith("--"));
    const suggestion = suggestClosest(option, names);
    return {
      message: `unknown option "${option}" for ${name}`,
      hint: suggestion !== null ? `did you mean "${suggestion}"?` : helpHint,
    };
  }
  const extraneous = /^Extraneous positional argument \("(.*)"\)\.$/.exec(reason);
  if (extraneous) return { message: `unexpected argument "${extraneous[1]}" for ${name}`, hint: helpHint };
  if (reason === "Not enough positional arguments.") return { message: `missing argument for ${name}`, hint: helpHint };
  const missingValue = /^Not enough arguments to option (.*)\.$/.exec(reason);
  if (missingValue) return { message: `${missingValue[1]} needs a value`, hint: helpHint };
  return { message: reason.replace(/\.$/, ""), hint: command ? helpHint : undefined };
}

/**
 * Why clipanion refused the command line: the reason its candidates (of the command named, when one
 * is) agree on, else the first line of its message.
 */
function clipanionReason(error: unknown, commandName: string | undefined): string {
  if (!(error instanceof Error)) return String(error);
  const candidates = (error as { candidates?: { usage: string; reason: string | null }[] }).candidates ?? [];
  const ofCommand = candidates.filter(
    (candidate) => commandName !== undefined && `${candidate.usage} `.startsWith(`${commandName} `),
  );
  const reasons = [...new Set((ofCommand.length > 0 ? ofCommand : candidates).map((candidate) => candidate.reason))];
  if (reasons.length === 1 && reasons[0] !== null && reasons[0] !== undefined) return reasons[0];
  // One command, several readings (`build a --lock`: --lock lacks its value, or `a` is extra): the
  // most specific reason.
  for (const specific of [/^Not enough arguments to option/, /^Unsupported option name/, /^Invalid option name/])
    for (const reason of reasons) if (reason && specific.test(reason)) return reason;
  return error.message.split("\n")[0] as string;
}

/**
 * Prints a usage error as every stages error: `stages: error:` and a hint on stderr, and under
 * `--json` the error document (`{ "error": { "code", "message" } }`) on stdout.
 */
export function writeUsageError(problem: UsageProblem, streams: { stdout: Writable; stderr: Writable }, json: boolean) {
  streams.stderr.write(`stages: error: ${problem.message}\n`);
  if (problem.hint) streams.stderr.write(`  hint: ${problem.hint}\n`);
  if (json)
    streams.stdout.write(`${JSON.stringify({ error: { code: "USAGE", message: problem.message } }, null, 2)}\n`);
}

/** Whether a command line asks for JSON: `--json` (before `--`), else a true `STAGES_JSON`. */
export function wantsJson(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  const end = argv.indexOf("--");
  const options = end === -1 ? argv : argv.slice(0, end);
  if (options.includes("--no-json")) return false;
  if (options.includes("--json")) return true;
  return ["true", "1", "yes", "on"].includes((env.STAGES_JSON ?? "").toLowerCase());
}

/** The help of a group of commands (`stages host --help`), or null when the words name none. */
export function groupUsage(cli: StagesCli, argv: readonly string[]): string | null {
  const commands = cli.commands();
  const words = positionalWords(argv, commands);
  if (words.length === 0) return null;
  const members = commands.filter(
    (command) =>
      command.documented &&
      command.paths.some((path) => path.length > words.length && words.every((word, index) => path[index] === word)),
  );
  if (members.length === 0) return null;
  const lines = [`The commands of "stages ${words.join(" ")}":`, ""];
  for (const member of members) {
    lines.push(`  ${cli.usageLine(member.commandClass)}`);
    const description = member.commandClass.usage?.description;
    if (description) lines.push(`    ${description}`, "");
  }
  lines.push(`Run "stages ${words.join(" ")} <command> --help" for the options of one.`);
  return `${lines.join("\n")}\n`;
}
