import {
  type ImageTransfer,
  imageTransferSpecificationVersion,
  type Signature,
  StageMissingError,
  type StagesStorage,
  type TransferProgress,
} from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** A transfer under test with a local storage holding one stage, and a repository to move it to. */
export interface ImageTransferFixture {
  transfer: ImageTransfer;
  local: StagesStorage;
  project: string;
  /** A stage present in `local`. */
  signature: Signature;
  /** A registry repository (`host:port/path`) the transfer may push to. */
  repository: string;
  /** Removes the stage from local storage (so that a pull has something to do). */
  removeLocal(signature: Signature): Promise<void>;
  cleanup?(): Promise<void>;
}

/**
 * The conformance suite of ImageTransfer: a pushed stage comes back by pull with the same labels,
 * progress is reported, a missing reference is a clear error, and copy (when offered) gives the
 * same manifest under another name.
 */
export function testImageTransfer(name: string, createFixture: () => Promise<ImageTransferFixture>): void {
  describe(`ImageTransfer conformance: ${name}`, () => {
    let fixture: ImageTransferFixture;
    let digest: string;
    beforeAll(async () => {
      fixture = await createFixture();
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
    });

    it("declares the v1 contract", () => {
      expect(fixture.transfer.specificationVersion).toBe(imageTransferSpecificationVersion);
    });

    it("pushes a stage and reports the manifest digest and progress", async () => {
      const progress: TransferProgress[] = [];
      const result = await fixture.transfer.push({
        project: fixture.project,
        signature: fixture.signature,
        reference: `${fixture.repository}:image-stage-${fixture.signature}`,
        onProgress: (event) => progress.push(event),
      });
      digest = result.digest;
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(progress.length).toBeGreaterThan(0);
      expect(await fixture.local.has(fixture.signature)).toBe(true);
    });

    it("pulls the stage back into local storage with its labels", async () => {
      const before = await fixture.local.get(fixture.signature);
      await fixture.removeLocal(fixture.signature);
      expect(await fixture.local.has(fixture.signature)).toBe(false);
      const pulled = await fixture.transfer.pull({
        project: fixture.project,
        signature: fixture.signature,
        reference: `${fixture.repository}:image-stage-${fixture.signature}`,
      });
      expect(pulled.signature).toBe(fixture.signature);
      const after = await fixture.local.get(fixture.signature);
      expect(after?.labels).toEqual(before?.labels);
    });

    it("fails with StageMissingError for a reference the registry lacks", async () => {
      const failure = await fixture.transfer
        .pull({
          project: fixture.project,
          signature: fixture.signature,
          reference: `${fixture.repository}:image-stage-${"0".repeat(64)}`,
        })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(StageMissingError.isInstance(failure)).toBe(true);
    });

    it("copies registry-side to another name with the same digest, when it can", async () => {
      if (!fixture.transfer.copy) return;
      const copied = await fixture.transfer.copy({
        from: `${fixture.repository}:image-stage-${fixture.signature}`,
        to: `${fixture.repository}/final:v1`,
      });
      expect(copied.digest).toBe(digest);
    });
  });
}
