import {
  type ImageTransfer,
  imageTransferSpecificationVersion,
  type Signature,
  StageMissingError,
  type StagesStorage,
  type TransferProgress,
} from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConformanceFailure, expectAbortedError } from "./conformance-failure.js";
import { skippedUnless } from "./skipped.js";

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
 * What the transfer offers of ImageTransfer's optional capabilities. Declared up front (the suite
 * decides what to run before the fixture exists), and checked against the transfer itself.
 */
export interface ImageTransferCapabilities {
  /** `copy`: a registry-side copy from one reference to another. */
  copy: boolean;
}

/** The transfer offers exactly the optional capabilities declared for it. */
export function checkDeclaredCapabilities(transfer: ImageTransfer, capabilities: ImageTransferCapabilities): void {
  const offered = typeof transfer.copy === "function";
  if (offered !== capabilities.copy) {
    throw new ConformanceFailure(
      offered
        ? "the transfer has copy() but the suite was told { copy: false }: declare { copy: true } so that it is tested"
        : "the suite was told { copy: true } but the transfer has no copy(): implement it or declare { copy: false }",
    );
  }
}

/**
 * The conformance suite of ImageTransfer: a pushed stage comes back by pull with the same labels,
 * progress is reported, a missing reference is a clear error, an aborted signal is AbortedError,
 * and copy (when declared) gives the same manifest under another name.
 */
export function testImageTransfer(
  name: string,
  capabilities: ImageTransferCapabilities,
  createFixture: () => Promise<ImageTransferFixture>,
): void {
  describe(`ImageTransfer conformance: ${name}`, () => {
    let fixture: ImageTransferFixture;
    let digest: string;
    beforeAll(async () => {
      fixture = await createFixture();
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
    });
    const reference = () => `${fixture.repository}:image-stage-${fixture.signature}`;

    it("declares the v1 contract", () => {
      expect(fixture.transfer.specificationVersion).toBe(imageTransferSpecificationVersion);
    });

    it(`has copy() exactly when it declares it (declared: ${capabilities.copy ? "copy" : "no copy"})`, () => {
      checkDeclaredCapabilities(fixture.transfer, capabilities);
    });

    it("pushes a stage and reports the manifest digest and progress", async () => {
      const progress: TransferProgress[] = [];
      const result = await fixture.transfer.push({
        project: fixture.project,
        signature: fixture.signature,
        reference: reference(),
        onProgress: (event) => progress.push(event),
      });
      digest = result.digest;
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(progress.length).toBeGreaterThan(0);
      expect(await fixture.local.has(fixture.signature)).toBe(true);
    });

    it("rejects a push or pull with AbortedError when the signal is already aborted", async () => {
      const request = { project: fixture.project, signature: fixture.signature, reference: reference() };
      await expectAbortedError("push()", (signal) => fixture.transfer.push({ ...request, signal }));
      await expectAbortedError("pull()", (signal) => fixture.transfer.pull({ ...request, signal }));
    });

    it("pulls the stage back into local storage with its labels", async () => {
      const before = await fixture.local.get(fixture.signature);
      await fixture.removeLocal(fixture.signature);
      expect(await fixture.local.has(fixture.signature)).toBe(false);
      const pulled = await fixture.transfer.pull({
        project: fixture.project,
        signature: fixture.signature,
        reference: reference(),
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

    it.skipIf(!capabilities.copy)(
      `copies registry-side to another name with the same digest${skippedUnless(capabilities.copy, "the transfer declares no registry-side copy")}`,
      async () => {
        if (!fixture.transfer.copy)
          throw new ConformanceFailure("declared { copy: true } but the transfer has no copy()");
        const copied = await fixture.transfer.copy({ from: reference(), to: `${fixture.repository}/final:v1` });
        expect(copied.digest).toBe(digest);
      },
    );
  });
}
