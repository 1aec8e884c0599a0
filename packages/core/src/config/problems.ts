import type { ConfigProblem, ProblemSeverity, SourcePosition } from "./model.js";

/**
 * Formats a problem as `file:line:column: message (hint)`; warnings say so after the position. A
 * problem in a rendered template names the template position first, where the user edits, then the
 * rendered line (`stages config render` shows it): `werf.yaml:12:3 (rendered line 40): message`.
 */
export function formatProblem(problem: Omit<ConfigProblem, "formatted">): string {
  const severity = problem.severity === "warning" ? "warning: " : "";
  const hint = problem.hint === null ? "" : ` (${problem.hint})`;
  const { origin } = problem;
  const position =
    origin === undefined
      ? `${problem.file}:${problem.line}:${problem.column}`
      : `${origin.file}:${origin.line}:${origin.column} (rendered line ${problem.line})`;
  return `${position}: ${severity}${problem.message}${hint}`;
}

/** The same problem located in a template too: `origin` is where the rendered position came from. */
export function withOrigin(problem: ConfigProblem, origin: SourcePosition): ConfigProblem {
  const { formatted: _formatted, ...rest } = problem;
  const located = { ...rest, origin: { file: origin.file, line: origin.line, column: origin.column } };
  return { ...located, formatted: formatProblem(located) };
}

/** Creates a problem at a position, with its `formatted` line filled in. */
export function createProblem(
  severity: ProblemSeverity,
  position: SourcePosition,
  message: string,
  hint: string | null = null,
): ConfigProblem {
  const problem = { severity, ...position, message, hint };
  return { ...problem, formatted: formatProblem(problem) };
}

/** Orders problems by line, then column; stable for problems at the same place. */
export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((left, right) => left.line - right.line || left.column - right.column);
}

/** Collects every problem of one parse, so that validation never stops at the first. */
export class ProblemCollector {
  readonly errors: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];

  /** Records an error, once: a mapping merged (<<) into several places is checked in each. */
  error(position: SourcePosition, message: string, hint: string | null = null): void {
    add(this.errors, createProblem("error", position, message, hint));
  }

  /** Records a warning, once. */
  warning(position: SourcePosition, message: string, hint: string | null = null): void {
    add(this.warnings, createProblem("warning", position, message, hint));
  }
}

function add(problems: ConfigProblem[], problem: ConfigProblem): void {
  if (!problems.some((known) => known.formatted === problem.formatted)) problems.push(problem);
}
