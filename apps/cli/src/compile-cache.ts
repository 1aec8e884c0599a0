import module from "node:module";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

type Environment = Readonly<Record<string, string | undefined>>;

/** Where the CLI keeps V8's compiled code of its modules: `$XDG_CACHE_HOME/stages/compile-cache`, else `~/.cache/...`. */
export function compileCacheDirectory(env: Environment, home: string): string {
  // The XDG base directory spec: a relative XDG_CACHE_HOME is invalid and ignored.
  const cache = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(home, ".cache");
  return join(cache, "stages", "compile-cache");
}

/**
 * Enables Node's module compile cache (Node >= 22.1) for the modules loaded after this call, so that
 * later runs skip compiling the CLI's chunks. Returns the directory, or undefined when it is not
 * enabled here: Node without it (20), NODE_DISABLE_COMPILE_CACHE, NODE_COMPILE_CACHE (Node enabled
 * it already, in the user's directory), or a cache that cannot be written (read-only home: the
 * CLI runs as without it, silently).
 */
export function enableCompileCache(env: Environment): string | undefined {
  const enable = (module as { enableCompileCache?: (directory: string) => { status: number; directory?: string } })
    .enableCompileCache;
  if (typeof enable !== "function") return undefined;
  if (env.NODE_DISABLE_COMPILE_CACHE || env.NODE_COMPILE_CACHE) return undefined;
  try {
    const result = enable(compileCacheDirectory(env, homedir()));
    const { ENABLED, ALREADY_ENABLED } = (
      module as unknown as { constants: { compileCacheStatus: Record<string, number> } }
    ).constants.compileCacheStatus;
    return result.status === ENABLED || result.status === ALREADY_ENABLED ? result.directory : undefined;
  } catch {
    return undefined;
  }
}
