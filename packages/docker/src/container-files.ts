import type { CallOptions, GitSource } from "@stages/core";
import { mapOrdered } from "@stages/core/internal";
import type { EngineContainer } from "./container.js";
import type { GitUpdatePlan } from "./git-plan.js";
import { fileMode, isSymlink } from "./git-plan.js";
import type { AccountDatabase } from "./ownership.js";
import { parseAccounts } from "./ownership.js";
import type { TarEntryInput } from "./tar.js";
import { createTarStream, readTarFiles } from "./tar.js";

/** How many files of a mapping are read ahead while the archive is being sent. */
const readAhead = 8;

/**
 * Sends entries as one archive extracted at `/` in the container. The producer's error wins over
 * the request's (a git read failing says more than the broken upload it causes).
 */
export async function putEntries(
  container: EngineContainer,
  entries: AsyncIterable<TarEntryInput>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { stream, done } = createTarStream(entries);
  try {
    await Promise.all([container.putArchive(stream, signal), done]);
  } finally {
    // Stops the producer (and the archive it reads from) when the upload failed.
    stream.destroy();
  }
}

/** Reads /etc/passwd and /etc/group of the container (empty when it has none). */
export async function readAccounts(container: EngineContainer, signal?: AbortSignal): Promise<AccountDatabase> {
  const read = async (path: string): Promise<string> => {
    const archive = await container.getArchive(path, signal);
    if (archive === null) return "";
    const files = await readTarFiles(archive);
    return [...files.values()][0]?.toString("utf8") ?? "";
  };
  return parseAccounts(await read("/etc/passwd"), await read("/etc/group"));
}

/**
 * Writes the files of a git update plan into the container in one archive, read from the git
 * source while it is sent. `to` itself gets an entry (with the owner) only when it does not exist.
 */
export async function putGitPlan(
  container: EngineContainer,
  git: GitSource,
  plan: GitUpdatePlan,
  owner: { uid: number; gid: number },
  callOptions: CallOptions,
): Promise<void> {
  if (plan.files.length === 0 && plan.directories.length === 0) return;
  const { signal } = callOptions;
  const writeRoot = !plan.singleFile && plan.to !== "/" && !(await container.pathExists(plan.to, signal));
  await putEntries(container, gitEntries(git, plan, owner, writeRoot, callOptions), signal);
}

async function* gitEntries(
  git: GitSource,
  plan: GitUpdatePlan,
  owner: { uid: number; gid: number },
  writeRoot: boolean,
  callOptions: CallOptions,
): AsyncGenerator<TarEntryInput> {
  const mtime = new Date();
  const directory = (path: string): TarEntryInput => ({
    header: { name: path.slice(1), type: "directory", mode: 0o755, uid: owner.uid, gid: owner.gid, mtime },
  });
  if (writeRoot) yield directory(plan.to);
  for (const path of plan.directories) yield directory(path);
  const contents = mapOrdered(plan.files, readAhead, async ({ target, file }) => ({
    target,
    file,
    bytes: await git.readFile(plan.mapping, file.path, callOptions),
  }));
  for await (const { target, file, bytes } of contents) {
    const common = { name: target.slice(1), mode: fileMode(file), uid: owner.uid, gid: owner.gid, mtime };
    if (isSymlink(file)) {
      yield { header: { ...common, type: "symlink", linkname: Buffer.from(bytes).toString("utf8") } };
    } else {
      yield { header: { ...common, type: "file", size: bytes.byteLength }, body: bytes };
    }
  }
}
