import {
  type CallOptions,
  descriptorFromLabels,
  type Signature,
  type StageDescriptor,
  type StagesStorage,
  stagesStorageSpecificationVersion,
  throwIfAborted,
} from "@stages/core";

/** Request counts of an in-memory storage, to check the cost model. */
export interface StorageCalls {
  get: number;
  has: number;
  list: number;
  delete: number;
}

/** A stages storage in memory, for tests of procedures and as the reference for the conformance suite. */
export interface MemoryStagesStorage extends StagesStorage {
  readonly calls: StorageCalls;
  /** Stores a stage as an adapter would after building, pushing or pulling it. */
  put(descriptor: StageDescriptor): void;
  /** Stores a stage from its labels (what a real image carries). */
  putLabels(id: string, labels: Record<string, string>): StageDescriptor;
  signatures(): Signature[];
}

/** Creates an in-memory stages storage of one project. */
export function createMemoryStagesStorage(options: {
  project: string;
  kind?: string;
  description?: string;
  /** Where the stages are held: storages of several projects may share one (as projects share a registry). */
  place?: Map<Signature, StageDescriptor>;
}): MemoryStagesStorage {
  const stages = options.place ?? new Map<Signature, StageDescriptor>();
  // Stages of this storage's project; others in a shared place are not its own.
  const own = (signature: Signature) => {
    const stage = stages.get(signature);
    return stage?.project === options.project ? stage : undefined;
  };
  const calls: StorageCalls = { get: 0, has: 0, list: 0, delete: 0 };
  return {
    specificationVersion: stagesStorageSpecificationVersion,
    kind: options.kind ?? "memory",
    description: options.description ?? `memory storage of ${options.project}`,
    calls,
    async get(signature: Signature, callOptions?: CallOptions) {
      throwIfAborted(callOptions?.signal);
      calls.get++;
      const stage = own(signature);
      return stage ? structuredClone(stage) : null;
    },
    async has(signature: Signature, callOptions?: CallOptions) {
      throwIfAborted(callOptions?.signal);
      calls.has++;
      return own(signature) !== undefined;
    },
    async list(callOptions?: CallOptions) {
      throwIfAborted(callOptions?.signal);
      calls.list++;
      return [...stages.values()]
        .filter((stage) => stage.project === options.project)
        .map((stage) => structuredClone(stage));
    },
    async delete(signature: Signature, callOptions?: CallOptions) {
      throwIfAborted(callOptions?.signal);
      calls.delete++;
      if (own(signature)) stages.delete(signature);
    },
    put(descriptor) {
      stages.set(descriptor.signature, structuredClone(descriptor));
    },
    putLabels(id, labels) {
      const descriptor = descriptorFromLabels({ id, labels });
      if (!descriptor) throw new Error("labels do not describe a stage");
      stages.set(descriptor.signature, descriptor);
      return structuredClone(descriptor);
    },
    signatures() {
      return [...stages.values()].filter((stage) => stage.project === options.project).map((stage) => stage.signature);
    },
  };
}
