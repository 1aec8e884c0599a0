import { randomBytes } from "node:crypto";
import { appendFile, mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { GitRevision } from "@stages/core";
import { GitError } from "@stages/core";
import { sha256Hex } from "./content-list.js";
import { runGit } from "./git-process.js";
import { withLockFile } from "./remote-lock.js";

/** Basic credentials of an http(s) remote, already read from their source. */
export interface RemoteCredentials {
  username: string;
  password: string;
}

/** One remote repository and how to reach it. */
export interface MirrorOptions {
  gitBinary: string;
  /** The per-project cache: the mirror is `<cacheDir>/<hash of url>`. */
  cacheDir: string;
  url: string;
  credentials: RemoteCredentials | null;
  /** The environment git runs with (PATH, HOME, SSH_AUTH_SOCK...). */
  env: NodeJS.ProcessEnv;
  lockTimeoutMs: number;
  /** Told once per network fetch, with the url already redacted. */
  onFetch?: ((what: string) => void) | undefined;
}

/**
 * A bare mirror of a remote repository on this host. The rule for the network (werf's, except that
 * werf fetches a tag every time too):
 * - `commit:` already in the mirror needs no network; otherwise every branch and tag is fetched (and,
 *   if it is still missing, the commit itself, which servers allow for reachable commits);
 * - `tag:` already in the mirror needs no network (tags do not move; git fetch keeps them too);
 * - `branch:` and the default branch are fetched on every resolution: a branch moves, and a build
 *   must see its newest commit. Each source resolves a revision once per run.
 */
export interface RemoteMirror {
  /** The bare repository's directory. */
  directory: string;
  /** The full commit id a revision is at (null revision: the remote's default branch). */
  resolve(revision: GitRevision | null, signal: AbortSignal | undefined): Promise<string>;
  /** `text` with the password and the url's user info hidden. */
  redact(text: string): string;
}

/** Opens (creating on first use) the mirror of `options.url`. */
export function openMirror(options: MirrorOptions): RemoteMirror {
  const directory = join(options.cacheDir, sha256Hex(options.url).slice(0, 32));
  const secrets = secretForms(options);
  const redact = (text: string) => {
    let result = text;
    for (const secret of secrets) result = result.split(secret).join("***");
    return redactUserInfo(result);
  };
  const env = gitEnvironment(options);

  const git = (args: readonly string[], signal: AbortSignal | undefined, cwd = directory) =>
    runGit({ gitBinary: options.gitBinary, args: ["-C", cwd, ...args], env, signal });

  /** A full commit id the mirror has for `name`, or null. */
  async function local(name: string, signal: AbortSignal | undefined): Promise<string | null> {
    const output = await git(["rev-parse", "--verify", "--quiet", `${name}^{commit}`], signal);
    const id = output.stdout.toString("utf8").trim();
    return output.exitCode === 0 && id !== "" ? id : null;
  }

  async function fetch(refspecs: readonly string[], what: string, signal: AbortSignal | undefined): Promise<void> {
    options.onFetch?.(`${redact(options.url)} (${what})`);
    // --no-write-fetch-head: FETCH_HEAD is not needed, and concurrent readers need nothing half-written.
    const output = await git(
      ["fetch", "--quiet", "--no-write-fetch-head", "--no-auto-gc", "origin", ...refspecs],
      signal,
    );
    if (output.exitCode === 0) return;
    const stderr = redact(output.stderr);
    const denied = /authentication failed|401|403|could not read username|terminal prompts disabled/i.test(stderr);
    throw new GitError(
      `[git] cannot fetch ${redact(options.url)} (${what}): ${stderr || `exit code ${output.exitCode}`}`,
      {
        hint: denied
          ? options.credentials === null
            ? "the repository needs credentials: add basicAuth: {username: ..., password: {env: NAME}} to the mapping"
            : "check basicAuth's username and password (the password source's value is wrong or expired)"
          : "check the url and the branch, tag or commit, and that this host can reach the repository",
      },
    );
  }

  async function ensureCreated(signal: AbortSignal | undefined): Promise<void> {
    if (await exists(join(directory, "HEAD"))) return;
    // Made aside and renamed into place: a crash never leaves a half-made mirror at `directory`.
    const temporary = `${directory}.tmp-${randomBytes(6).toString("hex")}`;
    try {
      const init = await git(["init", "--quiet", "--bare", temporary], signal, options.cacheDir);
      if (init.exitCode !== 0) throw new GitError(`[git] cannot create a git cache in ${temporary}: ${init.stderr}`);
      // The url lives in the mirror's config, written here rather than by `git config`, so that it is
      // on no command line (it may hold a password).
      const quoted = options.url.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
      await appendFile(join(temporary, "config"), `[remote "origin"]\n\turl = "${quoted}"\n`);
      // Under the lock: what is at `directory` without a HEAD is a broken leftover.
      await rm(directory, { recursive: true, force: true });
      await rename(temporary, directory);
    } finally {
      await rm(temporary, { recursive: true, force: true });
    }
  }

  async function resolveLocked(revision: GitRevision | null, signal: AbortSignal | undefined): Promise<string> {
    await ensureCreated(signal);
    if (revision === null) {
      await fetch(["+HEAD:refs/stages/remote-head"], "default branch", signal);
      return must(await local("refs/stages/remote-head", signal), "its default branch");
    }
    const { kind, name } = revision;
    if (kind === "branch") {
      await fetch([`+refs/heads/${name}:refs/heads/${name}`], `branch ${name}`, signal);
      return must(await local(`refs/heads/${name}`, signal), `branch ${name}`);
    }
    if (kind === "tag") {
      const present = await local(`refs/tags/${name}`, signal);
      if (present !== null) return present;
      await fetch([`+refs/tags/${name}:refs/tags/${name}`], `tag ${name}`, signal);
      return must(await local(`refs/tags/${name}`, signal), `tag ${name}`);
    }
    const present = await local(name, signal);
    if (present !== null) return present;
    await fetch(["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"], `commit ${name}`, signal);
    const fetched = await local(name, signal);
    if (fetched !== null) return fetched;
    if (name.length === 40 || name.length === 64) {
      await fetch([name], `commit ${name}`, signal).catch(() => {});
      const direct = await local(name, signal);
      if (direct !== null) return direct;
    }
    throw new GitError(`[git] commit ${name} is not in ${redact(options.url)}`, {
      hint: "check the commit id (a full id is safest); it may have been rebased or squashed away",
    });
  }

  function must(commit: string | null, what: string): string {
    if (commit !== null) return commit;
    throw new GitError(`[git] ${redact(options.url)} has no ${what}`, { hint: "check the branch or tag name" });
  }

  return {
    directory,
    redact,
    async resolve(revision, signal) {
      await mkdir(options.cacheDir, { recursive: true });
      return withLockFile(`${directory}.lock`, { timeoutMs: options.lockTimeoutMs, signal }, () =>
        resolveLocked(revision, signal),
      );
    },
  };
}

/**
 * git's environment for a remote: never a prompt (a build must fail, not wait), and with basicAuth a
 * credential helper given through the environment (GIT_CONFIG_*), answering from variables of git's
 * own environment, so the password is on no command line and in no url.
 */
function gitEnvironment(options: MirrorOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...options.env, GIT_TERMINAL_PROMPT: "0" };
  if (options.credentials === null) return env;
  const count = Number(env.GIT_CONFIG_COUNT ?? "0") || 0;
  // An empty helper first: the user's own helpers (a keychain) are not asked, nor told to store.
  env[`GIT_CONFIG_KEY_${count}`] = "credential.helper";
  env[`GIT_CONFIG_VALUE_${count}`] = "";
  env[`GIT_CONFIG_KEY_${count + 1}`] = "credential.helper";
  env[`GIT_CONFIG_VALUE_${count + 1}`] =
    '!f() { test "$1" = get && printf "username=%s\\npassword=%s\\n" "$STAGES_GIT_USERNAME" "$STAGES_GIT_PASSWORD"; }; f';
  env.GIT_CONFIG_COUNT = String(count + 2);
  env.STAGES_GIT_USERNAME = options.credentials.username;
  env.STAGES_GIT_PASSWORD = options.credentials.password;
  return env;
}

/** The forms a password may be printed in by git (as is, url-encoded). */
function secretForms(options: MirrorOptions): string[] {
  const forms = new Set<string>();
  const password = options.credentials?.password;
  if (password) {
    forms.add(password);
    forms.add(encodeURIComponent(password));
  }
  const inUrl = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/@:]*:([^/@]+)@/.exec(options.url)?.[1];
  if (inUrl) {
    forms.add(inUrl);
    try {
      forms.add(decodeURIComponent(inUrl));
    } catch {
      // Not valid percent-encoding: the raw form is hidden already.
    }
  }
  // Longest first, so that a password containing another is hidden whole.
  return [...forms].filter((form) => form.length > 0).sort((left, right) => right.length - left.length);
}

function redactUserInfo(text: string): string {
  return text.replace(/([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/@:\s]*):[^/@\s]*@/g, "$1:***@");
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
