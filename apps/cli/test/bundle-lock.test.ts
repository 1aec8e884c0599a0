// The Redis lock (@stages/lock-redis and ioredis) is bundled into the CLI but loaded only by a run
// given --lock or STAGES_LOCK: it sits in chunks reached by dynamic imports alone, never in what a
// start (`stages --version`, a build without a lock) loads.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliRoot } from "./helpers.js";

const dist = join(cliRoot, "dist");

function read(file: string): string {
  if (!existsSync(join(dist, file))) throw new Error(`${join(dist, file)} is missing: run \`pnpm build\` first`);
  return readFileSync(join(dist, file), "utf8");
}

/** The chunks `file` imports: statically only, or dynamic imports too. */
function imports(file: string, dynamic: boolean): string[] {
  const pattern = dynamic
    ? /(?:from\s+|import\s*\(\s*|import\s+)"\.\/([^"]+)"/g
    : /^(?:import|export)\b[^;]*?from\s+"\.\/([^"]+)"|^import\s+"\.\/([^"]+)"/gm;
  return [...read(file).matchAll(pattern)].map((match) => match[1] ?? match[2] ?? "");
}

function graph(entry: string, dynamic: boolean): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of imports(file, dynamic)) visit(next);
  };
  visit(entry);
  return [...seen];
}

const ioredis = /node_modules\/\.pnpm\/ioredis@/;
const lockRedis = /packages\/lock-redis\/(src|dist)\//;

describe("the CLI bundle and the Redis lock", () => {
  it("holds ioredis and @stages/lock-redis only in chunks that no start loads", () => {
    const start = graph("main.js", false);
    for (const file of start) {
      expect(read(file), file).not.toMatch(ioredis);
      expect(read(file), file).not.toMatch(lockRedis);
    }
    // They are in the bundle (no runtime dependency to install), behind a dynamic import.
    const reachable = graph("main.js", true);
    expect(reachable.filter((file) => ioredis.test(read(file))).length).toBeGreaterThan(0);
    expect(reachable.filter((file) => lockRedis.test(read(file))).length).toBeGreaterThan(0);
  });
});
