import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// The "Writing a plugin" guide of README.md, built from its text as a stranger would build it: every
// code block tagged with a file name becomes that file of a fresh package outside the repository,
// whose node_modules holds exactly the packages its package.json names (the workspace's @stages/*
// as built, like a plugin author gets them from npm). tsc must accept it and vitest must run the
// guide's testStagesStorage on it with every test passing. A wrong guide fails here.

const repository = join(import.meta.dirname, "..", "..", "..");
const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");

/** The README's code blocks that name a file: "```ts src/index.ts". */
function guideFiles(text: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const match of text.matchAll(/^```\w+ (\S+)\n([\s\S]*?)^```$/gm)) {
    const [, path, content] = match as unknown as [string, string, string];
    if (files.has(path)) throw new Error(`README.md names ${path} twice`);
    files.set(path, content);
  }
  return files;
}

/** The workspace's packages by name (`@stages/core` → packages/core). */
function workspacePackages(): Map<string, string> {
  const found = new Map<string, string>();
  for (const name of readdirSync(join(repository, "packages"))) {
    const directory = join(repository, "packages", name);
    try {
      found.set(JSON.parse(readFileSync(join(directory, "package.json"), "utf8")).name, directory);
    } catch {
      // not a package
    }
  }
  return found;
}

/** Why a failure may be no fault of the guide: the guide runs on dist, which may be older than the sources. */
function staleness(directory: string): string | null {
  const built = statSync(join(directory, "dist", "index.js"), { throwIfNoEntry: false });
  const newest = readdirSync(join(directory, "src"), { recursive: true })
    .map(String)
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
    .reduce((latest, file) => Math.max(latest, statSync(join(directory, "src", file)).mtimeMs), 0);
  return !built || built.mtimeMs < newest
    ? `${directory}/dist is missing or older than its sources: run \`pnpm build\``
    : null;
}

function run(command: string[], cwd: string): Promise<{ code: number; output: string }> {
  // The child is a vitest of its own: none of this run's VITEST_* variables.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VITEST")));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      command,
      { cwd, env: { ...env, NO_COLOR: "1", CI: "true" } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe("the plugin guide of README.md", () => {
  const directory = mkdtempSync(join(tmpdir(), "stages-plugin-guide-"));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("names the package's files", () => {
    expect([...guideFiles(readme).keys()].sort()).toEqual([
      "package.json",
      "src/index.ts",
      "src/json-file-storage.test.ts",
      "src/json-file-storage.ts",
      "tsconfig.json",
    ]);
  });

  it("builds a plugin that typechecks and passes testStagesStorage", async () => {
    for (const [path, content] of guideFiles(readme)) {
      mkdirSync(dirname(join(directory, path)), { recursive: true });
      writeFileSync(join(directory, path), content);
    }
    const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8"));
    const workspace = workspacePackages();
    const resolveFromRoot = createRequire(join(repository, "package.json"));
    const stale: string[] = [];
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) {
      const local = workspace.get(name);
      const note = local ? staleness(local) : null;
      if (note) stale.push(note);
      const target = local ?? realpathSync(dirname(resolveFromRoot.resolve(`${name}/package.json`)));
      mkdirSync(dirname(join(directory, "node_modules", name)), { recursive: true });
      symlinkSync(target, join(directory, "node_modules", name), "dir");
    }

    // tsc and vitest at once: they need nothing of each other, and the machine is mostly waiting on both.
    const report = join(directory, "report.json");
    const [typecheck, tests] = await Promise.all([
      run([join("node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--noEmit"], directory),
      run(
        [join("node_modules", "vitest", "vitest.mjs"), "run", "--reporter=json", `--outputFile=${report}`],
        directory,
      ),
    ]);
    const notes = stale.length > 0 ? ` (note: ${stale.join("; ")})` : "";
    expect(typecheck.output, `tsc on the guide's package${notes}`).toBe("");
    expect(typecheck.code).toBe(0);

    expect(existsSync(report), `vitest wrote no report:\n${tests.output}${notes}`).toBe(true);
    const results = JSON.parse(readFileSync(report, "utf8")) as {
      numTotalTests: number;
      numPassedTests: number;
      testResults: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
    };
    const failures = results.testResults
      .flatMap((file) => file.assertionResults)
      .filter((test) => test.status !== "passed")
      .map((test) => `${test.fullName}: ${test.status} ${test.failureMessages.join("\n")}`);
    expect(failures, `${tests.output}${notes}`).toEqual([]);
    expect(results.numPassedTests).toBeGreaterThanOrEqual(6);
    expect(tests.code).toBe(0);
  }, 120_000);
});
