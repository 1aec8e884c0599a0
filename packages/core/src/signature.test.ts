import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, type JsonValue } from "./canonical-json.js";
import { computeSignature, signatureDocument } from "./signature.js";
import type { ContentId, Signature } from "./signature-type.js";
import { stageNames } from "./stage-name.js";

// Golden values: the documents and their sha256 were computed outside this code
// (printf '%s' DOC | sha256sum). A change here breaks every cache: bump `v` instead.
describe("computeSignature golden values", () => {
  it("signs a from stage", () => {
    const input = {
      project: "taxi",
      stage: "from" as const,
      deps: { base: "docker.io/library/alpine:3.20" },
      prev: null,
      carried: null,
    };
    expect(signatureDocument(input)).toBe(
      '{"carried":null,"deps":{"base":"docker.io/library/alpine:3.20"},"prev":null,"project":"taxi","stage":"from","v":2}',
    );
    expect(computeSignature(input)).toBe("2b3b62ab84b38347b8fc0198533e54cfbb3d2ab82fa942b41120862cb5694558");
  });

  it("signs the README's worked example", () => {
    const input = {
      project: "taxi",
      stage: "beforeInstall" as const,
      deps: { commands: ["apk add --no-cache nodejs npm"], cacheVersion: "1" },
      prev: "2b3b62ab84b38347b8fc0198533e54cfbb3d2ab82fa942b41120862cb5694558" as Signature,
      carried: null,
    };
    expect(signatureDocument(input)).toBe(
      '{"carried":null,"deps":{"cacheVersion":"1","commands":["apk add --no-cache nodejs npm"]},"prev":"2b3b62ab84b38347b8fc0198533e54cfbb3d2ab82fa942b41120862cb5694558","project":"taxi","stage":"beforeInstall","v":2}',
    );
    expect(computeSignature(input)).toBe("08dd0ceeaec9de901c90930993f113d0c5a3d046e16cca2542f1c989b9a419e0");
  });

  it("signs a user stage with stageDependencies, prev and carried content", () => {
    const input = {
      project: "taxi",
      stage: "install" as const,
      deps: { stageDependencies: { "git-0": "b".repeat(64) }, commands: ["npm ci"] },
      prev: "c".repeat(64) as Signature,
      carried: { "git-0": "a".repeat(64) as ContentId },
    };
    expect(computeSignature(input)).toBe("ceb111342108d0cdc7d53506c51108ec11bb59f04d4507a100c36ce33aa2d35e");
  });

  it("signs the same inputs of another project differently", () => {
    const input = {
      project: "backend",
      stage: "from" as const,
      deps: { base: "docker.io/library/alpine:3.20" },
      prev: null,
      carried: null,
    };
    expect(computeSignature(input)).toBe("6269cb39e69a3e27484876cd950c8f4929b24447f1301a69cf5af69f58fa79a8");
  });

  it("treats empty carried content as none", () => {
    const base = {
      project: "taxi",
      stage: "from" as const,
      deps: { base: "docker.io/library/alpine:3.20" },
      prev: null,
    };
    expect(computeSignature({ ...base, carried: {} })).toBe(computeSignature({ ...base, carried: null }));
  });
});

describe("canonicalJson", () => {
  it("sorts keys by code point and escapes like JSON", () => {
    expect(canonicalJson({ b: 1, a: [true, null, "x"], é: "\u00e9😀", B: { d: 1, c: 2 } })).toBe(
      '{"B":{"c":2,"d":1},"a":[true,null,"x"],"b":1,"é":"é😀"}',
    );
  });

  it("drops undefined values and rejects non-finite numbers", () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson(Number.POSITIVE_INFINITY)).toThrow(TypeError);
  });

  it("sorts astral characters after the whole BMP, as UTF-8 bytes do", () => {
    expect(canonicalJson({ "😀": 1, "\uffff": 2 })).toBe('{"\uffff":2,"😀":1}');
  });
});

const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string(),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
  ),
})).value as fc.Arbitrary<JsonValue>;

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const input = fc.record({
  project: fc.string(),
  stage: fc.constantFrom(...stageNames),
  deps: fc.dictionary(fc.string(), jsonValue, { maxKeys: 5 }),
  prev: fc.option(hex64, { nil: null }),
  carried: fc.option(fc.dictionary(fc.string({ minLength: 1 }), hex64, { minKeys: 1, maxKeys: 3 }), { nil: null }),
});

type Input = Parameters<typeof computeSignature>[0];

function shuffleKeys(value: JsonValue, seed: number): JsonValue {
  if (Array.isArray(value)) return value.map((item) => shuffleKeys(item, seed));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  const rotated = entries.map((_, index) => entries[(index + seed) % entries.length]!).reverse();
  return Object.fromEntries(rotated.map(([key, item]) => [key, shuffleKeys(item as JsonValue, seed + 1)]));
}

describe("computeSignature properties", () => {
  it("is 64 lowercase hex and deterministic", () => {
    fc.assert(
      fc.property(input, (value) => {
        const signature = computeSignature(value as Input);
        expect(signature).toMatch(/^[0-9a-f]{64}$/);
        expect(computeSignature(structuredClone(value) as Input)).toBe(signature);
      }),
    );
  });

  it("never depends on key order", () => {
    fc.assert(
      fc.property(input, fc.nat(7), (value, seed) => {
        const shuffled = { ...value, deps: shuffleKeys(value.deps as JsonValue, seed) } as Input;
        expect(computeSignature(shuffled)).toBe(computeSignature(value as Input));
      }),
    );
  });

  it("changes when the project, the stage, a dep, prev or carried content changes", () => {
    fc.assert(
      fc.property(input, fc.string(), jsonValue, hex64, (value, key, extra, other) => {
        const signature = computeSignature(value as Input);
        expect(computeSignature({ ...value, project: `${value.project}x` } as Input)).not.toBe(signature);
        const stage = stageNames[(stageNames.indexOf(value.stage) + 1) % stageNames.length]!;
        expect(computeSignature({ ...value, stage } as Input)).not.toBe(signature);
        const deps = { ...value.deps, [key]: extra };
        if (canonicalJson(deps) !== canonicalJson(value.deps as JsonValue)) {
          expect(computeSignature({ ...value, deps } as Input)).not.toBe(signature);
        }
        if (value.prev !== other) expect(computeSignature({ ...value, prev: other } as Input)).not.toBe(signature);
        const carried = { ...(value.carried ?? {}), "git-9": other };
        expect(computeSignature({ ...value, carried } as unknown as Input)).not.toBe(signature);
      }),
    );
  });
});
