import { spawnSync } from "node:child_process";

/** A program the environment runs, and the Debian package that brings it. */
export interface RequiredProgram {
  /** A name looked up on PATH, or an absolute path (sshd lives in /usr/sbin, off a user's PATH). */
  binary: string;
  package: string;
}

/** What the environment needs by default. */
export const requiredPrograms: readonly RequiredProgram[] = [
  { binary: "dockerd", package: "docker.io" },
  { binary: "docker-registry", package: "docker-registry" },
  { binary: "busybox", package: "busybox-static" },
  { binary: "htpasswd", package: "apache2-utils" },
  { binary: "skopeo", package: "skopeo" },
  { binary: "git", package: "git" },
  { binary: "/usr/sbin/sshd", package: "openssh-server" },
  { binary: "ssh-keygen", package: "openssh-client" },
  { binary: "redis-server", package: "redis-server" },
];

/**
 * The programs to check: `STAGES_TESTENV_PACKAGES` (`binary=package` pairs separated by spaces or
 * commas) replaces the default list, e.g. on a machine that brings some of them another way.
 */
export function programsToCheck(env: NodeJS.ProcessEnv): RequiredProgram[] {
  const configured = env.STAGES_TESTENV_PACKAGES?.trim();
  if (!configured) return [...requiredPrograms];
  return configured.split(/[\s,]+/).map((pair) => {
    const [binary, name] = pair.split("=");
    if (!binary || !name) {
      throw new Error(`STAGES_TESTENV_PACKAGES: "${pair}" is not binary=package (e.g. dockerd=docker.io)`);
    }
    return { binary, package: name };
  });
}

function hasBinary(name: string, env: NodeJS.ProcessEnv): boolean {
  return spawnSync("sh", ["-c", 'command -v "$1"', "sh", name], { stdio: "ignore", env }).status === 0;
}

/**
 * Runs apt-get with its output (and that of dpkg and every maintainer script below it) on our
 * stderr: `testenv env` is eval'd by shells, so its stdout must carry nothing but `export` lines.
 * No stdin either, so that nothing can stop to ask.
 */
function aptGet(args: string[], env: NodeJS.ProcessEnv): number | null {
  const result = spawnSync("apt-get", args, {
    stdio: ["ignore", 2, 2],
    env: { ...env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return result.error ? null : result.status;
}

/**
 * Installs the missing Debian packages when running as root (CI is), or fails with a message
 * naming what is missing and how to get it.
 */
export function ensurePackages(options: {
  install: boolean;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}): void {
  const env = options.env ?? process.env;
  const missingNow = () => programsToCheck(env).filter((item) => !hasBinary(item.binary, env));
  const missing = missingNow();
  if (missing.length === 0) return;
  const names = [...new Set(missing.map((item) => item.package))];
  const isRoot = process.getuid?.() === 0;
  if (!options.install || !isRoot || !hasBinary("apt-get", env)) {
    throw new Error(
      `the test environment needs ${missing.map((item) => item.binary).join(", ")}: ` +
        `install them with \`sudo apt-get install -y ${names.join(" ")}\` (Debian/Ubuntu) and run again`,
    );
  }
  options.log(`installing ${names.join(" ")} with apt-get`);
  const update = aptGet(["update", "-qq"], env);
  const install = aptGet(["install", "-y", "-qq", ...names], env);
  if (update !== 0 || install !== 0) {
    throw new Error(`apt-get install ${names.join(" ")} failed; install them by hand and run again`);
  }
  const stillMissing = missingNow();
  if (stillMissing.length > 0) {
    throw new Error(
      `apt-get installed ${names.join(" ")} but ${stillMissing.map((item) => item.binary).join(", ")} ` +
        "still cannot be found; install them by hand and run again",
    );
  }
}
