import {
  type ContentId,
  isSignature,
  type Signature,
  type StageDescriptor,
  type StageName,
  type StagesStorage,
  stagesStorageSpecificationVersion,
} from "@stages/core";
import { ConformanceFailure, expectAbortedError, expectResolves } from "./conformance-failure.js";

// The checks of testStagesStorage, as plain functions: the suite runs them in its tests, and their
// own tests run them on broken storages to show that each mistake fails with a message saying what to fix.

/** Where a storage under test lives, and a storage of another project in that same place. */
export interface StoragePlace {
  storage: StagesStorage;
  project: string;
  seed(signature: Signature, labels: Record<string, string>): Promise<void>;
}

const descriptorFix =
  "build descriptors with descriptorFromLabels({ id, labels, createdAt, size }) from @stages/core, from the labels the stage was stored with";

/** specificationVersion, kind and description. */
export function checkDeclaresContract(storage: StagesStorage): void {
  if (storage.specificationVersion !== stagesStorageSpecificationVersion) {
    throw new ConformanceFailure(
      `specificationVersion is ${JSON.stringify(storage.specificationVersion)}, not "${stagesStorageSpecificationVersion}": ` +
        "set `specificationVersion: stagesStorageSpecificationVersion` (from @stages/core) on the storage object",
    );
  }
  if (typeof storage.kind !== "string" || storage.kind === "") {
    throw new ConformanceFailure(
      'kind is not a non-empty string: say what the storage is ("local", "remote" or your own)',
    );
  }
  if (typeof storage.description !== "string" || storage.description === "") {
    throw new ConformanceFailure(
      "description is not a non-empty string: say where the stages live (e.g. `directory /var/cache/stages`), without secrets",
    );
  }
}

/** get answers null and has false for a stage that is not there; neither throws. */
export async function checkAbsent(storage: StagesStorage, absent: Signature): Promise<void> {
  const fix = "a stage that is not there is an answer (null, false), not an error: catch your not-found (ENOENT, 404)";
  const got = await expectResolves("get() of an absent stage", () => storage.get(absent), fix);
  if (got !== null) {
    throw new ConformanceFailure(
      `get() of an absent stage resolved ${got === undefined ? "undefined" : JSON.stringify(got)}: resolve null (not undefined) when the stage is not there`,
    );
  }
  const has = await expectResolves("has() of an absent stage", () => storage.has(absent), fix);
  if (has !== false) {
    throw new ConformanceFailure(`has() of an absent stage resolved ${String(has)}: resolve the boolean false`);
  }
}

/** What the suite stored, to compare a descriptor with. */
export interface ExpectedStage {
  signature: Signature;
  project: string;
  image: string | null;
  stage: StageName;
  parent: Signature | null;
  carried: Record<string, ContentId> | null;
}

/** A descriptor read back: the branded signature it was stored under, and every field from its labels. */
export function checkDescriptor(what: string, descriptor: StageDescriptor | null, expected: ExpectedStage): void {
  if (descriptor === null || descriptor === undefined) {
    throw new ConformanceFailure(
      `${what} resolved ${String(descriptor)} for a stage seed() stored: find the stage by the signature it was stored under`,
    );
  }
  if (!isSignature(descriptor.signature)) {
    throw new ConformanceFailure(
      `${what} gave signature ${JSON.stringify(descriptor.signature)}, which is not a Signature (64 lowercase hex ` +
        `characters, no "sha256:" prefix): ${descriptorFix}, or check a string with parseSignature`,
    );
  }
  const mismatches: string[] = [];
  const compare = (field: string, actual: unknown, wanted: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
      mismatches.push(`${field} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
    }
  };
  compare("signature", descriptor.signature, expected.signature);
  compare("project", descriptor.project, expected.project);
  compare("image", descriptor.image, expected.image);
  compare("stage", descriptor.stage, expected.stage);
  compare("parent", descriptor.parent, expected.parent);
  compare("carried", descriptor.carried, expected.carried);
  if (typeof descriptor.id !== "string" || descriptor.id === "") mismatches.push("id is empty");
  if (typeof descriptor.labels !== "object" || descriptor.labels === null) {
    mismatches.push("labels is not an object");
  } else if (descriptor.labels["io.stages.signature"] !== expected.signature) {
    mismatches.push("labels do not hold the labels the stage was stored with (io.stages.signature is missing)");
  }
  if (descriptor.createdAt !== null && typeof descriptor.createdAt !== "string") {
    mismatches.push("createdAt is neither null nor an ISO 8601 string");
  }
  if (descriptor.size !== null && typeof descriptor.size !== "number")
    mismatches.push("size is neither null nor a number");
  if (mismatches.length > 0) {
    throw new ConformanceFailure(`${what} gave a wrong descriptor: ${mismatches.join("; ")}. Fix: ${descriptorFix}`);
  }
}

/**
 * The storage lists its own stages only, and does not give another project's stage from the same
 * place: the project is part of where a stage lives, not a filter the caller applies.
 */
export async function checkScopedToProject(
  place: StoragePlace,
  other: StoragePlace,
  own: readonly Signature[],
  otherSignature: Signature,
  seedLabels: (project: string, signature: Signature) => Record<string, string>,
): Promise<void> {
  if (other.project === place.project) {
    throw new ConformanceFailure(
      "the fixture's otherProject has the same project as the storage: give it another project in the same place",
    );
  }
  await expectResolves(
    "otherProject.seed()",
    () => other.seed(otherSignature, seedLabels(other.project, otherSignature)),
    "the fixture must be able to store a stage of another project in the same place",
  );
  const otherListed = await expectResolves("list() of the other project's storage", () => other.storage.list(), "");
  if (!otherListed.some((stage) => stage.signature === otherSignature)) {
    throw new ConformanceFailure(
      "the other project's storage does not list the stage its seed() stored: check the fixture's otherProject (same place, its own project)",
    );
  }
  const listed = await expectResolves("list()", () => place.storage.list(), "list() must answer the stages there are");
  const signatures = listed.map((stage) => stage.signature);
  for (const signature of own) {
    if (!signatures.includes(signature)) {
      throw new ConformanceFailure(`list() does not give stage ${signature}, which seed() stored and get() finds`);
    }
  }
  const foreign = listed.filter((stage) => stage.project !== place.project || stage.signature === otherSignature);
  if (foreign.length > 0) {
    throw new ConformanceFailure(
      `list() gave ${foreign.length} stage(s) of another project (${[...new Set(foreign.map((stage) => stage.project))].join(", ")}): ` +
        "a storage is scoped to the project it was made for (PluginContext.project): keep each project's stages apart " +
        "(a directory, repository or key prefix per project) or drop descriptors whose project differs",
    );
  }
  const got = await expectResolves("get() of another project's stage", () => place.storage.get(otherSignature), "");
  if (got !== null) {
    throw new ConformanceFailure(
      `get() gave the stage ${otherSignature} of project ${JSON.stringify(got?.project)}: answer null for a stage of another project ` +
        "(compare descriptor.project with the storage's project, or keep projects apart)",
    );
  }
}

/** Deleting removes the stage and nothing else; deleting an absent stage resolves. */
export async function checkDelete(
  storage: StagesStorage,
  deleted: Signature,
  kept: Signature,
  absent: Signature,
): Promise<void> {
  for (const signature of [deleted, kept]) {
    if ((await storage.has(signature)) !== true) {
      throw new ConformanceFailure(
        `stage ${signature}, stored by seed(), is gone before any delete(): an earlier check removed it`,
      );
    }
  }
  await expectResolves("delete() of a stored stage", () => storage.delete(deleted), "");
  if ((await storage.has(deleted)) !== false || (await storage.get(deleted)) !== null) {
    throw new ConformanceFailure(
      `has()/get() still find stage ${deleted} after delete() resolved: delete it before resolving`,
    );
  }
  const fix = "deleting a stage that is not there is not an error: ignore your not-found (ENOENT, 404)";
  await expectResolves("delete() of a stage deleted before", () => storage.delete(deleted), fix);
  await expectResolves("delete() of an absent stage", () => storage.delete(absent), fix);
  if ((await storage.has(kept)) !== true) {
    throw new ConformanceFailure(`delete() of one stage removed another (${kept}): delete only the stage asked for`);
  }
}

/** Every method rejects with AbortedError for an aborted signal, and an aborted delete deletes nothing. */
export async function checkHonoursAbort(storage: StagesStorage, present: Signature): Promise<void> {
  await expectAbortedError("get()", (signal) => storage.get(present, { signal }));
  await expectAbortedError("has()", (signal) => storage.has(present, { signal }));
  await expectAbortedError("list()", (signal) => storage.list({ signal }));
  await expectAbortedError("delete()", (signal) => storage.delete(present, { signal }));
  if ((await storage.has(present)) !== true) {
    throw new ConformanceFailure(
      "delete() with an aborted signal removed the stage: check the signal (throwIfAborted) before changing anything",
    );
  }
}
