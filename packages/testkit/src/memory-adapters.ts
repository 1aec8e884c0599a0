import {
  AbortedError,
  type CallOptions,
  type ContentId,
  type CopyRequest,
  type GitDiff,
  type GitFile,
  type GitMapping,
  type GitSource,
  gitSourceSpecificationVersion,
  type ImageTransfer,
  imageTransferSpecificationVersion,
  type MappingContent,
  parseStageTag,
  type Signature,
  StageBuildError,
  type StageBuilder,
  type StageBuildRequest,
  type StageDescriptor,
  StageMissingError,
  type StageTransferRequest,
  stageBuilderSpecificationVersion,
  throwIfAborted,
} from "@stages/core";
import { compilePathSelection, compileStageDependencies, sha256Hex } from "@stages/core/internal";
import type { MemoryStagesStorage } from "./memory-storage.js";

/** A stage builder that records what it would build and stores the stage in a memory storage. */
export interface MemoryStageBuilder extends StageBuilder {
  readonly builds: StageBuildRequest[];
  /** Makes the next builds of this stage name fail like a failing command. */
  failStage(stage: string | null): void;
}

/** Creates a builder over a memory storage; a stage is stored only when its "commit" succeeds. */
export function createMemoryStageBuilder(options: {
  local: MemoryStagesStorage;
  digests?: Record<string, string>;
  /** Runs while a stage builds, before it is stored: to make builds take time, or to act meanwhile. */
  whileBuilding?: (request: StageBuildRequest) => Promise<void>;
}): MemoryStageBuilder {
  const builds: StageBuildRequest[] = [];
  let failing: string | null = null;
  return {
    specificationVersion: stageBuilderSpecificationVersion,
    builds,
    failStage(stage) {
      failing = stage;
    },
    async build(request) {
      throwIfAborted(request.signal);
      if (request.base !== null && !(await options.local.has(request.base))) {
        throw new StageMissingError(`base stage ${request.base} of ${request.stage} is not local`);
      }
      if (request.instructions.kind === "imports") {
        for (const item of request.instructions.imports) {
          if (item.source !== null && !(await options.local.has(item.source)))
            throw new StageMissingError(`import source ${item.source} is not local`);
        }
      }
      if (request.instructions.kind === "from" && request.instructions.base.type === "stage") {
        if (!(await options.local.has(request.instructions.base.signature))) {
          throw new StageMissingError(`base image stage ${request.instructions.base.signature} is not local`);
        }
      }
      if (request.instructions.kind === "dockerfile" && request.instructions.copyFrom !== null) {
        if (!(await options.local.has(request.instructions.copyFrom))) {
          throw new StageMissingError(`COPY --from stage ${request.instructions.copyFrom} is not local`);
        }
      }
      builds.push(request);
      if (failing === request.stage) {
        throw new StageBuildError(`${request.image ?? "~"}/${request.stage}: command exited with code 1`);
      }
      await options.whileBuilding?.(request);
      throwIfAborted(request.signal);
      if (request.instructions.kind === "shell") {
        await runMemoryShell(request.instructions.commands, request);
      }
      request.onEvent?.({ type: "output", stream: "stdout", text: `built ${request.stage}\n` });
      // Docker instructions' LABELs are labels of the stage image, as an engine would commit them.
      const labels =
        request.instructions.kind === "docker"
          ? { ...request.instructions.instructions.LABEL, ...request.labels }
          : request.labels;
      return options.local.putLabels(`sha256:${sha256Hex(`image:${request.signature}`)}`, labels);
    },
    async resolveBaseDigest(reference: string) {
      const digest = options.digests?.[reference];
      if (!digest) throw new Error(`no digest known for ${reference}`);
      return digest;
    },
  };
}

/**
 * The few shell commands the memory builder acts out, so that it runs the StageBuilder suite: `echo
 * TEXT` prints TEXT, `exit N` fails the stage (N ≠ 0), `sleep S` waits S seconds (an abort ends the
 * wait). Anything else does nothing, as the memory builder never ran commands.
 */
async function runMemoryShell(commands: readonly string[], request: StageBuildRequest): Promise<void> {
  for (const command of commands) {
    const exit = /^exit (\d+)$/.exec(command);
    if (exit && exit[1] !== "0") {
      throw new StageBuildError(`${request.image ?? "~"}/${request.stage}: command exited with code ${exit[1]}`);
    }
    const echo = /^echo ([^<>|;&]*)$/.exec(command);
    if (echo) request.onEvent?.({ type: "output", stream: "stdout", text: `${echo[1]}\n` });
    const sleep = /^sleep (\d+(?:\.\d+)?)$/.exec(command);
    if (sleep) await abortableDelay(Number(sleep[1]) * 1000, request.signal);
    throwIfAborted(request.signal);
  }
}

function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError("the build was cancelled", { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A registry in memory: the remote stages storage of one REPO plus its other tags. */
export interface MemoryRegistry {
  readonly repository: string;
  readonly stages: MemoryStagesStorage;
  /** Final references → the stage they point at. */
  readonly tags: Map<string, Signature>;
}

/** Transfer counts, to check what moved. */
export interface TransferCalls {
  push: string[];
  pull: string[];
  copy: string[];
}

/** Creates a transfer between a memory local storage and a memory registry. */
export function createMemoryTransfer(options: {
  local: MemoryStagesStorage;
  registry: MemoryRegistry;
  copy?: boolean;
}): ImageTransfer & { calls: TransferCalls } {
  const calls: TransferCalls = { push: [], pull: [], copy: [] };
  const { local, registry } = options;
  const tagOf = (reference: string) => {
    if (!reference.startsWith(`${registry.repository}`))
      throw new Error(`${reference} is not in ${registry.repository}`);
    return reference.slice(reference.lastIndexOf(":") + 1);
  };
  const transfer: ImageTransfer & { calls: TransferCalls } = {
    specificationVersion: imageTransferSpecificationVersion,
    calls,
    async push(request: StageTransferRequest) {
      throwIfAborted(request.signal);
      const stage = await local.get(request.signature);
      if (!stage) throw new StageMissingError(`stage ${request.signature} is not local`);
      calls.push.push(request.reference);
      request.onProgress?.({ id: stage.id.slice(7, 19), status: "Pushed", current: 1, total: 1 });
      const stageSignature = parseStageTag(tagOf(request.reference));
      if (stageSignature && request.reference === `${registry.repository}:${tagOf(request.reference)}`)
        registry.stages.put(stage);
      else registry.tags.set(request.reference, request.signature);
      return { digest: `sha256:${sha256Hex(`manifest:${request.signature}`)}` };
    },
    async pull(request: StageTransferRequest): Promise<StageDescriptor> {
      throwIfAborted(request.signal);
      const tagged = parseStageTag(tagOf(request.reference));
      const pointed = tagged ?? registry.tags.get(request.reference) ?? null;
      const stage = pointed === null ? null : await registry.stages.get(pointed);
      if (!stage || stage.signature !== request.signature)
        throw new StageMissingError(`${request.reference} is not in the registry`);
      calls.pull.push(request.reference);
      local.put(stage);
      return stage;
    },
  };
  if (options.copy ?? true) {
    transfer.copy = async (request: CopyRequest) => {
      throwIfAborted(request.signal);
      const signature = parseStageTag(tagOf(request.from));
      if (!signature || !(await registry.stages.has(signature)))
        throw new StageMissingError(`${request.from} is not in the registry`);
      calls.copy.push(`${request.from} -> ${request.to}`);
      registry.tags.set(request.to, signature);
      return { digest: `sha256:${sha256Hex(`manifest:${signature}`)}` };
    };
  }
  return transfer;
}

/** A git source over an in-memory work tree: path → content. Content ids follow the git adapter's shape. */
export interface MemoryGitSource extends GitSource {
  readonly files: Map<string, string>;
  write(path: string, content: string): void;
  remove(path: string): void;
}

/** Creates a git source over files held in memory (paths relative to the repository root). */
export function createMemoryGitSource(initial: Record<string, string> = {}): MemoryGitSource {
  const files = new Map(Object.entries(initial));
  const seen = new Map<ContentId, readonly GitFile[]>();
  const select = (mapping: GitMapping): GitFile[] => {
    const prefix = mapping.add === "/" ? "" : `${mapping.add.replace(/^\//, "")}/`;
    const selection = compilePathSelection(mapping.includePaths, mapping.excludePaths);
    const selected: GitFile[] = [];
    for (const [path, content] of files) {
      if (!path.startsWith(prefix)) continue;
      const relative = path.slice(prefix.length);
      if (selection !== null && !selection(relative)) continue;
      selected.push({ path: relative, mode: 0o100644, blobId: sha256Hex(`blob ${content}`) });
    }
    return selected.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  };
  const idOf = (list: readonly GitFile[]) =>
    sha256Hex(list.map((file) => `${file.path}\0${file.mode.toString(8)}\0${file.blobId}\n`).join("")) as ContentId;
  return {
    specificationVersion: gitSourceSpecificationVersion,
    files,
    write(path, content) {
      files.set(path, content);
    },
    remove(path) {
      files.delete(path);
    },
    async content(mapping: GitMapping, options?: CallOptions): Promise<MappingContent> {
      throwIfAborted(options?.signal);
      const list = select(mapping);
      const contentId = idOf(list);
      seen.set(contentId, list);
      return { mappingId: mapping.id, contentId, files: list };
    },
    async dependenciesChecksum(mapping, globs, options) {
      throwIfAborted(options?.signal);
      const watched = compileStageDependencies(mapping, globs);
      const list = select(mapping).filter((file) => watched(file.path));
      return sha256Hex(`${JSON.stringify(globs)}\n${list.map((file) => `${file.path}\0${file.blobId}\n`).join("")}`);
    },
    async diff(_mapping, from, to, options): Promise<GitDiff | null> {
      throwIfAborted(options?.signal);
      const before = seen.get(from);
      const after = seen.get(to);
      if (!before || !after) return null;
      const old = new Map(before.map((file) => [file.path, file]));
      const diff: GitDiff = { added: [], changed: [], deleted: [] };
      for (const file of after) {
        const previous = old.get(file.path);
        if (!previous) diff.added.push(file);
        else if (previous.blobId !== file.blobId || previous.mode !== file.mode) diff.changed.push(file);
        old.delete(file.path);
      }
      diff.deleted.push(...old.keys());
      return diff;
    },
    async readFile(mapping, path, options) {
      throwIfAborted(options?.signal);
      const prefix = mapping.add === "/" ? "" : `${mapping.add.replace(/^\//, "")}/`;
      const content = files.get(`${prefix}${path}`);
      if (content === undefined) throw new Error(`no file ${path} in mapping ${mapping.id}`);
      return new TextEncoder().encode(content);
    },
  };
}
