import { createHash } from "node:crypto";
import type { Digest } from "@stages/core";
import { type CommitRecord, isSignature, type Signature, type StageLease, UsageError } from "@stages/core";
import { mediaTypes } from "./media-types.js";

/*
 * The bookkeeping objects cleanup keeps in REPO next to the stages (DESIGN §15). Each is a small OCI
 * image manifest with no layers whose config blob carries the JSON: blobs have no size limit where
 * manifests are limited (this client reads at most 4 MiB of one), and a manifest with a custom
 * config media type is what Distribution 2.8 and the OCI artifact guidance accept. Tags carry a short hash of the project, so
 * that projects sharing a REPO never read, compact or delete each other's objects.
 */

/** Config media type of a records object: `{ "project": ..., "records": [CommitRecord...] }`. */
export const recordsMediaType = "application/vnd.stages.records.v1+json";
/** Config media type of a lease object: `{ "project": ..., "lease": StageLease }`. */
export const leaseMediaType = "application/vnd.stages.lease.v1+json";

const hex = (bytes: Uint8Array | string): string => createHash("sha256").update(bytes).digest("hex");

/** First 8 hex of sha256(project): the project's part of every bookkeeping tag. */
export function projectKey(project: string): string {
  return hex(project).slice(0, 8);
}

/** `stages-records-<project key>-`: every records tag of the project starts with it. */
export function recordsTagPrefix(project: string): string {
  return `stages-records-${projectKey(project)}-`;
}

/** `stages-lease-<project key>-`: every lease tag of the project starts with it. */
export function leaseTagPrefix(project: string): string {
  return `stages-lease-${projectKey(project)}-`;
}

/**
 * The tag of a records object, addressed by what the records say apart from when they were written
 * (commit, image, stages, dirty): writing the same records again finds them under the same tag, so a
 * push that changed nothing checks with one HEAD instead of writing an object.
 */
export function recordsTag(project: string, records: readonly CommitRecord[]): string {
  const identity = JSON.stringify({
    project,
    records: mergeRecords(records).map(({ commit, image, stages, dirty }) => ({ commit, image, stages, dirty })),
  });
  return `${recordsTagPrefix(project)}${hex(identity).slice(0, 24)}`;
}

const leaseIdPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
// A tag is at most 128 characters; the prefix takes 22.
const maxLeaseIdLength = 128 - "stages-lease-00000000-".length;

/** The tag of a lease; its id must be usable in a tag (letters, digits, `_`, `.`, `-`). */
export function leaseTag(project: string, id: string): string {
  if (!leaseIdPattern.test(id) || id.length > maxLeaseIdLength) {
    throw new UsageError(`[registry] lease id "${id}" cannot be part of a tag`, {
      hint: `use letters, digits, "_", "." and "-" only, at most ${maxLeaseIdLength} characters (e.g. a random hex id)`,
    });
  }
  return `${leaseTagPrefix(project)}${id}`;
}

/** True for a records or lease tag of any project: such tags are never published images. */
export function isBookkeepingTag(tag: string): boolean {
  return /^stages-(?:records|lease)-[0-9a-f]{8}-/.test(tag);
}

/** A bookkeeping object ready to put: its config blob and the manifest naming it. */
export interface BookkeepingObject {
  config: Uint8Array;
  configDigest: Digest;
  manifest: Uint8Array;
  manifestDigest: Digest;
}

const digestOf = (bytes: Uint8Array): Digest => `sha256:${hex(bytes)}` as Digest;

/** The config blob and its manifest; the manifest's bytes (and digest) follow from the config alone. */
export function bookkeepingObject(mediaType: string, config: Uint8Array): BookkeepingObject {
  const configDigest = digestOf(config);
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      config: { mediaType, digest: configDigest, size: config.byteLength },
      layers: [],
    }),
  );
  return { config, configDigest, manifest, manifestDigest: digestOf(manifest) };
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function recordKey(record: CommitRecord): string {
  return `${record.commit}\n${record.image ?? ""}\n${[...record.stages].sort().join(",")}`;
}

/**
 * The records deduplicated by commit, image and stages (in a stable order). Of duplicates the
 * newest `at` is kept, and `dirty` only when every copy was dirty: one clean write proves the stages
 * are the commit's.
 */
export function mergeRecords(records: Iterable<CommitRecord>): CommitRecord[] {
  const merged = new Map<string, CommitRecord>();
  for (const record of records) {
    const key = recordKey(record);
    const stages = [...new Set(record.stages)].sort();
    const known = merged.get(key);
    if (known === undefined) {
      merged.set(key, { commit: record.commit, image: record.image, stages, dirty: record.dirty, at: record.at });
      continue;
    }
    merged.set(key, {
      ...known,
      dirty: known.dirty && record.dirty,
      at: compareText(record.at, known.at) > 0 ? record.at : known.at,
    });
  }
  return [...merged.entries()].sort(([a], [b]) => compareText(a, b)).map(([, record]) => record);
}

/** The config blob of a records object: canonical (merged, sorted), so equal sets give equal bytes. */
export function encodeRecords(project: string, records: readonly CommitRecord[]): Uint8Array {
  const body = {
    project,
    records: mergeRecords(records).map((record) => ({
      commit: record.commit,
      image: record.image,
      stages: record.stages,
      dirty: record.dirty,
      at: record.at,
    })),
  };
  return new TextEncoder().encode(JSON.stringify(body));
}

function parseObject(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function parseRecord(value: unknown): CommitRecord | null {
  if (typeof value !== "object" || value === null) return null;
  const record = value as Record<string, unknown>;
  if (typeof record.commit !== "string" || !/^[0-9a-f]{7,64}$/.test(record.commit)) return null;
  if (record.image !== null && typeof record.image !== "string") return null;
  if (!Array.isArray(record.stages) || !record.stages.every((stage) => isSignature(stage))) return null;
  if (typeof record.dirty !== "boolean" || typeof record.at !== "string") return null;
  return {
    commit: record.commit,
    image: record.image,
    stages: record.stages as Signature[],
    dirty: record.dirty,
    at: record.at,
  };
}

/**
 * The records of a records object of `project`, or null when the object belongs to another project
 * (a look-alike tag) or is not a records object at all. Malformed entries are left out.
 */
export function decodeRecords(bytes: Uint8Array, project: string): CommitRecord[] | null {
  const body = parseObject(bytes);
  if (body === null || body.project !== project || !Array.isArray(body.records)) return null;
  return body.records.map(parseRecord).filter((record): record is CommitRecord => record !== null);
}

/** The config blob of a lease object. */
export function encodeLease(project: string, lease: StageLease): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      project,
      lease: { id: lease.id, holder: lease.holder, expiresAt: lease.expiresAt, stages: [...lease.stages] },
    }),
  );
}

/** The lease in a lease object of `project`, or null when it is another project's or malformed. */
export function decodeLease(bytes: Uint8Array, project: string): StageLease | null {
  const body = parseObject(bytes);
  if (body === null || body.project !== project) return null;
  const lease = body.lease as Record<string, unknown> | null | undefined;
  if (typeof lease !== "object" || lease === null) return null;
  if (typeof lease.id !== "string" || typeof lease.holder !== "string" || typeof lease.expiresAt !== "string") {
    return null;
  }
  if (!Array.isArray(lease.stages) || !lease.stages.every((stage) => isSignature(stage))) return null;
  return { id: lease.id, holder: lease.holder, expiresAt: lease.expiresAt, stages: lease.stages as Signature[] };
}
