import { afterAll, beforeAll, expect } from "vitest";
import { docker, uniqueName } from "../helpers.js";
import { environment, makeReliabilityProject, onA } from "./fixture.js";
import {
  brokenTags,
  incompleteLocalStages,
  leftoverAliases,
  leftoverContainers,
  projectSignatures,
  removeLocalStages,
} from "./leftovers.js";
import { type RunningCommand, stages, startStages } from "./running-command.js";

// SIGINT at points spread over the usual duration of build, push, pull and publish (measured first
// by a run without signal), then from outside: no build container of the project, no alias of the
// REPO in the engine, no local stage without its labels, no tag to a missing blob; and the same
// command run again completes and gives the right result.
// STAGES_RELIABILITY_POINTS (default 2) is the number of points per command: at 1/(N+1), 2/(N+1), ...
// of the command's duration.
const points = Number(process.env.STAGES_RELIABILITY_POINTS ?? 2);
export const registry = environment.registry;

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Points spread over a duration, neither at its start nor at its end. */
export const delays = (durationMs: number) =>
  Array.from({ length: points }, (_, index) => Math.round(((index + 1) * durationMs) / (points + 1)));

/** The repository (path on the registry) has no tag to a missing manifest or blob; returns its tags. */
export async function expectCompleteRepository(path: string): Promise<string[]> {
  const { tags, broken } = await brokenTags(registry, path);
  expect(broken, `broken tags in ${path}`).toEqual([]);
  return tags;
}

/** The project of one test file, made before its tests, and a summary of the outcomes after them. */
export function useInterruptSuite(name: string) {
  const suite = {
    project: uniqueName(name),
    directory: "",
    signatures: [] as string[],
    outcomes: [] as { command: string; delayMs: number; outcome: string }[],
    run: (...args: string[]) => stages(args, { cwd: suite.directory, env: onA }),
    /** Runs once without a signal and returns how long it took. */
    async measure(args: string[]): Promise<number> {
      const started = Date.now();
      const result = await suite.run(...args);
      expect(result.code, result.stderr).toBe(0);
      return Date.now() - started;
    },
    /**
     * Starts `args`, sends SIGINT after `delayMs` (and again after each of `gapsMs`), and checks how it ended: 0 (the work finished
     * first), 130 (interrupted), or killed by the signal before Node ran stages' code.
     */
    async interruptAt(command: string, args: string[], delayMs: number, ...gapsMs: number[]): Promise<void> {
      const running: RunningCommand = startStages(args, { cwd: suite.directory, env: onA });
      await sleep(delayMs);
      running.interrupt("SIGINT", ...gapsMs);
      const ended = await running.ended;
      const outcome =
        ended.code === 0
          ? "finished before the signal (0)"
          : ended.code === 130
            ? "interrupted (130)"
            : ended.signal === "SIGINT" && ended.stdout === "" && ended.stderr === ""
              ? "killed while Node started (nothing begun)"
              : `unexpected: code ${ended.code}, signal ${ended.signal}: ${ended.stderr.trim().split("\n").at(-1)}`;
      suite.outcomes.push({ command, delayMs, outcome });
      expect(outcome, ended.stderr).not.toMatch(/^unexpected/);
    },
    /** No build container of the project, no local stage without labels, no name of `repositories` in engine A. */
    expectNoLeftovers(...repositories: string[]): void {
      expect(leftoverContainers(environment.dockerHostA, suite.signatures)).toEqual([]);
      expect(incompleteLocalStages(environment.dockerHostA, suite.project)).toEqual([]);
      for (const repository of repositories) expect(leftoverAliases(environment.dockerHostA, repository)).toEqual([]);
    },
    localStageTags(): string[] {
      return docker(environment.dockerHostA, "images", `stages-storage/${suite.project}`, "--format", "{{.Tag}}")
        .split("\n")
        .filter(Boolean)
        .sort();
    },
    removeLocalStages: () => removeLocalStages(environment.dockerHostA, suite.project),
    stageTags: () => suite.signatures.map((signature) => `image-stage-${signature}`),
  };
  beforeAll(async () => {
    suite.directory = makeReliabilityProject(suite.project);
    suite.signatures = await projectSignatures(suite.directory, onA);
  });
  afterAll(() => {
    if (suite.outcomes.length === 0) return;
    const lines = suite.outcomes.map(
      (outcome) =>
        `  ${outcome.command.padEnd(8)} SIGINT after ${String(outcome.delayMs).padStart(5)} ms: ${outcome.outcome}`,
    );
    process.stderr.write(`\n[reliability] ${name}:\n${lines.join("\n")}\n`);
  });
  return suite;
}
