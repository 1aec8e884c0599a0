import { describe, expect, it } from "vitest";
import { loadConfigOrThrow } from "./config/index.js";
import { type ConveyorFacts, planConveyor } from "./conveyor.js";
import { computeSignature } from "./signature.js";
import type { Signature } from "./signature-type.js";

const facts: ConveyorFacts = {
  baseDigest: null,
  imageSignatures: new Map(),
  contents: new Map(),
  dependencyChecksums: new Map(),
};

/** Each stage's name and signature, chained as the build computes them (no git content here). */
function signatures(imageText: string): Record<string, Signature> {
  const image = loadConfigOrThrow(`project: p\nconfigVersion: 1\n---\n${imageText}`).config.images[0];
  if (image === undefined) throw new Error("no image");
  const result: Record<string, Signature> = {};
  let prev: Signature | null = null;
  for (const template of planConveyor(image, facts)) {
    prev = computeSignature({ project: "p", stage: template.name, deps: template.deps, prev, carried: null });
    result[template.name] = prev;
  }
  return result;
}

const base = "image: app\nfrom: alpine\nshell:\n  beforeInstall: [a]\n  install: [b]\n";

describe("mount and secrets in signatures", () => {
  it("leave the signatures of an image without them as they were", () => {
    const plain = signatures(base);
    expect(signatures(`${base}mount: []\nsecrets: []\n`)).toEqual(plain);
  });

  it("a secret's value changes no signature; its id changes the user stages' and after", () => {
    const first = signatures(`${base}secrets:\n- value: token-one\n  id: npm\n`);
    const other = signatures(`${base}secrets:\n- value: token-two-different\n  id: npm\n`);
    expect(other).toEqual(first);
    // Where the value comes from is not an input either: the file /run/secrets/npm is the same.
    expect(signatures(`${base}secrets:\n- env: NPM\n  id: npm\n`)).toEqual(first);
    const plain = signatures(base);
    expect(first.from).toBe(plain.from);
    expect(first.beforeInstall).not.toBe(plain.beforeInstall);
    const added = signatures(`${base}secrets:\n- value: token-one\n  id: npm\n- env: EXTRA\n`);
    expect(added.from).toBe(first.from);
    expect(added.beforeInstall).not.toBe(first.beforeInstall);
    expect(added.install).not.toBe(first.install);
  });

  it("a mount's kind and place are inputs of the user stages, in any declaration order", () => {
    const plain = signatures(base);
    const tmp = signatures(`${base}mount:\n- from: tmp_dir\n  to: /tmp/x\n`);
    const build = signatures(`${base}mount:\n- from: build_dir\n  to: /tmp/x\n`);
    const elsewhere = signatures(`${base}mount:\n- from: build_dir\n  to: /tmp/y\n`);
    const host = signatures(`${base}mount:\n- fromPath: ../cache\n  to: /tmp/x\n`);
    const stages = (result: Record<string, Signature>) => [result.beforeInstall, result.install];
    const all = [plain, tmp, build, elsewhere, host].flatMap(stages);
    expect(new Set(all).size).toBe(all.length);
    expect(new Set([plain, tmp, build, elsewhere, host].map((result) => result.from)).size).toBe(1);
    const two = "- from: tmp_dir\n  to: /a\n- from: build_dir\n  to: /b\n";
    const swapped = "- from: build_dir\n  to: /b\n- from: tmp_dir\n  to: /a\n";
    expect(signatures(`${base}mount:\n${swapped}`)).toEqual(signatures(`${base}mount:\n${two}`));
  });

  it("hands the mounts and secrets to the shell stages' builder, and to no other stage", () => {
    const image = loadConfigOrThrow(
      `project: p\nconfigVersion: 1\n---\n${base}mount:\n- from: tmp_dir\n  to: /t\nsecrets:\n- value: s3cret-value\n  id: s\ndocker:\n  ENV: {A: b}\n`,
    ).config.images[0];
    if (image === undefined) throw new Error("no image");
    const templates = planConveyor(image, facts);
    for (const template of templates) {
      const instructions = template.instructions(null);
      if (instructions.kind === "shell") {
        expect(instructions.mounts?.map((mount) => mount.to)).toEqual(["/t"]);
        expect(instructions.secrets?.map((secret) => secret.id)).toEqual(["s"]);
      } else {
        expect(instructions).not.toHaveProperty("mounts");
        expect(instructions).not.toHaveProperty("secrets");
      }
      // The value never reaches a signature's inputs.
      expect(JSON.stringify(template.deps)).not.toContain("s3cret-value");
    }
  });
});
