import {
  computeSignature,
  descriptorFromLabels,
  type Signature,
  type StageDescriptor,
  type StagesStorage,
  stageLabelsFor,
} from "@stages/core";
import { describe, expect, it } from "vitest";
import { createMemoryStagesStorage } from "./memory-storage.js";
import {
  checkAbsent,
  checkDeclaresContract,
  checkDelete,
  checkDescriptor,
  checkHonoursAbort,
  checkScopedToProject,
  type StoragePlace,
} from "./stages-storage-checks.js";

// The mistakes a plugin author makes, each on an otherwise correct storage (the memory one): every
// one fails its check with a message that says what to change.

const signature = (text: string): Signature =>
  computeSignature({ project: "checks", stage: "from", deps: { text }, prev: null, carried: null });
const labels = (project: string, sig: Signature) =>
  stageLabelsFor({ project, image: "backend", stage: "from", signature: sig, parent: null, carried: null });

/** Two projects in one place; `change` turns the first project's storage into a broken one. */
function places(change: (storage: StagesStorage, place: Map<Signature, StageDescriptor>) => StagesStorage = (s) => s) {
  const place = new Map<Signature, StageDescriptor>();
  const of = (project: string, broken: boolean): StoragePlace => {
    const memory = createMemoryStagesStorage({ project, place });
    return {
      storage: broken ? change(memory, place) : memory,
      project,
      seed: async (sig, stageLabels) => memory.put(descriptorFromLabels({ id: `sha256:${sig}`, labels: stageLabels })!),
    };
  };
  return { own: of("checks", true), other: of("elsewhere", false) };
}

async function seeded(own: StoragePlace, text: string) {
  const sig = signature(text);
  await own.seed(sig, labels(own.project, sig));
  return sig;
}

describe("stages storage checks", () => {
  it("pass on the memory storage", async () => {
    const { own, other } = places();
    checkDeclaresContract(own.storage);
    await checkAbsent(own.storage, signature("absent"));
    const first = await seeded(own, "first");
    const second = await seeded(own, "second");
    await checkScopedToProject(own, other, [first, second], signature("other"), labels);
    await checkHonoursAbort(own.storage, first);
    await checkDelete(own.storage, second, first, signature("absent"));
  });

  it("say to call throwIfAborted when a method ignores an aborted signal", async () => {
    const { own } = places((storage) => ({
      ...storage,
      get: (sig) => storage.get(sig),
      has: (sig) => storage.has(sig),
      list: () => storage.list(),
      delete: (sig) => storage.delete(sig),
    }));
    const first = await seeded(own, "first");
    await expect(checkHonoursAbort(own.storage, first)).rejects.toThrow(
      /get\(\) resolved although its signal was already aborted: call throwIfAborted\(options\?\.signal\)/,
    );
  });

  it("say to throw AbortedError when a method rejects with the AbortError of fetch or fs", async () => {
    const { own } = places((storage) => ({
      ...storage,
      get: async (sig, options) => {
        options?.signal?.throwIfAborted();
        return storage.get(sig);
      },
    }));
    const first = await seeded(own, "first");
    await expect(checkHonoursAbort(own.storage, first)).rejects.toThrow(
      /get\(\) rejected with .* not with AbortedError: throw AbortedError \(throwIfAborted\(signal\)/,
    );
  });

  it("say that a delete with an aborted signal must change nothing", async () => {
    const { own } = places((storage) => ({
      ...storage,
      delete: async (sig, options) => {
        await storage.delete(sig);
        return storage.delete(sig, options);
      },
    }));
    const first = await seeded(own, "first");
    await expect(checkHonoursAbort(own.storage, first)).rejects.toThrow(/aborted signal removed the stage/);
  });

  it("say to keep projects apart when list gives another project's stages", async () => {
    const { own, other } = places((storage, place) => ({ ...storage, list: async () => [...place.values()] }));
    const first = await seeded(own, "first");
    await expect(checkScopedToProject(own, other, [first], signature("other"), labels)).rejects.toThrow(
      /list\(\) gave 1 stage\(s\) of another project \(elsewhere\): a storage is scoped to the project it was made for/,
    );
  });

  it("say to answer null when get gives another project's stage", async () => {
    const { own, other } = places((storage, place) => ({
      ...storage,
      get: async (sig) => place.get(sig) ?? null,
    }));
    const first = await seeded(own, "first");
    await expect(checkScopedToProject(own, other, [first], signature("other"), labels)).rejects.toThrow(
      /get\(\) gave the stage [0-9a-f]{64} of project "elsewhere": answer null for a stage of another project/,
    );
  });

  it("say to use descriptorFromLabels when a descriptor's signature is not a Signature", async () => {
    const { own } = places((storage) => ({
      ...storage,
      get: async (sig) => {
        const stage = await storage.get(sig);
        return stage && { ...stage, signature: `sha256:${stage.signature}` as Signature };
      },
    }));
    const first = await seeded(own, "first");
    const expected = {
      signature: first,
      project: "checks",
      image: "backend",
      stage: "from",
      parent: null,
      carried: null,
    } as const;
    expect(() => checkDescriptor("get()", null, expected)).toThrow(
      /find the stage by the signature it was stored under/,
    );
    const descriptor = await own.storage.get(first);
    expect(() => checkDescriptor("get()", descriptor, expected)).toThrow(
      /signature "sha256:[0-9a-f]{64}", which is not a Signature .* descriptorFromLabels/,
    );
    const stored = createMemoryStagesStorage({ project: "checks" }).putLabels("id", labels("checks", first));
    expect(() => checkDescriptor("get()", { ...stored, parent: first }, expected)).toThrow(
      /wrong descriptor: parent is "[0-9a-f]{64}", expected null/,
    );
  });

  it("say to resolve null, not undefined or an error, for an absent stage", async () => {
    const undefinedGet = places((storage) => ({ ...storage, get: async () => undefined as never }));
    await expect(checkAbsent(undefinedGet.own.storage, signature("absent"))).rejects.toThrow(
      /get\(\) of an absent stage resolved undefined: resolve null \(not undefined\)/,
    );
    const throwingGet = places((storage) => ({
      ...storage,
      get: async () => {
        throw Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" });
      },
    }));
    await expect(checkAbsent(throwingGet.own.storage, signature("absent"))).rejects.toThrow(
      /get\(\) of an absent stage rejected with Error \[ENOENT\]: ENOENT: no such file; .* catch your not-found/,
    );
  });

  it("say that deleting an absent stage is not an error", async () => {
    const { own } = places((storage) => ({
      ...storage,
      delete: async (sig) => {
        if (!(await storage.has(sig))) throw new Error("404 not found");
        return storage.delete(sig);
      },
    }));
    const first = await seeded(own, "first");
    const second = await seeded(own, "second");
    await expect(checkDelete(own.storage, second, first, signature("absent"))).rejects.toThrow(
      /delete\(\) of a stage deleted before rejected with Error: 404 not found; deleting a stage that is not there is not an error/,
    );
  });

  it("say which constant to set when the specification version is missing", () => {
    const { own } = places((storage) => ({ ...storage, specificationVersion: undefined as never }));
    expect(() => checkDeclaresContract(own.storage)).toThrow(
      /specificationVersion is undefined, not "v1": set `specificationVersion: stagesStorageSpecificationVersion`/,
    );
  });
});
