import { chmodSync, copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dockerClient } from "./paths.js";
import { httpStatus, run, runBuffer } from "./process.js";

/** Repository and tag of the base image inside the test registry. */
export const baseImagePath = "stages/busybox";
export const baseImageTag = "1";

/** Whether the registry already holds the base image. */
async function registryHasBaseImage(port: number): Promise<boolean> {
  return (await httpStatus({ host: "127.0.0.1", port }, `/v2/${baseImagePath}/manifests/${baseImageTag}`)) === 200;
}

/**
 * Makes a busybox root filesystem (Debian's busybox-static, every applet linked, a root and an
 * `app` user), imports it into the engine and pushes it to the registry, since nothing can be
 * pulled from Docker Hub here. Does nothing when the registry already has it.
 */
export async function ensureBaseImage(options: {
  stateDir: string;
  engine: string;
  registryPort: number;
  log: (line: string) => void;
}): Promise<string> {
  const reference = `localhost:${options.registryPort}/${baseImagePath}:${baseImageTag}`;
  if (await registryHasBaseImage(options.registryPort)) return reference;
  options.log(`making base image ${reference} from busybox-static`);
  const rootfs = join(options.stateDir, "busybox-rootfs");
  rmSync(rootfs, { recursive: true, force: true });
  for (const directory of ["bin", "etc", "tmp", "root", "home/app", "var", "usr/bin"]) {
    mkdirSync(join(rootfs, directory), { recursive: true });
  }
  chmodSync(join(rootfs, "tmp"), 0o1777);
  copyFileSync(run("sh", ["-c", "command -v busybox"]).trim(), join(rootfs, "bin", "busybox"));
  chmodSync(join(rootfs, "bin", "busybox"), 0o755);
  const applets = run(join(rootfs, "bin", "busybox"), ["--list"])
    .split("\n")
    .filter((name) => name && name !== "busybox");
  for (const applet of applets) symlinkSync("busybox", join(rootfs, "bin", applet));
  writeFileSync(
    join(rootfs, "etc", "passwd"),
    "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
  );
  writeFileSync(join(rootfs, "etc", "group"), "root:x:0:\napp:x:1000:\nnogroup:x:65534:\n");
  const tar = runBuffer("tar", ["-C", rootfs, "--numeric-owner", "--owner=0", "--group=0", "-c", "."]);
  const docker = dockerClient();
  const host = ["-H", options.engine];
  run(
    docker,
    [
      ...host,
      "import",
      "--change",
      'CMD ["/bin/sh"]',
      "--change",
      "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "-",
      reference,
    ],
    { input: tar },
  );
  run(docker, [...host, "push", reference]);
  rmSync(rootfs, { recursive: true, force: true });
  return reference;
}
