import { createHash, randomBytes } from "node:crypto";
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import type { BuildSecretReader, MountSpec, SecretSpec } from "@stages/core";
import { createSecretRedactor, stageLabels, throwIfAborted, UsageError } from "@stages/core";
import { EngineContainer } from "./container.js";
import type { EngineClient } from "./engine-client.js";
import { engineFailure, isHttpStatus } from "./engine-errors.js";
import { createTarStream } from "./tar.js";

/** Where a stapel build container finds its secrets (werf's place, and BuildKit's). */
export const secretsDirectory = "/run/secrets";

/** A mount of the engine's `HostConfig.Mounts`. */
export interface EngineMount {
  /** `tmpfs` for a Dockerfile RUN's `--mount=type=tmpfs`. */
  Type: "volume" | "tmpfs";
  Target: string;
  Source?: string;
  ReadOnly?: boolean;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> };
  TmpfsOptions?: { SizeBytes?: number };
}

/** What a build container gets mounted, and how to release what was made for it. */
export interface PreparedMounts {
  mounts: EngineMount[];
  /** `host path:container path` binds (fromPath); the engine makes a missing host directory, as werf does. */
  binds: string[];
  /** Blanks the secrets' values out of the container's output; null when there are no secrets. */
  guard: OutputGuard | null;
  /**
   * Removes the volumes made for this one container (the secrets). Fails loudly when the engine
   * refuses: a secret must not stay on its disk unnoticed.
   */
  release(): Promise<void>;
}

/** What preparing the mounts of one build container needs. */
export interface MountRequest {
  client: EngineClient;
  project: string;
  /** An image of the engine to make the (never started) container that fills the secrets volume from. */
  image: string;
  mounts: readonly MountSpec[];
  secrets: readonly SecretSpec[];
  /** The project directory, which a relative fromPath is resolved against. */
  projectDirectory: string | undefined;
  reader: BuildSecretReader | undefined;
  /** Labels of the helper container (project and owner), so that a killed run's leftover is found. */
  containerLabels: Record<string, string>;
  namePrefix: string;
  signal: AbortSignal | undefined;
}

/**
 * The volume of a `build_dir` mount point: one per project and mount point, as werf keeps
 * `~/.werf/shared_context/mounts/projects/<project>/<slug of the mount point>`. A named volume of
 * the engine rather than a directory of this host, so that it works the same with a remote engine
 * (`DOCKER_HOST=ssh://...`) and stays where the builds run.
 */
export function buildDirectoryVolume(project: string, to: string): string {
  const slug = to.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "");
  const hash = createHash("sha256").update(to).digest("hex").slice(0, 8);
  return `${buildDirectoryVolumePrefix(project)}${slug.slice(0, 48)}-${hash}`;
}

/** What every `build_dir` volume name of the project starts with. */
export function buildDirectoryVolumePrefix(project: string): string {
  return `stages-build-dir-${project}-`;
}

/**
 * Makes what the mounts and secrets of a shell stage need on the engine: `tmp_dir` is an anonymous
 * volume of the container (removed with it), `build_dir` the project's named volume (kept),
 * `fromPath` a bind, and the secrets a fresh volume filled with one file per id, mounted read-only
 * at /run/secrets and removed after the build. `docker commit` takes none of them into the image;
 * only the (empty) mount point directories the engine creates remain, as with werf's docker builds.
 */
export async function prepareMounts(request: MountRequest): Promise<PreparedMounts> {
  const { client, project, signal } = request;
  const labels = { [stageLabels.project]: project };
  const mounts: EngineMount[] = [];
  const binds: string[] = [];
  for (const mount of request.mounts) {
    if (mount.from === "tmp_dir") {
      // NoCopy: empty, not a copy of what the image has there.
      mounts.push({ Type: "volume", Target: mount.to, VolumeOptions: { NoCopy: true, Labels: labels } });
    } else if (mount.from === "build_dir") {
      const name = buildDirectoryVolume(project, mount.to);
      await client.call(signal, (docker) => docker.createVolume({ Name: name, Labels: labels }));
      mounts.push({ Type: "volume", Source: name, Target: mount.to, VolumeOptions: { NoCopy: true } });
    } else {
      binds.push(`${hostPath(mount.fromPath ?? ".", request.projectDirectory)}:${mount.to}`);
    }
  }
  if (request.secrets.length === 0) return { mounts, binds, guard: null, release: async () => {} };
  if (request.reader === undefined) {
    throw new UsageError(
      `[docker] the build needs secrets (${request.secrets.map((s) => s.id).join(", ")}) and no host reads them`,
      {
        hint: "build with the stages CLI, or give createDockerStageBuilder a secrets reader",
      },
    );
  }
  const values: SecretFile[] = [];
  for (const secret of request.secrets) {
    values.push({ name: secret.id, value: await request.reader.read(secret, { signal }) });
  }
  const { volume, release } = await createSecretsVolume(request, values);
  mounts.push({
    Type: "volume",
    Source: volume,
    Target: secretsDirectory,
    ReadOnly: true,
    VolumeOptions: { NoCopy: true },
  });
  return { mounts, binds, guard: createOutputGuard(values.map(({ value }) => value)), release };
}

/** One file of a secrets volume: werf's (and BuildKit's default) 0400 root:root unless given. */
export interface SecretFile {
  name: string;
  value: Uint8Array;
  mode?: number;
  uid?: number;
  gid?: number;
}

/**
 * Makes a fresh volume holding the files (labelled with the owner, so that a killed run's volume is
 * swept like its container); `release` removes it and must run once the container using it is gone.
 */
export async function createSecretsVolume(
  request: Pick<MountRequest, "client" | "image" | "containerLabels" | "namePrefix" | "signal">,
  files: readonly SecretFile[],
): Promise<{ volume: string; release(): Promise<void> }> {
  const { client, signal } = request;
  const volume = `stages-secrets-${randomBytes(8).toString("hex")}`;
  await client.call(signal, (docker) => docker.createVolume({ Name: volume, Labels: request.containerLabels }));
  const release = () => removeVolume(client, volume);
  try {
    await fillSecretsVolume(request, volume, files);
  } catch (error) {
    await release();
    throw error;
  }
  return { volume, release };
}

/** Writes one file per secret into the volume through a container that is never started. */
async function fillSecretsVolume(
  request: Pick<MountRequest, "client" | "image" | "containerLabels" | "namePrefix" | "signal">,
  volume: string,
  values: readonly SecretFile[],
): Promise<void> {
  const helper = await EngineContainer.create(
    request.client,
    {
      image: request.image,
      namePrefix: request.namePrefix,
      labels: request.containerLabels,
      entrypoint: ["/bin/sh"],
      networkMode: "none",
      mounts: [{ Type: "volume", Source: volume, Target: secretsDirectory, VolumeOptions: { NoCopy: true } }],
    },
    request.signal,
  );
  try {
    throwIfAborted(request.signal);
    const entries = (async function* () {
      for (const { name, value, mode, uid, gid } of values) {
        // Read-only for root, as werf writes its secret files (0400); the commands run as root.
        yield {
          header: {
            name,
            type: "file" as const,
            mode: mode ?? 0o400,
            uid: uid ?? 0,
            gid: gid ?? 0,
            size: value.length,
          },
          body: value,
        };
      }
    })();
    // Extracted at the mount point itself: the files land in the volume, never in a container layer.
    const { stream, done } = createTarStream(entries);
    try {
      await Promise.all([helper.putArchive(stream, request.signal, secretsDirectory), done]);
    } finally {
      stream.destroy();
    }
  } finally {
    await helper.remove();
  }
}

/** A fromPath on the engine's host: `~/` is the home directory, a relative path the project directory's. */
function hostPath(path: string, projectDirectory: string | undefined): string {
  if (path === "~" || path.startsWith("~/")) return resolve(homedir(), path.slice(2));
  if (isAbsolute(path)) return path;
  if (projectDirectory === undefined) {
    throw new UsageError(`[docker] mount fromPath "${path}" is relative and the builder knows no project directory`, {
      hint: "write an absolute fromPath, or build with the stages CLI",
    });
  }
  return resolve(projectDirectory, path);
}

async function removeVolume(client: EngineClient, name: string): Promise<void> {
  try {
    await client.call(undefined, (docker) => docker.getVolume(name).remove({ force: true }));
  } catch (error) {
    if (isHttpStatus(error, 404)) return;
    // A secret left on the engine's disk is worth a loud error, but not a failed build: say it.
    throw engineFailure(`cannot remove the secrets volume ${name}; remove it with docker volume rm ${name}`, error);
  }
}

/** Blanks secret values out of a build container's output before anyone sees it. */
export interface OutputGuard {
  /** The part of the output that is safe to show now (whole lines, values blanked). */
  push(stream: "stdout" | "stderr", text: string): string;
  /** What is left of a stream at its end, values blanked. */
  flush(stream: "stdout" | "stderr"): string;
}

/** Above this much output without a newline, all but a secret's length of it is let through. */
const longLine = 64 * 1024;

/**
 * Holds output back to whole lines, so that a value split between two chunks of the engine's
 * stream is still seen whole, and blanks every value (and its trimmed lines) with core's redactor.
 * The host blanks them too; this keeps a builder used without the stages CLI just as quiet.
 */
export function createOutputGuard(values: readonly Uint8Array[]): OutputGuard {
  const redactor = createSecretRedactor();
  let longest = 0;
  for (const value of values) {
    const text = new TextDecoder().decode(value);
    for (const form of [text, text.trim(), ...text.split(/\r?\n/).map((line) => line.trim())]) {
      redactor.add(form);
      longest = Math.max(longest, form.length);
    }
  }
  const pending = { stdout: "", stderr: "" };
  return {
    push(stream, text) {
      const buffered = pending[stream] + text;
      let cut = buffered.lastIndexOf("\n") + 1;
      if (cut === 0 && buffered.length > longLine) cut = buffered.length - longest;
      pending[stream] = buffered.slice(cut);
      return redactor.redact(buffered.slice(0, cut));
    },
    flush(stream) {
      const rest = pending[stream];
      pending[stream] = "";
      return redactor.redact(rest);
    },
  };
}
