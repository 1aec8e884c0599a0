import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** What the environment needs, and the Debian package that brings it. */
const required = [
  { binary: "dockerd", package: "docker.io" },
  { binary: "docker-registry", package: "docker-registry" },
  { binary: "busybox", package: "busybox-static" },
  { binary: "htpasswd", package: "apache2-utils" },
  { binary: "skopeo", package: "skopeo" },
  { binary: "git", package: "git" },
] as const;

function hasBinary(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/**
 * Installs the missing Debian packages when running as root (CI is), or fails with a message
 * naming what is missing and how to get it.
 */
export function ensurePackages(options: { install: boolean; log: (line: string) => void }): void {
  const missing = required.filter((item) => !hasBinary(item.binary));
  if (missing.length === 0) return;
  const names = missing.map((item) => item.package);
  const isRoot = process.getuid?.() === 0;
  if (!options.install || !isRoot || !existsSync("/usr/bin/apt-get")) {
    throw new Error(
      `the test environment needs ${missing.map((item) => item.binary).join(", ")}: ` +
        `install them with \`sudo apt-get install -y ${names.join(" ")}\` (Debian/Ubuntu) and run again`,
    );
  }
  options.log(`installing ${names.join(" ")} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  const install = spawnSync("apt-get", ["install", "-y", "-qq", ...names], {
    stdio: "inherit",
    env,
  });
  if (update.status !== 0 || install.status !== 0) {
    throw new Error(`apt-get install ${names.join(" ")} failed; install them by hand and run again`);
  }
}
