// `stages --version` and `stages build --help` load the command classes and clipanion, nothing of the
// engine, registry or git adapters, core or yaml (issue 16): every module the built CLI loads is
// recorded, ES modules by a resolve hook, CommonJS ones by Module._resolveFilename.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binary, cliRoot } from "./helpers.js";

const dist = join(cliRoot, "dist");
const directory = join(cliRoot, "node_modules", ".startup-modules-test");

/** What a chunk of the bundle holds, by esbuild's `// <source path>` comments. */
const heavySource =
  /^\/\/ \.\.\/\.\.\/(?:packages\/(?:core|docker|registry|git|lock-redis)\/|node_modules\/\.pnpm\/(?:yaml|dockerode|docker-modem|ssh2|tar-stream|ioredis|picomatch|@noble\+hashes)@)/m;

/** The files a run of the built CLI loads: paths of the bundle relative to dist/, or package files. */
function modulesLoaded(args: string[], cwd: string = directory): { bundle: string[]; packages: string[] } {
  const log = join(directory, `modules-${args.join("-").replace(/[^a-z-]/g, "")}.log`);
  rmSync(log, { force: true });
  const result = spawnSync(process.execPath, ["--import", join(directory, "record.mjs"), binary, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, STAGES_MODULE_LOG: log, NODE_DISABLE_COMPILE_CACHE: "1" },
  });
  expect(result.status, result.stderr).toBe(0);
  const files = new Set(
    readFileSync(log, "utf8")
      .split("\n")
      .filter((line) => line.startsWith("/") || line.startsWith("file:"))
      .map((line) => (line.startsWith("file:") ? fileURLToPath(line) : line)),
  );
  const bundle = [...files].filter((file) => file.startsWith(dist + sep)).map((file) => relative(dist, file));
  const packages = [...files].filter(
    (file) => file.includes(`${sep}node_modules${sep}`) && !file.startsWith(directory),
  );
  return { bundle, packages };
}

/** The package a file in node_modules belongs to (a scope included). */
function packageOf(file: string): string {
  const parts = file.split(`${sep}node_modules${sep}`).at(-1)?.split(sep) ?? [];
  return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? file);
}

const heavyChunks = (bundle: readonly string[]) =>
  bundle.filter((file) => file.endsWith(".cjs") || heavySource.test(readFileSync(join(dist, file), "utf8")));

describe("the CLI's start", () => {
  beforeAll(() => {
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    writeFileSync(
      join(directory, "record.mjs"),
      `import { appendFileSync } from "node:fs";
import Module, { register } from "node:module";
const log = process.env.STAGES_MODULE_LOG;
register(new URL("./hooks.mjs", import.meta.url));
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolveFilename.apply(this, args);
  appendFileSync(log, file + "\\n");
  return file;
};
`,
    );
    writeFileSync(
      join(directory, "hooks.mjs"),
      `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(process.env.STAGES_MODULE_LOG, result.url + "\\n");
  return result;
}
`,
    );
    // A project for the control: a command that reads the config does load core and yaml.
    mkdirSync(join(directory, "project"));
    writeFileSync(
      join(directory, "project", "stages.yaml"),
      "project: startup\nconfigVersion: 1\n---\nimage: app\nfrom: alpine:3.20\n",
    );
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("stages --version loads the entry alone, not even clipanion", () => {
    const { bundle, packages } = modulesLoaded(["--version"]);
    expect(bundle).toContain("main.js");
    expect(heavyChunks(bundle)).toEqual([]);
    expect(packages.map(packageOf)).toEqual([]);
  });

  it.each([
    [["build", "--help"]],
    [["host", "cleanup", "--help"]],
    [["help", "build"]],
    [["completion", "bash"]],
  ])("stages %j loads no engine, registry, git, core or yaml code", (args) => {
    const { bundle, packages } = modulesLoaded(args);
    // The recording works: the entry, the chunk of the command classes and clipanion are seen.
    expect(bundle).toContain("main.js");
    expect(
      bundle.some((file) => readFileSync(join(dist, file), "utf8").includes("Build the images of stages.yaml")),
    ).toBe(true);
    expect(packages.map(packageOf)).toContain("clipanion");
    expect(heavyChunks(bundle)).toEqual([]);
    expect([...new Set(packages.map(packageOf))].sort()).toEqual(["clipanion", "typanion"]);
  });

  it("sees core and yaml where a command reads the config (the check above can fail)", () => {
    const { bundle } = modulesLoaded(["config", "check", "--dir", "project"]);
    expect(heavyChunks(bundle).length).toBeGreaterThan(0);
  });
});

describe("stages --version", () => {
  it("prints apps/cli/package.json's version (written in at build time: changeset version changes it)", () => {
    const manifest = JSON.parse(readFileSync(join(cliRoot, "package.json"), "utf8")) as { version: string };
    const result = spawnSync(process.execPath, [binary, "--version"], { encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(manifest.version);
  });
});
