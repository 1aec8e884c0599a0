import {
  type CallOptions,
  type CommitRecord,
  type ForeignTag,
  type GitCommitInfo,
  type GitHead,
  type GitHistory,
  type GitReference,
  type RegistryHousekeeping,
  type Signature,
  type StageDeletion,
  type StageLease,
  type StagesStorage,
  throwIfAborted,
} from "@stages/core";
import { sha256Hex } from "@stages/core/internal";
import type { MemoryRegistry } from "./memory-adapters.js";

/** Registry housekeeping in memory: records, leases and published tags of a memory registry. */
export interface MemoryHousekeeping extends RegistryHousekeeping {
  /** Record objects by name (what tags the registry adapter writes): each holds a set of records. */
  readonly recordObjects: Map<string, CommitRecord[]>;
  readonly leases: Map<string, StageLease>;
  /** Runs before each `deleteStage` decides (a test pushes again or publishes meanwhile). */
  beforeDelete?: ((signature: Signature) => Promise<void> | void) | undefined;
}

const sortedRecords = (records: readonly CommitRecord[]) =>
  [...records].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/**
 * The memory twin of the registry's housekeeping (same rules: a write is a new object named by its
 * content, a compaction deletes only the objects its last read saw). Published tags of the memory
 * registry get their own digest, as the registry's copy gives them.
 */
export function createMemoryHousekeeping(registry: MemoryRegistry): MemoryHousekeeping {
  const recordObjects = new Map<string, CommitRecord[]>();
  const leases = new Map<string, StageLease>();
  let lastRead: string[] = [];
  const nameOf = (records: readonly CommitRecord[]) =>
    `records-${sha256Hex(JSON.stringify(sortedRecords(records))).slice(0, 24)}`;
  // Published tags of one repository (`prefix` is `REPO:` or `REPO/<image>:`), each with a digest of its own.
  const publishedUnder = async (prefix: string): Promise<ForeignTag[]> => {
    const tags: ForeignTag[] = [];
    for (const [reference, signature] of registry.tags) {
      if (!reference.startsWith(prefix)) continue;
      const stage = await registry.stages.get(signature);
      tags.push({
        reference,
        digest: `sha256:${sha256Hex(`published:${reference}`)}`,
        project: stage?.project ?? null,
      });
    }
    return tags;
  };
  const housekeeping: MemoryHousekeeping = {
    recordObjects,
    leases,
    async addRecords(records, options?: CallOptions) {
      throwIfAborted(options?.signal);
      if (records.length === 0) return;
      recordObjects.set(nameOf(records), sortedRecords(records));
    },
    async readRecords(options?: CallOptions) {
      throwIfAborted(options?.signal);
      lastRead = [...recordObjects.keys()];
      const unique = new Map<string, CommitRecord>();
      for (const records of recordObjects.values())
        for (const record of records) unique.set(JSON.stringify(record), structuredClone(record));
      return [...unique.values()];
    },
    async compactRecords(keep, options?: CallOptions) {
      throwIfAborted(options?.signal);
      const name = keep.length > 0 ? nameOf(keep) : null;
      if (name !== null) recordObjects.set(name, sortedRecords(keep));
      for (const read of lastRead) if (read !== name) recordObjects.delete(read);
    },
    async putLease(lease, options?: CallOptions) {
      throwIfAborted(options?.signal);
      leases.set(lease.id, structuredClone(lease));
      return async () => {
        leases.delete(lease.id);
      };
    },
    async readLeases(options?: CallOptions) {
      throwIfAborted(options?.signal);
      return [...leases.values()].map((lease) => structuredClone(lease));
    },
    async dropLeases(ids, options?: CallOptions) {
      throwIfAborted(options?.signal);
      for (const id of ids) leases.delete(id);
    },
    async foreignTags(options?: CallOptions) {
      throwIfAborted(options?.signal);
      return publishedUnder(`${registry.repository}:`);
    },
    async imageTags(image, options?: CallOptions) {
      throwIfAborted(options?.signal);
      return publishedUnder(`${registry.repository}/${image}:`);
    },
    async deleteStage(signature, digest, options?: CallOptions): Promise<StageDeletion> {
      throwIfAborted(options?.signal);
      await housekeeping.beforeDelete?.(signature);
      const stage = await registry.stages.get(signature);
      if (!stage) return "absent";
      if (stage.id !== digest) return "changed";
      await registry.stages.delete(signature);
      return "deleted";
    },
  };
  return housekeeping;
}

/** The memory registry's stages storage with housekeeping, as a registry remote storage is. */
export function withHousekeeping(storage: StagesStorage, housekeeping: RegistryHousekeeping): StagesStorage {
  return {
    specificationVersion: storage.specificationVersion,
    kind: storage.kind,
    description: storage.description,
    get: (signature, options) => storage.get(signature, options),
    has: (signature, options) => storage.has(signature, options),
    list: (options) => storage.list(options),
    delete: (signature, options) => storage.delete(signature, options),
    housekeeping,
  };
}

/** One commit of a memory history. */
export interface MemoryCommit {
  hash: string;
  date: string;
  parents: readonly string[];
}

/** A git history in memory: commits with parents, references, HEAD. */
export interface MemoryGitHistory extends GitHistory {
  readonly commitsByHash: Map<string, MemoryCommit>;
  readonly refs: GitReference[];
  headCommit: GitHead | null;
  /** Adds a commit on top of `parents` (none: a root) and returns it. */
  commit(hash: string, date: string, parents: readonly string[]): MemoryCommit;
}

/** Creates a memory git history (git log order: newest committer date first). */
export function createMemoryGitHistory(): MemoryGitHistory {
  const commitsByHash = new Map<string, MemoryCommit>();
  const refs: GitReference[] = [];
  const history: MemoryGitHistory = {
    commitsByHash,
    refs,
    headCommit: null,
    commit(hash, date, parents) {
      const made = { hash, date, parents: [...parents] };
      commitsByHash.set(hash, made);
      return made;
    },
    async head() {
      return history.headCommit;
    },
    async references() {
      return refs.map((ref) => ({ ...ref }));
    },
    async *commits(start: string): AsyncIterable<GitCommitInfo> {
      const seen = new Set<string>();
      const pending = [start];
      const reachable: MemoryCommit[] = [];
      while (pending.length > 0) {
        const hash = pending.pop() as string;
        if (seen.has(hash)) continue;
        seen.add(hash);
        const found = commitsByHash.get(hash);
        if (!found) continue;
        reachable.push(found);
        pending.push(...found.parents);
      }
      reachable.sort((a, b) => b.date.localeCompare(a.date) || a.hash.localeCompare(b.hash));
      for (const found of reachable) yield { hash: found.hash, date: found.date };
    },
  };
  return history;
}
