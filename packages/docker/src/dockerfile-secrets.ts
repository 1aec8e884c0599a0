import { createHash } from "node:crypto";
import { posix } from "node:path";
import type {
  BuildSecretReader,
  DockerfileCacheMount,
  DockerfileSecretMount,
  DockerfileTmpfsMount,
  SecretSpec,
} from "@stages/core";
import { stageLabels, UsageError } from "@stages/core";
import { createOutputGuard, createSecretsVolume, type EngineMount, type OutputGuard } from "./build-mounts.js";
import type { EngineClient } from "./engine-client.js";
import { engineFailure } from "./engine-errors.js";

/*
 * `RUN --mount=type=secret` of a staged Dockerfile step, on an engine that has no BuildKit session:
 * the values go into a fresh volume (one file per mount, with the mount's mode, uid and gid), which
 * the RUN's container gets read-only at a place under /dev (a tmpfs of the container, so the mount
 * point never reaches the committed layer), and each mount with a target as a bind of its file from
 * the volume's directory on the engine's host. A mount with `env=` is read into the variable by a
 * small shell prologue before the command runs. The volume goes when the step is done.
 */

/** Where the RUN's container sees the secrets volume. */
export const runSecretsDirectory = "/dev/.stages-secrets";

/** The secrets a RUN mounts, made on the engine. */
export interface RunSecrets {
  mounts: EngineMount[];
  binds: string[];
  /** The absolute paths the files are bound at (the engine makes what is missing of them: stubs). */
  targets: string[];
  /** `NAME=file` for the mounts with `env=`: the prologue exports them. */
  env: [string, string][];
  guard: OutputGuard;
  release(): Promise<void>;
}

export interface RunSecretsRequest {
  client: EngineClient;
  /** The step's base image: the never-started container that fills the volume is made from it. */
  image: string;
  mounts: readonly DockerfileSecretMount[];
  /** The image's secrets the step names (core leaves out the ones the image lacks). */
  secrets: readonly SecretSpec[];
  reader: BuildSecretReader | undefined;
  /** The image's WorkingDir: a relative target is relative to it, as in BuildKit. */
  workingDir: string;
  containerLabels: Record<string, string>;
  namePrefix: string;
  signal: AbortSignal | undefined;
}

/**
 * Reads the secrets the mounts name and makes the volume; null when none of the mounts has a secret
 * (BuildKit leaves out a missing secret that is not required; core refuses a required one).
 */
export async function prepareRunSecrets(request: RunSecretsRequest): Promise<RunSecrets | null> {
  const byId = new Map(request.secrets.map((secret) => [secret.id, secret]));
  const mounted = request.mounts.filter((mount) => byId.has(mount.id));
  if (mounted.length === 0) return null;
  if (request.reader === undefined) {
    throw new UsageError(
      `[docker] the build needs secrets (${[...new Set(mounted.map((mount) => mount.id))].join(", ")}) and no host reads them`,
      { hint: "build with the stages CLI, or give createDockerStageBuilder a secrets reader" },
    );
  }
  const values = new Map<string, Uint8Array>();
  for (const mount of mounted) {
    if (!values.has(mount.id)) {
      values.set(mount.id, await request.reader.read(byId.get(mount.id)!, { signal: request.signal }));
    }
  }
  const files = mounted.map((mount, index) => ({
    name: `m${index}`,
    value: values.get(mount.id)!,
    mode: mount.mode,
    uid: mount.uid,
    gid: mount.gid,
  }));
  const { volume, release } = await createSecretsVolume(request, files);
  try {
    const mountpoint = await volumeMountpoint(request.client, volume, request.signal);
    const binds: string[] = [];
    const targets: string[] = [];
    const env: [string, string][] = [];
    for (const [index, mount] of mounted.entries()) {
      if (mount.target !== null) {
        const target = posix.resolve("/", request.workingDir || "/", mount.target);
        binds.push(`${mountpoint}/m${index}:${target}:ro`);
        targets.push(target);
      }
      if (mount.env !== null) env.push([mount.env, `${runSecretsDirectory}/m${index}`]);
    }
    return {
      mounts: [
        {
          Type: "volume",
          Source: volume,
          Target: runSecretsDirectory,
          ReadOnly: true,
          VolumeOptions: { NoCopy: true },
        },
      ],
      binds,
      targets,
      env,
      guard: createOutputGuard([...values.values()]),
      release,
    };
  } catch (error) {
    await release();
    throw error;
  }
}

async function volumeMountpoint(client: EngineClient, volume: string, signal: AbortSignal | undefined) {
  try {
    const info = (await client.call(signal, (docker) => docker.getVolume(volume).inspect())) as { Mountpoint?: string };
    if (!info.Mountpoint) throw new Error("the engine reports no Mountpoint");
    return info.Mountpoint;
  } catch (error) {
    throw engineFailure(`cannot find the directory of the secrets volume ${volume}`, error);
  }
}

/** A word the shell reads back as exactly `text`. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The argv that runs `argv` with the ARGs and the secrets' variables in its environment, set by a
 * `/bin/sh` prologue: an env of the container itself would stay in the committed image.
 */
export function withPrologue(
  argv: readonly string[],
  args: readonly [string, string][],
  env: readonly [string, string][],
): string[] {
  const lines = [
    ...args.map(([name, value]) => `export ${name}=${shellQuote(value)}`),
    // $(cat) drops trailing newlines (BuildKit keeps them); the value is read, never written out.
    ...env.map(([name, file]) => `${name}="$(cat ${shellQuote(file)})" || exit 1; export ${name}`),
    'exec "$@"',
  ];
  return ["/bin/sh", "-c", lines.join("\n"), "stages-run", ...argv];
}

/**
 * The paths the engine will create to bind the targets (each target and its missing parents),
 * deepest first, given what exists in the base image. BuildKit removes such mount stubs after the
 * RUN; `stubRemoval` does the same.
 */
export async function missingPaths(
  targets: readonly string[],
  exists: (path: string) => Promise<boolean>,
): Promise<string[]> {
  const missing = new Set<string>();
  for (const target of targets) {
    const parts = target.split("/").filter((part) => part !== "");
    for (let index = 1; index <= parts.length; index += 1) {
      const path = `/${parts.slice(0, index).join("/")}`;
      if (missing.has(path) || !(await exists(path))) missing.add(path);
    }
  }
  return [...missing].sort(
    (left, right) => right.split("/").length - left.split("/").length || (left < right ? -1 : 1),
  );
}

/**
 * The argv that removes the mount stubs a RUN left (deepest first): a file stub, then each stub
 * directory only while it is empty, so that what the command wrote there stays (BuildKit's rule).
 */
export function stubRemoval(paths: readonly string[]): string[] {
  const script =
    'for path in "$@"; do if [ -d "$path" ] && [ ! -L "$path" ]; then rmdir "$path" 2>/dev/null; elif [ ! -s "$path" ]; then rm -f "$path"; fi; done; true';
  return ["/bin/sh", "-c", script, "stages-stubs", ...paths];
}

/**
 * The volume of a `--mount=type=cache` id: one per project and id, kept between builds on the engine
 * (BuildKit keeps its cache mounts in its own store the same way), labelled with the project.
 */
export function cacheVolume(project: string, id: string): string {
  const slug = id.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "");
  const hash = createHash("sha256").update(id).digest("hex").slice(0, 8);
  return `${cacheVolumePrefix(project)}${slug.slice(0, 48)}-${hash}`;
}

/** What every cache mount volume name of the project starts with. */
export function cacheVolumePrefix(project: string): string {
  return `stages-cache-${project}-`;
}

/**
 * The engine mounts of a RUN's cache and tmpfs mounts (targets resolved against the WORKDIR), the
 * cache volumes created when missing. Every `sharing` is shared: stages does not lock a cache.
 */
export async function cacheAndTmpfsMounts(
  client: EngineClient,
  project: string,
  mounts: readonly (DockerfileCacheMount | DockerfileTmpfsMount)[],
  workingDir: string,
  signal: AbortSignal | undefined,
): Promise<{ mounts: EngineMount[]; targets: string[] }> {
  const result: EngineMount[] = [];
  const targets: string[] = [];
  for (const mount of mounts) {
    const target = posix.resolve("/", workingDir || "/", mount.target);
    targets.push(target);
    if (mount.type === "tmpfs") {
      result.push({
        Type: "tmpfs",
        Target: target,
        ...(mount.size > 0 ? { TmpfsOptions: { SizeBytes: mount.size } } : {}),
      });
      continue;
    }
    const name = cacheVolume(project, mount.id);
    // Creating a volume that exists is a no-op for the engine.
    await client.call(signal, (docker) =>
      docker.createVolume({ Name: name, Labels: { [stageLabels.project]: project } }),
    );
    result.push({
      Type: "volume",
      Source: name,
      Target: target,
      ReadOnly: mount.readOnly,
      VolumeOptions: { NoCopy: true },
    });
  }
  return { mounts: result, targets };
}
