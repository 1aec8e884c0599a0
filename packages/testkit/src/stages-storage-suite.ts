import {
  AbortedError,
  type ContentId,
  computeSignature,
  type Signature,
  type StagesStorage,
  stageLabelsFor,
  stagesStorageSpecificationVersion,
} from "@stages/core";
import { sha256Hex } from "@stages/core/internal";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** What a stages storage under test must offer besides the interface: a way to put stages in. */
export interface StagesStorageFixture {
  storage: StagesStorage;
  /** The project the storage is scoped to. */
  project: string;
  /** Stores a stage image carrying exactly these labels (as a build, push or pull would). */
  seed(signature: Signature, labels: Record<string, string>): Promise<void>;
  /** A storage of another project in the same place, when the adapter has such a thing. */
  otherProject?: {
    storage: StagesStorage;
    project: string;
    seed(signature: Signature, labels: Record<string, string>): Promise<void>;
  };
  cleanup?(): Promise<void>;
}

function signatureFor(text: string): Signature {
  return computeSignature({ project: "conformance", stage: "from", deps: { base: text }, prev: null, carried: null });
}

/**
 * The conformance suite every StagesStorage runs (ours and third parties'): presence, descriptors
 * read back from labels, listing scoped to the project, idempotent delete, abort.
 */
export function testStagesStorage(name: string, createFixture: () => Promise<StagesStorageFixture>): void {
  describe(`StagesStorage conformance: ${name}`, () => {
    let fixture: StagesStorageFixture;
    const run = `${Date.now()}-${Math.random()}`;
    const first = signatureFor(`first-${run}`);
    const second = signatureFor(`second-${run}`);
    const absent = signatureFor(`absent-${run}`);
    const carried = { "git-0": sha256Hex(`content-${run}`) as ContentId };

    beforeAll(async () => {
      fixture = await createFixture();
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
    });

    const labelsOf = (signature: Signature, parent: Signature | null, withCarried: boolean) =>
      stageLabelsFor({
        project: fixture.project,
        image: "backend",
        stage: parent ? "gitArchive" : "from",
        signature,
        parent,
        carried: withCarried ? carried : null,
      });

    it("declares the v1 contract", () => {
      expect(fixture.storage.specificationVersion).toBe(stagesStorageSpecificationVersion);
      expect(typeof fixture.storage.kind).toBe("string");
      expect(fixture.storage.description).not.toBe("");
    });

    it("answers null and false for an absent stage", async () => {
      expect(await fixture.storage.get(absent)).toBeNull();
      expect(await fixture.storage.has(absent)).toBe(false);
    });

    it("reads a stored stage back with its labels, parent and carried content", async () => {
      await fixture.seed(first, labelsOf(first, null, false));
      await fixture.seed(second, labelsOf(second, first, true));
      expect(await fixture.storage.has(first)).toBe(true);
      const descriptor = await fixture.storage.get(second);
      expect(descriptor).not.toBeNull();
      expect(descriptor!.signature).toBe(second);
      expect(descriptor!.project).toBe(fixture.project);
      expect(descriptor!.image).toBe("backend");
      expect(descriptor!.stage).toBe("gitArchive");
      expect(descriptor!.parent).toBe(first);
      expect(descriptor!.carried).toEqual(carried);
      expect(descriptor!.id).not.toBe("");
      expect(descriptor!.labels["io.stages.signature"]).toBe(second);
      const root = await fixture.storage.get(first);
      expect(root!.parent).toBeNull();
      expect(root!.carried).toBeNull();
    });

    it("lists the stages of its project only", async () => {
      const otherSignature = signatureFor(`other-${run}`);
      if (fixture.otherProject) {
        const other = fixture.otherProject;
        await other.seed(
          otherSignature,
          stageLabelsFor({
            project: other.project,
            image: null,
            stage: "from",
            signature: otherSignature,
            parent: null,
            carried: null,
          }),
        );
      }
      const listed = await fixture.storage.list();
      const signatures = listed.map((stage) => stage.signature);
      expect(signatures).toContain(first);
      expect(signatures).toContain(second);
      expect(signatures).not.toContain(otherSignature);
      for (const stage of listed) expect(stage.project).toBe(fixture.project);
    });

    it("deletes a stage, and deleting an absent stage is not an error", async () => {
      await fixture.storage.delete(second);
      expect(await fixture.storage.has(second)).toBe(false);
      expect(await fixture.storage.get(second)).toBeNull();
      await expect(fixture.storage.delete(second)).resolves.toBeUndefined();
      await expect(fixture.storage.delete(absent)).resolves.toBeUndefined();
      expect(await fixture.storage.has(first)).toBe(true);
    });

    it("rejects with AbortedError when the signal is already aborted", async () => {
      const controller = new AbortController();
      controller.abort();
      const failure = await fixture.storage.get(first, { signal: controller.signal }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(AbortedError.isInstance(failure) || (failure instanceof Error && failure.name === "AbortError")).toBe(
        true,
      );
    });
  });
}
