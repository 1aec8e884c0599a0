// The built CLI enables Node's module compile cache where Node has it (>= 22.1), in a per-user
// directory, and runs as before where it cannot: Node 20, NODE_DISABLE_COMPILE_CACHE, a cache
// directory that cannot be made. Run under Node 20 (this machine, CI) and Node 22/24 alike: what is
// expected follows the Node that runs it (pnpm exec vitest with .tools/node22's node checks the rest).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import module from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binary, cliRoot } from "./helpers.js";

const directory = join(cliRoot, "node_modules", ".compile-cache-test");
const supported = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === "function";

function stages(env: Record<string, string>, ...args: string[]) {
  const base = { ...process.env };
  delete base.NODE_COMPILE_CACHE;
  delete base.NODE_DISABLE_COMPILE_CACHE;
  return spawnSync(process.execPath, [binary, ...args], { encoding: "utf8", env: { ...base, ...env } });
}

/** The files of the compile cache under an XDG_CACHE_HOME. */
function cached(cacheHome: string): string[] {
  const root = join(cacheHome, "stages", "compile-cache");
  return existsSync(root) ? readdirSync(root, { recursive: true }).map(String) : [];
}

describe(`the module compile cache (Node ${process.versions.node})`, () => {
  beforeAll(() => {
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it(supported ? "holds the CLI's modules after a run" : "is not made where Node has none", () => {
    const cacheHome = join(directory, "enabled");
    const result = stages({ XDG_CACHE_HOME: cacheHome }, "build", "--help");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    if (supported) expect(cached(cacheHome).length).toBeGreaterThan(0);
    else expect(existsSync(join(cacheHome, "stages"))).toBe(false);
  });

  it("is not used with NODE_DISABLE_COMPILE_CACHE", () => {
    const cacheHome = join(directory, "disabled");
    const result = stages({ XDG_CACHE_HOME: cacheHome, NODE_DISABLE_COMPILE_CACHE: "1" }, "build", "--help");
    expect(result.status, result.stderr).toBe(0);
    expect(existsSync(join(cacheHome, "stages"))).toBe(false);
  });

  it("is NODE_COMPILE_CACHE's directory when the user sets it", () => {
    const cacheHome = join(directory, "own");
    const own = join(directory, "own-cache");
    const result = stages({ XDG_CACHE_HOME: cacheHome, NODE_COMPILE_CACHE: own }, "build", "--help");
    expect(result.status, result.stderr).toBe(0);
    expect(existsSync(join(cacheHome, "stages"))).toBe(false);
    if (supported) expect(readdirSync(own).length).toBeGreaterThan(0);
  });

  it("is skipped silently where it cannot be made (a file in the way)", () => {
    const blocked = join(directory, "blocked");
    writeFileSync(blocked, "not a directory\n");
    const result = stages({ XDG_CACHE_HOME: blocked }, "build", "--help");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("Build the images of stages.yaml");
  });
});
