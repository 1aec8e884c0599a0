import { type CommitRecord, parseSignature, type Signature } from "@stages/core";
import { describe, expect, it } from "vitest";
import {
  bookkeepingObject,
  decodeLease,
  decodeRecords,
  encodeLease,
  encodeRecords,
  isBookkeepingTag,
  leaseTag,
  mergeRecords,
  projectKey,
  recordsMediaType,
  recordsTag,
} from "./record-objects.js";

const signature = (character: string): Signature => parseSignature(character.repeat(64));
const record = (commit: string, overrides: Partial<CommitRecord> = {}): CommitRecord => ({
  commit: commit.repeat(40),
  image: "backend",
  stages: [signature("b"), signature("a")],
  dirty: false,
  at: "2026-01-01T00:00:00.000Z",
  ...overrides,
});

describe("bookkeeping tags", () => {
  it("carry 8 hex of the project's sha256 and, for records, 24 hex of what they say apart from their time", () => {
    expect(projectKey("taxi")).toMatch(/^[0-9a-f]{8}$/);
    expect(projectKey("taxi")).not.toBe(projectKey("taxi2"));
    const tag = recordsTag("taxi", [record("1")]);
    expect(tag).toMatch(new RegExp(`^stages-records-${projectKey("taxi")}-[0-9a-f]{24}$`));
    expect(recordsTag("taxi", [record("1", { at: "2026-12-02T05:00:00.000Z" })])).toBe(tag);
    expect(recordsTag("taxi", [record("1"), record("1")])).toBe(tag);
    expect(recordsTag("taxi", [record("1", { dirty: true })])).not.toBe(tag);
    expect(recordsTag("taxi", [record("2")])).not.toBe(tag);
    expect(recordsTag("taxi", [record("1", { stages: [signature("a")] })])).not.toBe(tag);
    expect(recordsTag("taxi2", [record("1")]).slice(-24)).not.toBe(tag.slice(-24));
    expect(leaseTag("taxi", "abc-1.2_3")).toBe(`stages-lease-${projectKey("taxi")}-abc-1.2_3`);
  });

  it("refuse a lease id that cannot be part of a tag", () => {
    expect(() => leaseTag("taxi", "a/b")).toThrow(/cannot be part of a tag/);
    expect(() => leaseTag("taxi", "-x")).toThrow();
    expect(() => leaseTag("taxi", "x".repeat(107))).toThrow();
    expect(leaseTag("taxi", "x".repeat(106))).toHaveLength(128);
  });

  it("are told apart from stage tags and published tags", () => {
    expect(isBookkeepingTag(`stages-records-${projectKey("x")}-${"0".repeat(24)}`)).toBe(true);
    expect(isBookkeepingTag(`stages-lease-${projectKey("x")}-id`)).toBe(true);
    expect(isBookkeepingTag("stages-records")).toBe(false);
    expect(isBookkeepingTag("v1.0")).toBe(false);
    expect(isBookkeepingTag(`image-stage-${"a".repeat(64)}`)).toBe(false);
  });
});

describe("records objects", () => {
  it("are canonical: the same set in any order and with duplicates gives the same bytes", () => {
    const one = encodeRecords("taxi", [record("1"), record("2"), record("1")]);
    const two = encodeRecords("taxi", [record("2"), record("1", { stages: [signature("a"), signature("b")] })]);
    expect(Buffer.from(one).toString()).toBe(Buffer.from(two).toString());
  });

  it("round-trip, and another project's object decodes to null", () => {
    const bytes = encodeRecords("taxi", [record("1"), record("2", { image: null, dirty: true })]);
    expect(decodeRecords(bytes, "taxi")).toEqual(
      mergeRecords([record("1"), record("2", { image: null, dirty: true })]),
    );
    expect(decodeRecords(bytes, "taxi-other")).toBeNull();
    expect(decodeRecords(new TextEncoder().encode("not json"), "taxi")).toBeNull();
  });

  it("leave malformed entries out", () => {
    const bytes = new TextEncoder().encode(
      JSON.stringify({
        project: "taxi",
        records: [record("1"), { commit: "zz", stages: [] }, { ...record("2"), stages: ["x"] }],
      }),
    );
    expect(decodeRecords(bytes, "taxi")).toEqual([record("1")]);
  });

  it("merge duplicates: the newest time, dirty only when every copy was", () => {
    const merged = mergeRecords([
      record("1", { dirty: true, at: "2026-01-01T00:00:00.000Z" }),
      record("1", { dirty: false, at: "2026-01-03T00:00:00.000Z" }),
      record("1", { dirty: true, at: "2026-01-02T00:00:00.000Z" }),
      record("1", { image: "frontend" }),
    ]);
    expect(merged).toHaveLength(2);
    expect(merged.find((entry) => entry.image === "backend")).toMatchObject({
      dirty: false,
      at: "2026-01-03T00:00:00.000Z",
    });
  });

  it("are an OCI manifest without layers whose config is the JSON; its bytes follow from the config alone", () => {
    const config = encodeRecords("taxi", [record("1")]);
    const object = bookkeepingObject(recordsMediaType, config);
    const manifest = JSON.parse(Buffer.from(object.manifest).toString());
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.stages.records.v1+json",
        digest: object.configDigest,
        size: config.byteLength,
      },
      layers: [],
    });
    expect(bookkeepingObject(recordsMediaType, config).manifestDigest).toBe(object.manifestDigest);
  });
});

describe("lease objects", () => {
  it("round-trip and belong to one project", () => {
    const lease = { id: "l1", holder: "host 42", expiresAt: "2026-01-01T01:00:00.000Z", stages: [signature("c")] };
    expect(decodeLease(encodeLease("taxi", lease), "taxi")).toEqual(lease);
    expect(decodeLease(encodeLease("taxi", lease), "other")).toBeNull();
  });
});
