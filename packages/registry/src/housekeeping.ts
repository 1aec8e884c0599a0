import {
  type CallOptions,
  type CommitRecord,
  type ForeignTag,
  finalRepository,
  parseStageTag,
  type RegistryHousekeeping,
  remoteStageReference,
  type Signature,
  type StageDeletion,
  type StageLease,
  StorageError,
} from "@stages/core";
import { forEachLimited } from "@stages/core/internal";
import type { RegistryClient } from "./client.js";
import { DeleteUnsupportedError, deleteFailure, deleteUnsupportedHint } from "./errors.js";
import { isImageIndex } from "./media-types.js";
import { parseRepositoryName } from "./parse-reference.js";
import {
  bookkeepingObject,
  decodeLease,
  decodeRecords,
  encodeLease,
  encodeRecords,
  isBookkeepingTag,
  leaseMediaType,
  leaseTag,
  leaseTagPrefix,
  mergeRecords,
  recordsMediaType,
  recordsTag,
  recordsTagPrefix,
} from "./record-objects.js";
import { createStorageGuard } from "./storage-guard.js";

export interface RegistryHousekeepingOptions {
  client: RegistryClient;
  /** REPO: `host[:port]/path`. */
  repository: string;
  project: string;
  /** Objects read, heads and deletes at once. Default 8. */
  concurrency?: number;
  /**
   * How many times `readRecords` lists REPO again when a records object vanished while it read
   * (a concurrent compaction). Default 5.
   */
  readAttempts?: number;
}

/** A records object the last read saw: compaction deletes exactly these. */
interface SeenObject {
  tag: string;
  digest: string;
}

/** A config blob larger than this is not an image config worth reading for a label. */
const maxConfigBytes = 4 * 1024 * 1024;

/**
 * Cleanup's bookkeeping in REPO (core's RegistryHousekeeping; record and lease formats in
 * record-objects.ts). Writes never list tags: `addRecords` is one HEAD when the same records are there,
 * else that HEAD and three writes (blob POST, blob PUT, manifest PUT), whatever else REPO holds. Reads list REPO's tags once, then read two requests per object.
 */
export function createRegistryHousekeeping(options: RegistryHousekeepingOptions): RegistryHousekeeping {
  const { client, project } = options;
  const name = parseRepositoryName(options.repository);
  const repository = `${name.registry}/${name.repository}`;
  const concurrency = options.concurrency ?? 8;
  const readAttempts = options.readAttempts ?? 5;
  const recordsPrefix = recordsTagPrefix(project);
  const leasePrefix = leaseTagPrefix(project);
  let lastRead: SeenObject[] = [];

  const guard = createStorageGuard(`registry ${repository}`);

  /** Uploads the config blob, then the manifest under `tag`; returns the manifest digest. */
  const putObject = async (tag: string, mediaType: string, config: Uint8Array, signal?: AbortSignal) => {
    const object = bookkeepingObject(mediaType, config);
    // No HEAD first: objects are almost always new, and uploading a blob again is harmless.
    await client.uploadBlob(repository, object.config, {
      digest: object.configDigest,
      skipExistenceCheck: true,
      ...(signal ? { signal } : {}),
    });
    const stored = await client.putManifest(`${repository}:${tag}`, object.manifest, {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      ...(signal ? { signal } : {}),
    });
    return stored.digest;
  };

  /** DELETE by digest; false when it was gone already. Refusals become errors saying what to change. */
  const deleteDigest = async (digest: string, signal?: AbortSignal): Promise<boolean> => {
    try {
      return await client.deleteManifest(`${repository}@${digest}`, signal ? { signal } : {});
    } catch (error) {
      throw deleteFailure(error, name.registry, name.repository);
    }
  };

  /**
   * The config of the object under `tag` if it has `mediaType`: null when the tag vanished, `foreign`
   * when something else is stored there.
   */
  const readObject = async (
    tag: string,
    mediaType: string,
    signal?: AbortSignal,
  ): Promise<{ digest: string; config: Uint8Array } | "foreign" | null> => {
    const fetched = await client.getManifest(`${repository}:${tag}`, signal ? { signal } : {});
    if (fetched === null) return null;
    if (isImageIndex(fetched.manifest) || fetched.manifest.config.mediaType !== mediaType) return "foreign";
    const config = await client.readBlob(repository, fetched.manifest.config.digest, {
      size: fetched.manifest.config.size,
      ...(signal ? { signal } : {}),
    });
    return { digest: fetched.descriptor.digest, config };
  };

  const tagsWithPrefix = async (prefix: string, signal?: AbortSignal): Promise<string[]> =>
    (await client.listTags(repository, signal ? { signal } : {})).filter((tag) => tag.startsWith(prefix));

  const readRecordsOnce = async (signal?: AbortSignal) => {
    const tags = await tagsWithPrefix(recordsPrefix, signal);
    const seen: SeenObject[] = [];
    const records: CommitRecord[] = [];
    const vanished: string[] = [];
    await forEachLimited(tags, concurrency, async (tag) => {
      const object = await readObject(tag, recordsMediaType, signal);
      if (object === null) {
        vanished.push(tag);
        return;
      }
      if (object === "foreign") return;
      const decoded = decodeRecords(object.config, project);
      // Another project's object under a look-alike tag is neither read nor ever deleted.
      if (decoded === null) return;
      seen.push({ tag, digest: object.digest });
      records.push(...decoded);
    });
    return { seen, records, vanished };
  };

  /** The `io.stages.project` label of an image config blob, or null. */
  const projectOfConfig = async (repositoryName: string, digest: string, size: number, signal?: AbortSignal) => {
    if (size > maxConfigBytes) return null;
    const bytes = await client.readBlob(repositoryName, digest, { size, ...(signal ? { signal } : {}) });
    try {
      const config = JSON.parse(new TextDecoder().decode(bytes)) as {
        config?: { Labels?: Record<string, unknown> | null } | null;
      };
      const label = config.config?.Labels?.["io.stages.project"];
      return typeof label === "string" ? label : null;
    } catch {
      return null;
    }
  };

  /**
   * Each tag with its digest (one manifest GET) and project. Config blobs are read once per digest:
   * the published tags of one image share their config.
   */
  const describeTags = async (repositoryName: string, tags: string[], signal?: AbortSignal) => {
    const found: ForeignTag[] = [];
    const projects = new Map<string, Promise<string | null>>();
    await forEachLimited(tags, concurrency, async (tag) => {
      const reference = `${repositoryName}:${tag}`;
      const fetched = await client.getManifest(reference, signal ? { signal } : {});
      // Untagged between the listing and now.
      if (fetched === null) return;
      const manifest = fetched.manifest;
      let project: string | null = null;
      // An index is nothing stages publishes; its project stays unknown.
      if (!isImageIndex(manifest) && /image\.config|container\.image/.test(manifest.config.mediaType)) {
        const { digest, size } = manifest.config;
        let pending = projects.get(digest);
        if (pending === undefined) {
          pending = projectOfConfig(repositoryName, digest, size, signal);
          projects.set(digest, pending);
        }
        project = await pending;
      }
      found.push({ reference, digest: fetched.descriptor.digest, project });
    });
    return found.sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
  };

  return {
    addRecords: (records: readonly CommitRecord[], callOptions: CallOptions = {}) =>
      guard("adding commit records", async () => {
        if (records.length === 0) return;
        const tag = recordsTag(project, records);
        // The same records (the same commit with the same stages) are there already when a push
        // or publish changed nothing: one HEAD instead of three writes. They keep their first time.
        if (
          (await client.headManifest(
            `${repository}:${tag}`,
            callOptions.signal ? { signal: callOptions.signal } : {},
          )) !== null
        )
          return;
        await putObject(tag, recordsMediaType, encodeRecords(project, records), callOptions.signal);
      }),

    readRecords: (callOptions: CallOptions = {}) =>
      guard("reading commit records", async () => {
        let vanishedBefore: ReadonlySet<string> | null = null;
        for (let attempt = 1; attempt <= readAttempts; attempt++) {
          const read = await readRecordsOnce(callOptions.signal);
          // A vanished object was merged by a concurrent compaction, which wrote its merge before
          // deleting: listing again finds it, and no longer lists the deleted tag. Returning
          // without it would lose records. A tag still listed, and still without its manifest, is
          // dangling: Distribution leaves one when a manifest is deleted while other tags of the
          // repository are written (its delete walks every tag). It holds nothing, no API call can
          // remove it, and reading again would not change it.
          const dangling = vanishedBefore !== null && read.vanished.every((tag) => vanishedBefore?.has(tag));
          if (read.vanished.length > 0 && !dangling) {
            vanishedBefore = new Set(read.vanished);
            continue;
          }
          lastRead = read.seen;
          return mergeRecords(read.records);
        }
        throw new StorageError(
          `[registry] the commit records in ${repository} changed under every one of ${readAttempts} reads`,
          {
            retryable: true,
            hint: "another cleanup is compacting the records at the same time; run cleanup again when it has finished",
          },
        );
      }),

    compactRecords: (keep: readonly CommitRecord[], callOptions: CallOptions = {}) =>
      guard("compacting commit records", async () => {
        const { signal } = callOptions;
        let written: SeenObject | null = null;
        // The merge is written before anything is deleted: a reader never misses records for good.
        if (keep.length > 0) {
          const tag = recordsTag(project, keep);
          written = { tag, digest: await putObject(tag, recordsMediaType, encodeRecords(project, keep), signal) };
        }
        // Content-addressed: the merge may be one of the objects read; that one stays.
        const obsolete = lastRead.filter((object) => object.digest !== written?.digest);
        await forEachLimited(obsolete, concurrency, async (object) => {
          await deleteDigest(object.digest, signal);
        });
        lastRead = written === null ? [] : [written];
      }),

    putLease: (lease: StageLease, callOptions: CallOptions = {}) =>
      guard(`writing lease ${lease.id}`, async () => {
        const digest = await putObject(
          leaseTag(project, lease.id),
          leaseMediaType,
          encodeLease(project, lease),
          callOptions.signal,
        );
        let removed = false;
        return async () => {
          if (removed) return;
          await guard(`removing lease ${lease.id}`, () => deleteDigest(digest));
          removed = true;
        };
      }),

    readLeases: (callOptions: CallOptions = {}) =>
      guard("reading leases", async () => {
        const tags = await tagsWithPrefix(leasePrefix, callOptions.signal);
        const leases: StageLease[] = [];
        await forEachLimited(tags, concurrency, async (tag) => {
          const object = await readObject(tag, leaseMediaType, callOptions.signal);
          if (object === null || object === "foreign") return;
          const lease = decodeLease(object.config, project);
          if (lease !== null) leases.push(lease);
        });
        return leases.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      }),

    dropLeases: (ids: readonly string[], callOptions: CallOptions = {}) =>
      guard("removing leases", async () => {
        const { signal } = callOptions;
        await forEachLimited([...new Set(ids)], concurrency, async (id) => {
          const found = await client.headManifest(`${repository}:${leaseTag(project, id)}`, signal ? { signal } : {});
          if (found !== null) await deleteDigest(found.digest, signal);
        });
      }),

    foreignTags: (callOptions: CallOptions = {}) =>
      guard("listing published tags", async () => {
        const tags = (
          await client.listTags(repository, callOptions.signal ? { signal: callOptions.signal } : {})
        ).filter((tag) => parseStageTag(tag) === null && !isBookkeepingTag(tag));
        return describeTags(repository, tags, callOptions.signal);
      }),

    imageTags: (image: string, callOptions: CallOptions = {}) =>
      guard(`listing the tags of image ${image}`, async () => {
        const imageRepository = finalRepository(repository, image);
        // A repository that does not exist (404 NAME_UNKNOWN) has no tags.
        const tags = await client.listTags(imageRepository, callOptions.signal ? { signal: callOptions.signal } : {});
        return describeTags(imageRepository, tags, callOptions.signal);
      }),

    deleteStage: (signature: Signature, digest: string, callOptions: CallOptions = {}) =>
      guard(`deleting stage ${signature}`, async (): Promise<StageDeletion> => {
        const { signal } = callOptions;
        const found = await client.headManifest(remoteStageReference(repository, signature), signal ? { signal } : {});
        if (found === null) return "absent";
        // Pushed again since planning (another host rebuilt it): it is in use, keep it.
        if (found.digest !== digest) return "changed";
        if (await deleteDigest(digest, signal)) return "deleted";
        // A 404 is "gone already" only if it is: registries without the delete API (older ECR)
        // answer DELETE with a plain 404 and keep the manifest.
        const after = await client.headManifest(remoteStageReference(repository, signature), signal ? { signal } : {});
        if (after?.digest === digest) {
          throw new DeleteUnsupportedError(
            `[registry] ${name.registry} answered 404 to DELETE ${name.repository}@${digest} but still serves it`,
            { hint: deleteUnsupportedHint(name.registry), status: 404 },
          );
        }
        return "absent";
      }),
  };
}
