import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

/** The mount points at or below `directory` (deepest first), from /proc/self/mounts. */
export function mountsUnder(directory: string, mounts: string = readMounts()): string[] {
  const prefix = directory.endsWith("/") ? directory : `${directory}/`;
  return (
    mounts
      .split("\n")
      .map((line) => line.split(" ")[1])
      .filter((point): point is string => point !== undefined && point !== "")
      // /proc/mounts writes a space, tab, newline and backslash in a path as octal escapes.
      .map((point) =>
        point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))),
      )
      .filter((point) => point === directory || point.startsWith(prefix))
      .sort((left, right) => right.length - left.length)
  );
}

function readMounts(): string {
  try {
    return readFileSync("/proc/self/mounts", "utf8");
  } catch {
    return "";
  }
}

/**
 * Removes the engines' run directory. dockerd bind-mounts network namespaces (`netns/default`) under
 * its exec root and unmounts them when it shuts down cleanly; one it left mounted (a container on
 * a network other than none, a dockerd stopped before its cleanup) makes the removal fail with
 * EBUSY, which failed `down` and the test run's teardown. Those mounts are detached first.
 */
export function removeRunDirectory(directory: string): void {
  for (const point of mountsUnder(directory)) spawnSync("umount", ["-l", point], { stdio: "ignore" });
  rmSync(directory, { recursive: true, force: true });
}
