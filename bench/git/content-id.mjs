#!/usr/bin/env node
// Times GitSource.content() of @stages/git against `git ls-files -s` on a generated repository of
// 100 000 committed files (DESIGN §4: content ids come from the git index, unchanged files are never read).
//
//   pnpm --filter @stages/core --filter @stages/git build   # or: pnpm build
//   node bench/git/content-id.mjs [--files 100000] [--runs 9] [--dir bench/work/git-content-id] [--json]
//
// The repository is generated once under --dir (bench/work/ is gitignored) and reused while its file
// count matches. Each measurement is the median of --runs runs after one warm-up run.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const { values: options } = parseArgs({
  options: {
    files: { type: "string", default: "100000" },
    runs: { type: "string", default: "9" },
    dir: { type: "string", default: resolve(here, "../work/git-content-id") },
    module: { type: "string", default: resolve(here, "../../packages/git/dist/index.js") },
    json: { type: "boolean", default: false },
  },
});
const fileCount = Number(options.files);
const runs = Number(options.runs);
const root = resolve(options.dir);
const log = (line) => process.stderr.write(`${line}\n`);

const gitEnvironment = {
  ...process.env,
  GIT_AUTHOR_NAME: "bench",
  GIT_AUTHOR_EMAIL: "bench@example.com",
  GIT_COMMITTER_NAME: "bench",
  GIT_COMMITTER_EMAIL: "bench@example.com",
};
const git = (...args) =>
  execFileSync("git", args, { cwd: root, env: gitEnvironment, encoding: "utf8", maxBuffer: 1 << 30 });

/** 100 top directories × 20 subdirectories × files, with a few executables, markdown files and symlinks. */
function generate() {
  log(`generating ${fileCount} files in ${root} ...`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  git("init", "-q", "-b", "main");
  const perDirectory = Math.ceil(fileCount / 2000);
  let written = 0;
  for (let top = 0; top < 100 && written < fileCount; top++) {
    for (let sub = 0; sub < 20 && written < fileCount; sub++) {
      const directory = join(root, `pkg${String(top).padStart(3, "0")}`, `module${String(sub).padStart(2, "0")}`);
      mkdirSync(directory, { recursive: true });
      for (let index = 0; index < perDirectory && written < fileCount; index++, written++) {
        const name = index % 10 === 9 ? `notes-${index}.md` : `file-${index}.ts`;
        writeFileSync(join(directory, name), `// ${top}/${sub}/${index}\nexport const value = ${written};\n`, {
          mode: index % 50 === 7 ? 0o755 : 0o644,
        });
      }
    }
  }
  writeFileSync(join(root, ".bench-files"), String(fileCount));
  const started = performance.now();
  git("add", "-A");
  git("commit", "-q", "-m", "generated");
  log(`committed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Runs the actions round-robin (so that they share whatever load the machine has), one warm-up
 * round first, and reports each one's median, min and max.
 */
async function measure(actions) {
  const times = actions.map(() => []);
  for (let run = -1; run < runs; run++) {
    for (const [index, [, action]] of actions.entries()) {
      const started = performance.now();
      await action();
      if (run >= 0) times[index].push(performance.now() - started);
    }
  }
  return actions.map(([name], index) => {
    const sorted = times[index].sort((left, right) => left - right);
    const result = { name, medianMs: sorted[Math.floor(sorted.length / 2)], minMs: sorted[0], maxMs: sorted.at(-1) };
    log(
      `${name.padEnd(56)} median ${result.medianMs.toFixed(1).padStart(7)} ms  (min ${result.minMs.toFixed(1)}, max ${result.maxMs.toFixed(1)})`,
    );
    return result;
  });
}

/** Runs git and only counts its output, as any caller of it would at least do. */
function gitOutput(args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("git", args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let bytes = 0;
    child.stdout.on("data", (chunk) => {
      bytes += chunk.length;
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolvePromise(bytes) : reject(new Error(`git exited ${code}`))));
  });
}

if (!existsSync(join(root, ".bench-files")) || readFileSync(join(root, ".bench-files"), "utf8") !== String(fileCount)) {
  generate();
}
git("reset", "-q", "--hard");

let gitModule;
try {
  gitModule = await import(pathToFileURL(options.module).href);
} catch (error) {
  log(`cannot load ${options.module}: ${error.message}`);
  log("build first: pnpm --filter @stages/core --filter @stages/git build");
  process.exit(1);
}
const source = gitModule.createGitSource({ workTree: root });
const mapping = {
  id: "git-0",
  add: "/",
  to: "/app",
  includePaths: [],
  excludePaths: [],
  owner: null,
  group: null,
  stageDependencies: { beforeInstall: [], install: [], beforeSetup: [], setup: [] },
  position: { file: "stages.yaml", line: 1, column: 1 },
};
const filtered = { ...mapping, includePaths: ["pkg0*", "pkg1*/**/*.ts"], excludePaths: ["**/module1*"] };
const inSubdirectory = { ...mapping, add: "/pkg042" };

const selected = (await source.content(mapping)).files.length;
log(`${selected} files selected by the whole-repository mapping; median of ${runs} rounds after one warm-up round`);
const lsFiles = ["git ls-files -s", () => gitOutput(["ls-files", "-s"])];
log("clean work tree:");
const [baseline, floor, whole, withFiles, patterns, subdirectory, dependencies] = await measure([
  lsFiles,
  [
    "git ls-files -s and git diff-files side by side",
    () => Promise.all([gitOutput(["ls-files", "-s", "-z"]), gitOutput(["diff-files", "--raw", "-z"])]),
  ],
  ["content(): add /, no patterns", () => source.content(mapping)],
  ["content() and reading its .files", async () => (await source.content(mapping)).files],
  ["content(): add /, includePaths + excludePaths globs", () => source.content(filtered)],
  ["content(): add /pkg042 (1 000 files)", () => source.content(inSubdirectory)],
  ['dependenciesChecksum(["**/*.md"])', () => source.dependenciesChecksum(mapping, ["**/*.md"])],
]);

log("one file edited before each run, so each content is new and its list is written to the cache:");
let generation = 0;
const edit = join(root, "pkg000", "module00", "file-0.ts");
const [, fresh] = await measure([
  lsFiles,
  [
    "content(): add /, new content",
    () => {
      writeFileSync(edit, `// generation ${generation++}\n`);
      return source.content(mapping);
    },
  ],
]);
git("checkout", "--", ".");

log("100 files edited, not committed:");
for (let index = 0; index < 100; index++) {
  const path = join(root, `pkg${String(index).padStart(3, "0")}`, "module00", "file-0.ts");
  writeFileSync(path, `// edited ${index}\n`);
}
const [, edited] = await measure([lsFiles, ["content(): add /, 100 uncommitted edits", () => source.content(mapping)]]);
git("reset", "-q", "--hard");

// Stat changed, content not: the first call hashes them and refreshes the index, later ones do not.
const future = new Date(Date.now() + 120_000);
for (let index = 0; index < 1000; index++) {
  const directory = `pkg${String(index % 100).padStart(3, "0")}/module${String(Math.floor(index / 100)).padStart(2, "0")}`;
  utimesSync(join(root, directory, "file-1.ts"), future, future);
}
const touchStarted = performance.now();
await source.content(mapping);
const touchedFirst = performance.now() - touchStarted;
log(`${"content(): first call after touching 1 000 files".padEnd(56)} ${touchedFirst.toFixed(1).padStart(14)} ms`);

const ratio = whole.medianMs / baseline.medianMs;
log("");
log(
  `files: ${fileCount}   git ls-files -s: ${baseline.medianMs.toFixed(1)} ms   content(): ${whole.medianMs.toFixed(1)} ms   ratio: ${ratio.toFixed(2)}x   (floor, ls-files with diff-files: ${floor.medianMs.toFixed(1)} ms)`,
);
if (options.json) {
  const document = {
    files: fileCount,
    runs,
    node: process.version,
    git: execFileSync("git", ["--version"], { encoding: "utf8" }).trim(),
    results: [baseline, floor, whole, withFiles, patterns, subdirectory, dependencies, fresh, edited],
    firstCallAfterTouchingMs: touchedFirst,
    ratio,
  };
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}
