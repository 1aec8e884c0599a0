import { type ContentId, computeSignature, type Signature, type StagesStorage, stageLabelsFor } from "@stages/core";
import { sha256Hex } from "@stages/core/internal";
import { afterAll, beforeAll, describe, it } from "vitest";
import {
  checkAbsent,
  checkDeclaresContract,
  checkDelete,
  checkDescriptor,
  checkHonoursAbort,
  checkScopedToProject,
  type ExpectedStage,
} from "./stages-storage-checks.js";

/** What a stages storage under test must offer besides the interface: a way to put stages in. */
export interface StagesStorageFixture {
  storage: StagesStorage;
  /** The project the storage is scoped to. */
  project: string;
  /** Stores a stage image carrying exactly these labels (as a build, push or pull would). */
  seed(signature: Signature, labels: Record<string, string>): Promise<void>;
  /**
   * A storage of another project in the same place (the same engine, repository, directory): the
   * suite checks that neither sees the other's stages. Required: every storage is scoped to a project.
   */
  otherProject: {
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
 * read back from labels, listing scoped to the project, idempotent delete, abort. A failing check
 * says what to change (stages-storage-checks.ts).
 */
export function testStagesStorage(name: string, createFixture: () => Promise<StagesStorageFixture>): void {
  describe(`StagesStorage conformance: ${name}`, () => {
    let fixture: StagesStorageFixture;
    const run = `${Date.now()}-${Math.random()}`;
    const first = signatureFor(`first-${run}`);
    const second = signatureFor(`second-${run}`);
    const absent = signatureFor(`absent-${run}`);
    const otherSignature = signatureFor(`other-${run}`);
    const carried = { "git-0": sha256Hex(`content-${run}`) as ContentId };

    beforeAll(async () => {
      fixture = await createFixture();
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
    });

    const expected = (signature: Signature, parent: Signature | null): ExpectedStage => ({
      signature,
      project: fixture.project,
      image: "backend",
      stage: parent ? "gitArchive" : "from",
      parent,
      carried: parent ? carried : null,
    });
    const labelsOf = (stage: ExpectedStage) => stageLabelsFor(stage);

    it("declares the v1 contract", () => {
      checkDeclaresContract(fixture.storage);
    });

    it("answers null and false for an absent stage", async () => {
      await checkAbsent(fixture.storage, absent);
    });

    it("reads a stored stage back with its labels, parent and carried content", async () => {
      await fixture.seed(first, labelsOf(expected(first, null)));
      await fixture.seed(second, labelsOf(expected(second, first)));
      checkDescriptor("get() of a stored stage", await fixture.storage.get(second), expected(second, first));
      checkDescriptor("get() of a stored root stage", await fixture.storage.get(first), expected(first, null));
      const listed = await fixture.storage.list();
      checkDescriptor("list()", listed.find((stage) => stage.signature === second) ?? null, expected(second, first));
    });

    it("lists and gets the stages of its project only", async () => {
      await checkScopedToProject(fixture, fixture.otherProject, [first, second], otherSignature, (project, signature) =>
        stageLabelsFor({ project, image: null, stage: "from", signature, parent: null, carried: null }),
      );
    });

    it("rejects with AbortedError when the signal is already aborted, and changes nothing", async () => {
      await checkHonoursAbort(fixture.storage, first);
    });

    it("deletes a stage, and deleting an absent stage is not an error", async () => {
      await checkDelete(fixture.storage, second, first, absent);
    });
  });
}
