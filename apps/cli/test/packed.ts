import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { type RunResult, repositoryRoot } from "./helpers.js";
import { temporaryDirectory } from "./temporary.js";

// Installing stages the way its users do: packed tarballs (what `pnpm publish` would upload),
// installed by npm outside the repository, in folders the test file's teardown removes. The npm
// registry is reached for third-party dependencies (clipanion, yaml, ...): npm's cache serves most.

const run = promisify(execFile);

/** The published workspace packages and their folders. */
export const packageFolders = {
  "@stages/cli": "apps/cli",
  "@stages/core": "packages/core",
  "@stages/docker": "packages/docker",
  "@stages/git": "packages/git",
  "@stages/lock-redis": "packages/lock-redis",
  "@stages/registry": "packages/registry",
  "@stages/testkit": "packages/testkit",
} as const;

export type PackageName = keyof typeof packageFolders;

/** The manifest of a workspace package, as in the repository. */
export function workspaceManifest(name: PackageName): { name: string; version: string } {
  return JSON.parse(readFileSync(join(repositoryRoot, packageFolders[name], "package.json"), "utf8"));
}

/**
 * Packs these packages with `pnpm pack` (publishConfig applied, `workspace:` ranges rewritten, as
 * `pnpm publish` does; `npm pack` would do neither) from their built dist/. Tarball path by name.
 */
export async function packPackages<Name extends PackageName>(names: readonly Name[]): Promise<Record<Name, string>> {
  const destination = temporaryDirectory("stages-packed-");
  const tarballs = await Promise.all(
    names.map(async (name) => {
      const { stdout } = await run("pnpm", ["pack", "--pack-destination", destination, "--json"], {
        cwd: join(repositoryRoot, packageFolders[name]),
        env: cleanEnvironment(),
      });
      return [name, JSON.parse(stdout).filename as string] as const;
    }),
  );
  return Object.fromEntries(tarballs) as Record<Name, string>;
}

/** The environment without what pnpm sets for scripts (npm_config_*, npm_package_*), which npm would obey. */
function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_(config|package|lifecycle)_/i.test(key)) environment[key] = value;
  }
  return { ...environment, npm_config_update_notifier: "false", npm_config_fund: "false", ...extra };
}

/** Runs npm in a folder; throws with its output on failure. */
export async function npm(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run("npm", [...args, "--no-audit", "--prefer-offline", "--loglevel=error"], {
      cwd,
      env: cleanEnvironment(),
      maxBuffer: 16 << 20,
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(" ")} in ${cwd} failed:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

/** Every package installed in a node_modules tree (nested ones included), by name, sorted. */
export function installedPackages(nodeModules: string): string[] {
  const names: string[] = [];
  const visit = (directory: string) => {
    let entries: string[];
    try {
      entries = readdirSync(directory);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith(".")) continue;
      if (entry.startsWith("@")) {
        for (const scoped of readdirSync(join(directory, entry))) visitPackage(join(directory, entry, scoped));
      } else visitPackage(join(directory, entry));
    }
  };
  const visitPackage = (folder: string) => {
    try {
      names.push(JSON.parse(readFileSync(join(folder, "package.json"), "utf8")).name);
    } catch {
      return;
    }
    visit(join(folder, "node_modules"));
  };
  visit(nodeModules);
  return names.sort();
}

/** Bytes of the files under a folder. */
export function folderSize(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) total += folderSize(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

export interface GlobalCli {
  /** The `--prefix` of `npm install --global`. */
  prefix: string;
  /** Where npm put the package (`<prefix>/lib/node_modules/@stages/cli`). */
  packageFolder: string;
  /** Runs the installed `stages` (`<prefix>/bin/stages`) as a shell would. */
  stages(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<RunResult>;
}

/** `npm install --global --prefix <new folder> <the CLI's tarball>`. */
export async function installGlobalCli(tarball: string): Promise<GlobalCli> {
  const prefix = temporaryDirectory("stages-global-");
  await npm(["install", "--global", "--prefix", prefix, tarball], prefix);
  const bin = join(prefix, "bin", "stages");
  return {
    prefix,
    packageFolder: join(prefix, "lib", "node_modules", "@stages", "cli"),
    stages: async (args, options) => {
      const path = `${join(prefix, "bin")}:${process.env.PATH ?? ""}`;
      try {
        const { stdout, stderr } = await run(bin, args, {
          cwd: options.cwd,
          env: cleanEnvironment({ CI: "true", NO_COLOR: "1", PATH: path, ...options.env }),
        });
        return { code: 0, stdout, stderr, json: parseJson(stdout) };
      } catch (error) {
        const { code, stdout = "", stderr = "" } = error as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof code === "number" ? code : -1, stdout, stderr, json: parseJson(stdout) };
      }
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * A third-party project in a new folder outside the repository: these files, and a package.json
 * whose dependencies (tarball paths or registry ranges) npm installs. Its folder.
 */
export async function installProject(
  dependencies: Record<string, string>,
  files: Record<string, string> = {},
): Promise<string> {
  const directory = temporaryDirectory("stages-project-");
  const manifest = { name: "third-party-project", version: "1.0.0", private: true, dependencies };
  writeFileSync(join(directory, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    writeFileSync(join(directory, path), content);
  }
  await npm(["install"], directory);
  return directory;
}
