import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { expect } from "vitest";
import { readTar } from "../src/tar.js";

/**
 * Test helpers that prove an image we build equals the one BuildKit builds from the same Dockerfile:
 * the runtime config and every file's metadata and content, never timestamps or layer boundaries.
 */

const execFileAsync = promisify(execFile);

// Engine 20.10's own client: it carries BuildKit; /usr/local/bin/docker (a newer static client) does not.
const dockerClient = "/usr/bin/docker";

export interface BuildKitOptions {
  tag: string;
  /** Path of the Dockerfile (`-f`); relative paths are relative to the current directory, as for docker. */
  dockerfile?: string;
  target?: string;
  args?: Record<string, string>;
  /** `host:ip` entries (`--add-host`). */
  addHost?: string[];
  /** `--no-cache`: a real rebuild instead of BuildKit's cache hits. */
  noCache?: boolean;
}

/** Builds `directory` with BuildKit on `host` (no network) and tags the result; throws with its output. */
export async function buildWithBuildKit(host: string, directory: string, options: BuildKitOptions): Promise<void> {
  const args = ["-H", host, "build", "--network", "none", "--progress", "plain", "-t", options.tag];
  if (options.dockerfile !== undefined) args.push("-f", options.dockerfile);
  if (options.target !== undefined) args.push("--target", options.target);
  for (const [name, value] of Object.entries(options.args ?? {})) args.push("--build-arg", `${name}=${value}`);
  for (const entry of options.addHost ?? []) args.push("--add-host", entry);
  if (options.noCache) args.push("--no-cache");
  args.push(directory);
  try {
    await execFileAsync(dockerClient, args, {
      env: { ...process.env, DOCKER_BUILDKIT: "1" },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `BuildKit build of ${directory} (${options.tag}) failed: ${failure.message}\n${failure.stdout ?? ""}${failure.stderr ?? ""}`,
    );
  }
}

/** The runtime config of an image; empty and absent values are both null. */
export interface ConfigSnapshot {
  Env: string[] | null;
  Cmd: string[] | null;
  Entrypoint: string[] | null;
  WorkingDir: string | null;
  User: string | null;
  ExposedPorts: Record<string, unknown> | null;
  Volumes: Record<string, unknown> | null;
  /** Without the `io.stages.*` labels, which only our stages carry. */
  Labels: Record<string, string> | null;
  Healthcheck: unknown;
  StopSignal: string | null;
  OnBuild: string[] | null;
  Shell: string[] | null;
}

/** One entry of an image's file tree, as the engine exports it. */
export interface FileEntry {
  /** Absolute, without a trailing slash. */
  path: string;
  type: string;
  /** Permission and special bits, octal (`0755`, `4755`, `1777`). */
  mode: string;
  uid: number;
  gid: number;
  size: number;
  /** Of the content, for regular files. */
  sha256?: string;
  /** Symlink target or, for a hard link, the path it links to. */
  linkTarget?: string;
  /** Extended attributes (`security.capability`, ...), base64 values. */
  xattrs?: Record<string, string>;
}

export interface ImageSnapshot {
  config: ConfigSnapshot;
  files: FileEntry[];
}

const configFields = [
  "Env",
  "Cmd",
  "Entrypoint",
  "WorkingDir",
  "User",
  "ExposedPorts",
  "Volumes",
  "Labels",
  "Healthcheck",
  "StopSignal",
  "OnBuild",
  "Shell",
] as const;

/**
 * What the engine's init layer puts into every container whatever the image holds (20.10,
 * daemon/initlayer): these files are unlinked and recreated empty, so their image content never shows
 * in an export. The directories it creates (`/dev/pts`, `/dev/shm`, `/proc`, `/sys` and their parents)
 * stay: they come from the image when it has them and are the same placeholders for both images when not.
 */
const initLayerFiles = new Set([
  "/.dockerenv",
  "/dev/console",
  "/etc/hostname",
  "/etc/hosts",
  "/etc/mtab",
  "/etc/resolv.conf",
]);

/** The config and file tree of `reference` on `host` (`docker create` + `docker export`). */
export async function imageSnapshot(host: string, reference: string): Promise<ImageSnapshot> {
  const { stdout } = await execFileAsync(dockerClient, ["-H", host, "image", "inspect", reference], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const [inspected] = JSON.parse(stdout) as [{ Config: Record<string, unknown> }];
  const config = snapshotConfig(inspected.Config ?? {});
  // A command so that images without CMD/ENTRYPOINT can be created; the container never starts.
  const created = await execFileAsync(dockerClient, ["-H", host, "create", reference, "stages-snapshot"]);
  const container = created.stdout.trim();
  try {
    return { config, files: await exportedFiles(host, container) };
  } finally {
    await execFileAsync(dockerClient, ["-H", host, "rm", "-f", container]).catch(() => {});
  }
}

function snapshotConfig(raw: Record<string, unknown>): ConfigSnapshot {
  const config = {} as Record<string, unknown>;
  for (const field of configFields) config[field] = emptyToNull(raw[field]);
  if (config.Labels !== null) {
    const labels = Object.fromEntries(
      Object.entries(config.Labels as Record<string, string>).filter(([key]) => !key.startsWith("io.stages.")),
    );
    config.Labels = emptyToNull(labels);
  }
  return config as unknown as ConfigSnapshot;
}

function emptyToNull(value: unknown): unknown {
  if (value === undefined || value === null || value === "") return null;
  if (Array.isArray(value) && value.length === 0) return null;
  if (typeof value === "object" && Object.keys(value as object).length === 0) return null;
  return value;
}

async function exportedFiles(host: string, container: string): Promise<FileEntry[]> {
  const child = spawn(dockerClient, ["-H", host, "export", container], { stdio: ["ignore", "pipe", "pipe"] });
  const stderr: Buffer[] = [];
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const files: FileEntry[] = [];
  for await (const entry of readTar(child.stdout)) {
    const header = entry.header;
    const path = `/${header.name.replace(/^\.?\/+/, "").replace(/\/+$/, "")}`;
    if (initLayerFiles.has(path)) continue;
    const file: FileEntry = {
      path,
      type: header.type ?? "file",
      mode: ((header.mode ?? 0) & 0o7777).toString(8).padStart(4, "0"),
      uid: header.uid ?? 0,
      gid: header.gid ?? 0,
      size: header.type === "file" ? (header.size ?? 0) : 0,
    };
    if (header.type === "file") {
      const hash = createHash("sha256");
      for await (const chunk of entry.body) hash.update(chunk);
      file.sha256 = hash.digest("hex");
    }
    if (header.type === "symlink") file.linkTarget = header.linkname ?? "";
    // Hard link names are archive paths, like entry names.
    if (header.type === "link") file.linkTarget = `/${(header.linkname ?? "").replace(/^\.?\/+/, "")}`;
    const xattrs = Object.entries(header.pax ?? {}).filter(([key]) => key.startsWith("SCHILY.xattr."));
    if (xattrs.length > 0) {
      file.xattrs = Object.fromEntries(
        xattrs.map(([key, value]) => [
          key.slice("SCHILY.xattr.".length),
          Buffer.from(value, "latin1").toString("base64"),
        ]),
      );
    }
    files.push(file);
  }
  const code = await exited;
  if (code !== 0) throw new Error(`docker export ${container} failed (${code}): ${Buffer.concat(stderr).toString()}`);
  return files.sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
}

/**
 * The differences between two snapshots, one line each: `config.<Field>: <ours> != <theirs>`,
 * `+ <path>` (only in ours), `- <path>` (only in theirs), `~ <path>: <field> <ours> != <theirs>`.
 */
export function compareSnapshots(ours: ImageSnapshot, theirs: ImageSnapshot): string[] {
  const differences: string[] = [];
  for (const field of configFields) {
    const left = JSON.stringify(ours.config[field]);
    const right = JSON.stringify(theirs.config[field]);
    if (left !== right) differences.push(`config.${field}: ${left} != ${right}`);
  }
  const theirFiles = new Map(theirs.files.map((file) => [file.path, file]));
  const ourPaths = new Set<string>();
  for (const file of ours.files) {
    ourPaths.add(file.path);
    const other = theirFiles.get(file.path);
    if (other === undefined) {
      differences.push(`+ ${describe(file)}`);
      continue;
    }
    const fields = (["type", "mode", "uid", "gid", "size", "sha256", "linkTarget", "xattrs"] as const).filter(
      (field) => JSON.stringify(file[field]) !== JSON.stringify(other[field]),
    );
    if (fields.length > 0) {
      const changes = fields.map(
        (field) => `${field} ${JSON.stringify(file[field]) ?? "-"} != ${JSON.stringify(other[field]) ?? "-"}`,
      );
      differences.push(`~ ${file.path}: ${changes.join(", ")}`);
    }
  }
  for (const file of theirs.files) if (!ourPaths.has(file.path)) differences.push(`- ${describe(file)}`);
  return differences;
}

function describe(file: FileEntry): string {
  const link = file.linkTarget === undefined ? "" : ` -> ${file.linkTarget}`;
  return `${file.path} (${file.type} ${file.mode} ${file.uid}:${file.gid} ${file.size}${link})`;
}

/** Expects our image `ours` to equal BuildKit's `theirs` on `host`; a failure lists only what differs. */
export async function expectSameImage(host: string, ours: string, theirs: string): Promise<void> {
  const [left, right] = await Promise.all([imageSnapshot(host, ours), imageSnapshot(host, theirs)]);
  const differences = compareSnapshots(left, right);
  if (differences.length > 0) {
    expect.fail(
      `${ours} (ours, +) differs from ${theirs} (BuildKit, -) in ${differences.length} place(s):\n${differences.join("\n")}`,
    );
  }
}
