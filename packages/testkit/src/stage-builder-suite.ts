import {
  AbortedError,
  computeSignature,
  emptyDockerInstructions,
  type Signature,
  StageBuildError,
  type StageBuilder,
  type StageBuildRequest,
  type StagesStorage,
  stageBuilderSpecificationVersion,
  stageLabelsFor,
} from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConformanceFailure } from "./conformance-failure.js";
import { skippedUnless } from "./skipped.js";

/** A builder under test, the local storage it builds into, and a base image it can start from. */
export interface StageBuilderFixture {
  builder: StageBuilder;
  local: StagesStorage;
  project: string;
  /** A base image reference the builder can use for a `from` stage (its shell has `sh`, `echo`, `exit`). */
  baseImage: string;
  /** Leftover build containers (or other temporary objects) of these stages: required when declared. */
  leftovers?(signatures: readonly Signature[]): Promise<string[]>;
  cleanup?(): Promise<void>;
}

/** What the suite can check of a builder besides the contract, declared before the fixture exists. */
export interface StageBuilderCapabilities {
  /** The fixture's `leftovers` can tell which temporary objects (build containers) a build left. */
  leftovers: boolean;
}

/**
 * The conformance suite of StageBuilder: a stage is stored under its signature with its labels
 * only after it succeeded; a failing command or an abort leaves no stage and nothing behind.
 */
export function testStageBuilder(
  name: string,
  capabilities: StageBuilderCapabilities,
  createFixture: () => Promise<StageBuilderFixture>,
): void {
  describe(`StageBuilder conformance: ${name}`, () => {
    let fixture: StageBuilderFixture;
    let from: Signature;
    // The failed and the aborted build, whose leftovers the last test looks for.
    const unfinished: Signature[] = [];
    const run = `${Date.now()}-${Math.random()}`;

    beforeAll(async () => {
      fixture = await createFixture();
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
    });

    const request = (
      fields: Pick<StageBuildRequest, "stage" | "base" | "instructions"> & { seed: string },
    ): StageBuildRequest => {
      const signature = computeSignature({
        project: fixture.project,
        stage: fields.stage,
        deps: { seed: `${fields.seed}-${run}` },
        prev: fields.base,
        carried: null,
      });
      return {
        project: fixture.project,
        image: "conformance",
        stage: fields.stage,
        signature,
        base: fields.base,
        instructions: fields.instructions,
        labels: stageLabelsFor({
          project: fixture.project,
          image: "conformance",
          stage: fields.stage,
          signature,
          parent: fields.base,
          carried: null,
        }),
      };
    };

    it("declares the v1 contract", () => {
      expect(fixture.builder.specificationVersion).toBe(stageBuilderSpecificationVersion);
    });

    it("builds a from stage and stores it under its signature with its labels", async () => {
      const built = await fixture.builder.build(
        request({
          stage: "from",
          base: null,
          seed: "from",
          instructions: { kind: "from", base: { type: "image", reference: fixture.baseImage, digest: null } },
        }),
      );
      from = built.signature;
      const stored = await fixture.local.get(from);
      expect(stored?.signature).toBe(from);
      expect(stored?.stage).toBe("from");
      expect(stored?.image).toBe("conformance");
      expect(stored?.parent).toBeNull();
    });

    it("runs shell commands on top of the base stage, streaming output", async () => {
      const output: string[] = [];
      const shell = request({
        stage: "install",
        base: from,
        seed: "shell",
        instructions: { kind: "shell", commands: ["echo conformance-output"], gitUpdates: [] },
      });
      const built = await fixture.builder.build({
        ...shell,
        onEvent: (event) => {
          if (event.type === "output") output.push(event.text);
        },
      });
      expect(built.parent).toBe(from);
      expect(await fixture.local.has(shell.signature)).toBe(true);
      expect(output.join("")).toContain("conformance-output");
    });

    it("stores nothing when a command fails, and says which stage and exit code", async () => {
      const failing = request({
        stage: "setup",
        base: from,
        seed: "fail",
        instructions: { kind: "shell", commands: ["echo about to fail", "exit 3"], gitUpdates: [] },
      });
      const failure = await fixture.builder.build(failing).then(
        () => null,
        (error: unknown) => error,
      );
      expect(StageBuildError.isInstance(failure)).toBe(true);
      expect(String((failure as Error).message)).toMatch(/3/);
      expect(await fixture.local.has(failing.signature)).toBe(false);
      unfinished.push(failing.signature);
    });

    it("stores nothing when aborted", async () => {
      const controller = new AbortController();
      const slow = request({
        stage: "beforeSetup",
        base: from,
        seed: "abort",
        instructions: { kind: "shell", commands: ["sleep 30"], gitUpdates: [] },
      });
      const pending = fixture.builder.build({ ...slow, signal: controller.signal });
      setTimeout(() => controller.abort(), 500);
      const failure = await pending.then(
        () => null,
        (error: unknown) => error,
      );
      expect(AbortedError.isInstance(failure)).toBe(true);
      expect(await fixture.local.has(slow.signature)).toBe(false);
      unfinished.push(slow.signature);
    });

    it.skipIf(!capabilities.leftovers)(
      `leaves nothing behind after a failed or aborted build${skippedUnless(capabilities.leftovers, "the fixture declares no way to see leftovers")}`,
      async () => {
        if (!fixture.leftovers) {
          throw new ConformanceFailure(
            "declared { leftovers: true } but the fixture has no leftovers(): add it or declare false",
          );
        }
        if (unfinished.length !== 2) throw new ConformanceFailure("the failed and the aborted build tests did not run");
        expect(await fixture.leftovers(unfinished)).toEqual([]);
      },
    );

    it("applies docker instructions", async () => {
      const docker = request({
        stage: "dockerInstructions",
        base: from,
        seed: "docker",
        instructions: {
          kind: "docker",
          instructions: {
            ...emptyDockerInstructions(),
            ENV: { CONFORMANCE: "1" },
            LABEL: { team: "conformance" },
            WORKDIR: "/srv",
            CMD: ["echo", "hi"],
          },
        },
      });
      await fixture.builder.build(docker);
      const stored = await fixture.local.get(docker.signature);
      expect(stored?.labels.team).toBe("conformance");
      expect(stored?.stage).toBe("dockerInstructions");
    });
  });
}
