import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where stages keeps per-user state about engines (last use of stages, holds of running
 * commands): `STAGES_STATE_DIR`, else `$XDG_STATE_HOME/stages`, else `~/.local/state/stages`.
 * The CLI calls this with its environment and hands the result to the plugin as the
 * `stages.stateDir` setting; adapters never read process.env themselves.
 */
export function stateDirectoryFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  home: string = homedir(),
): string {
  if (env.STAGES_STATE_DIR) return env.STAGES_STATE_DIR;
  // XDG: a relative path is invalid and must be ignored.
  const xdg = env.XDG_STATE_HOME;
  if (xdg?.startsWith("/")) return join(xdg, "stages");
  return join(home, ".local", "state", "stages");
}

/**
 * A short, file-name-safe key of an engine endpoint: the journal of one engine is apart from
 * another's. The same engine reached by two endpoints (a socket and tcp) has two journals.
 */
export function engineKey(endpoint: string): string {
  return createHash("sha256").update(endpoint).digest("hex").slice(0, 16);
}
