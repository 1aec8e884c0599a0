import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AuthenticationError,
  type CommitRecord,
  parseSignature,
  type RegistryHousekeeping,
  type Signature,
  type StagesError,
  StorageError,
  stageLabelsFor,
  stageTag,
  UsageError,
} from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScratchRegistry, startScratchRegistry } from "../../../tooling/testenv/src/scratch-registry.js";
import {
  createLayer,
  createRegistryClient,
  createRegistryHousekeeping,
  createRegistryStagesStorage,
  DeleteUnsupportedError,
  pushImage,
  type RegistryClient,
  type RegistryEvent,
} from "../src/index.js";
import { bookkeepingObject, encodeRecords, recordsMediaType, recordsTag } from "../src/record-objects.js";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.js";
import { type RegistryServer, startRegistryServer } from "./registry-server.js";
import { startTokenServer, type TokenServer } from "./token-server.js";

// Ports 5860-5862 are this package's scratch registries (5863-5865: testenv's own scratch registry test, 5866: the CLI's cleanup test).
let registry: ScratchRegistry;
let noDelete: ScratchRegistry;
let directory: string;
let client: RegistryClient;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "stages-housekeeping-test-"));
  [registry, noDelete] = await Promise.all([
    startScratchRegistry({ port: 5860, directory: join(directory, "main") }),
    startScratchRegistry({ port: 5861, directory: join(directory, "no-delete"), deleteEnabled: false }),
  ]);
  client = createRegistryClient({ env: {}, useDockerConfig: false });
});

afterAll(async () => {
  await registry?.stop();
  await noDelete?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

const signature = (character: string): Signature => parseSignature(character.repeat(64));
let commits = 0;
/** A record of a new commit (40 hex, unique in this file). */
function record(overrides: Partial<CommitRecord> = {}): CommitRecord {
  commits++;
  return {
    commit: commits.toString(16).padStart(40, "0"),
    image: "backend",
    stages: [signature("a"), signature((commits % 6).toString(16).replace("0", "f"))],
    dirty: false,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, commits)).toISOString(),
    ...overrides,
  };
}

const sortRecords = (records: readonly CommitRecord[]) =>
  [...records]
    .sort((a, b) => (a.commit < b.commit ? -1 : 1))
    .map((entry) => ({
      ...entry,
      stages: [...entry.stages].sort(),
    }));

function housekeeping(repository: string, project = "taxi", from: RegistryClient = client) {
  return createRegistryHousekeeping({ client: from, repository, project });
}

async function recordTags(repository: string): Promise<string[]> {
  return (await client.listTags(repository)).filter((tag) => tag.startsWith("stages-records-"));
}

/**
 * The record tags that name an object. Distribution can leave a tag listed without its manifest when
 * a manifest is deleted while other tags of the repository are being written (its delete walks
 * every tag); such a dangling tag reads as absent (HEAD 404), so readers skip it, and no API call
 * can remove it: it is not an object.
 */
async function recordObjects(repository: string): Promise<string[]> {
  const tags = await recordTags(repository);
  const found = await Promise.all(tags.map((tag) => client.headManifest(`${repository}:${tag}`)));
  return tags.filter((_, index) => found[index] !== null);
}

async function pushStage(repository: string, project: string, sig: Signature, content: string = sig) {
  const labels = stageLabelsFor({
    project,
    image: "backend",
    stage: "from",
    signature: sig,
    parent: null,
    carried: null,
  });
  const layer = createLayer([{ path: "stage.txt", content }]);
  return pushImage(client, `${repository}:${stageTag(sig)}`, { layers: [layer], config: { Labels: labels } });
}

describe("commit records", () => {
  it("an addRecords is a HEAD and three writes, one HEAD when the same records are there, and never lists tags", async () => {
    const events: RegistryEvent[] = [];
    const counting = createRegistryClient({ env: {}, useDockerConfig: false, onEvent: (event) => events.push(event) });
    const repository = `${registry.address}/records/cost`;
    await counting.ping(registry.address);
    const requests = () =>
      events.flatMap((event) => (event.type === "request" ? [`${event.method} ${event.path.split("/")[4]}`] : []));
    events.length = 0;
    const entries = [record(), record()];
    await housekeeping(repository, "taxi", counting).addRecords(entries);
    expect(requests()).toEqual(["HEAD manifests", "POST blobs", "PUT blobs", "PUT manifests"]);
    // A push that changed nothing records the same commit and stages again, at another time.
    events.length = 0;
    const later = entries.map((entry) => ({ ...entry, at: new Date(Date.UTC(2026, 6, 1)).toISOString() }));
    await housekeeping(repository, "taxi", counting).addRecords(later);
    expect(requests()).toEqual(["HEAD manifests"]);
    expect(await recordTags(repository)).toHaveLength(1);
    // The records kept say when they were first written.
    expect(sortRecords(await housekeeping(repository).readRecords())).toEqual(sortRecords(entries));
  });

  it("two writers adding at the same time lose nothing", async () => {
    const repository = `${registry.address}/records/concurrent`;
    const second = createRegistryClient({ env: {}, useDockerConfig: false });
    const writerA = housekeeping(repository);
    const writerB = housekeeping(repository, "taxi", second);
    const written = Array.from({ length: 40 }, () => record());
    await Promise.all(written.map((entry, index) => (index % 2 === 0 ? writerA : writerB).addRecords([entry])));
    expect(sortRecords(await housekeeping(repository).readRecords())).toEqual(sortRecords(written));
    expect(await recordTags(repository)).toHaveLength(40);
  });

  it("writing the same content again is idempotent: same tag, no new object", async () => {
    const repository = `${registry.address}/records/idempotent`;
    const entries = [record(), record()];
    await housekeeping(repository).addRecords(entries);
    await housekeeping(repository).addRecords([...entries].reverse());
    expect(await recordTags(repository)).toHaveLength(1);
    expect(sortRecords(await housekeeping(repository).readRecords())).toEqual(sortRecords(entries));
  });

  it("compaction leaves one object plus those written after the read, and loses none of them", async () => {
    const repository = `${registry.address}/records/compaction`;
    const before = Array.from({ length: 12 }, () => record());
    await Promise.all(before.map((entry) => housekeeping(repository).addRecords([entry])));
    const cleaner = housekeeping(repository);
    const read = await cleaner.readRecords();
    expect(read).toHaveLength(12);
    const keep = read.slice(0, 5);
    // Other hosts push while cleanup compacts.
    const after = Array.from({ length: 10 }, () => record());
    const second = createRegistryClient({ env: {}, useDockerConfig: false });
    await Promise.all([
      cleaner.compactRecords(keep),
      ...after.map((entry) => housekeeping(repository, "taxi", second).addRecords([entry])),
    ]);
    expect(await recordObjects(repository)).toHaveLength(1 + 10);
    expect(sortRecords(await housekeeping(repository).readRecords())).toEqual(sortRecords([...keep, ...after]));

    // A second cleanup run compacts everything into one object.
    const next = housekeeping(repository);
    const all = await next.readRecords();
    await next.compactRecords(all);
    expect(await recordObjects(repository)).toHaveLength(1);
    expect(sortRecords(await housekeeping(repository).readRecords())).toEqual(sortRecords(all));
  });

  it("a merge equal to an object read keeps that object; an empty keep removes every object read", async () => {
    const repository = `${registry.address}/records/same-merge`;
    const entries = [record(), record()];
    await housekeeping(repository).addRecords(entries);
    const cleaner = housekeeping(repository);
    const read = await cleaner.readRecords();
    const tags = await recordTags(repository);
    await cleaner.compactRecords(read);
    expect(await recordTags(repository)).toEqual(tags);
    expect(sortRecords(await housekeeping(repository).readRecords())).toEqual(sortRecords(entries));
    await cleaner.compactRecords([]);
    expect(await recordTags(repository)).toEqual([]);
  });

  it("ignores, and never deletes, another project's object under a look-alike tag", async () => {
    const repository = `${registry.address}/records/look-alike`;
    const config = encodeRecords("intruder", [record()]);
    const object = bookkeepingObject(recordsMediaType, config);
    await client.uploadBlob(repository, object.config);
    const foreignTag = recordsTag("taxi", [record()]);
    await client.putManifest(`${repository}:${foreignTag}`, object.manifest);
    const mine = record();
    await housekeeping(repository).addRecords([mine]);

    const cleaner = housekeeping(repository);
    expect(await cleaner.readRecords()).toEqual(sortRecords([mine]));
    await cleaner.compactRecords([]);
    expect(await recordTags(repository)).toEqual([foreignTag]);
  });

  it("reads past a dangling tag (listed, its manifest gone), and compacts around it", async () => {
    const repository = `${registry.address}/records/dangling`;
    const entries = [record(), record()];
    await Promise.all(entries.map((entry) => housekeeping(repository).addRecords([entry])));
    const lost = record();
    await housekeeping(repository).addRecords([lost]);
    const tag = recordsTag("taxi", [lost]);
    const found = await client.headManifest(`${repository}:${tag}`);
    // What Distribution's race leaves: the tag's folder, without the manifest revision it names.
    rmSync(
      join(
        registry.dataDirectory,
        "docker/registry/v2/repositories/records/dangling/_manifests/revisions/sha256",
        (found?.digest ?? "").replace("sha256:", ""),
      ),
      { recursive: true },
    );
    expect(await recordTags(repository)).toContain(tag);
    expect(await client.headManifest(`${repository}:${tag}`)).toBeNull();

    const cleaner = housekeeping(repository);
    expect(sortRecords(await cleaner.readRecords())).toEqual(sortRecords(entries));
    await cleaner.compactRecords(entries);
    expect(await recordObjects(repository)).toHaveLength(1);
    expect(sortRecords(await housekeeping(repository).readRecords())).toEqual(sortRecords(entries));
  });

  it("reads again when a concurrent compaction deleted an object it had listed", async () => {
    const repository = `${registry.address}/records/read-race`;
    const entries = Array.from({ length: 4 }, () => record());
    await Promise.all(entries.map((entry) => housekeeping(repository).addRecords([entry])));
    const compactor = housekeeping(repository);
    const all = await compactor.readRecords();

    // The reader's first tag listing is answered only after another cleanup compacted: every
    // object it listed is gone by the time it reads them.
    let listings = 0;
    const racing = (attempts: number) => {
      const racingClient = createRegistryClient({
        env: {},
        useDockerConfig: false,
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (String(input).includes("/tags/list") && listings++ === 0) await compactor.compactRecords(all);
          return response;
        },
      });
      return createRegistryHousekeeping({ client: racingClient, repository, project: "taxi", readAttempts: attempts });
    };

    expect(sortRecords(await racing(5).readRecords())).toEqual(sortRecords(entries));
    expect(listings).toBe(2);

    // With no second read allowed, the reader fails rather than returning fewer records.
    await Promise.all([record(), record()].map((entry) => housekeeping(repository).addRecords([entry])));
    await compactor.readRecords();
    listings = 0;
    await expect(racing(1).readRecords()).rejects.toSatisfy(
      (error) => StorageError.isInstance(error) && (error as StagesError).retryable,
    );
  });
});

describe("leases", () => {
  it("round-trip, are removed idempotently, and dropped by id", async () => {
    const repository = `${registry.address}/leases/round-trip`;
    const store = housekeeping(repository);
    const first = {
      id: "lease-1",
      holder: "host-a 101",
      expiresAt: "2026-01-01T01:00:00.000Z",
      stages: [signature("a")],
    };
    const second = {
      id: "lease-2",
      holder: "host-b 202",
      expiresAt: "2026-01-01T02:00:00.000Z",
      stages: [signature("b"), signature("c")],
    };
    const removeFirst = await store.putLease(first);
    await store.putLease(second);
    await housekeeping(repository, "other").putLease({ ...first, id: "other-project" });
    expect(await housekeeping(repository).readLeases()).toEqual([first, second]);

    await removeFirst();
    await removeFirst();
    expect(await store.readLeases()).toEqual([second]);
    await store.dropLeases([second.id, "never-written"]);
    expect(await store.readLeases()).toEqual([]);
    // The other project's lease is untouched.
    expect(await housekeeping(repository, "other").readLeases()).toHaveLength(1);
  });

  it("refuse an id that cannot be part of a tag", async () => {
    await expect(
      housekeeping(`${registry.address}/leases/bad`).putLease({
        id: "a/b",
        holder: "h",
        expiresAt: "2026-01-01T00:00:00.000Z",
        stages: [],
      }),
    ).rejects.toSatisfy((error) => UsageError.isInstance(error));
  });
});

describe("published and foreign tags", () => {
  it("lists every tag that is no stage, record or lease, with digests and the project of stages' images", async () => {
    const repository = `${registry.address}/tags/taxi`;
    const store = housekeeping(repository);
    const stage = await pushStage(repository, "taxi", signature("1"));
    await store.addRecords([record()]);
    await store.putLease({ id: "l", holder: "h", expiresAt: "2026-01-01T00:00:00.000Z", stages: [signature("1")] });
    const published = await client.copy(`${repository}:${stageTag(signature("1"))}`, `${repository}:v1`);
    const foreign = await pushImage(client, `${repository}:other`, {
      layers: [createLayer([{ path: "f", content: "foreign" }])],
      config: { Labels: { maintainer: "someone" } },
    });
    const named = await client.copy(`${repository}:${stageTag(signature("1"))}`, `${repository}/backend:v1`);

    await client.copy(`${repository}:${stageTag(signature("1"))}`, `${repository}:v2`);

    const events: RegistryEvent[] = [];
    const counting = createRegistryClient({ env: {}, useDockerConfig: false, onEvent: (event) => events.push(event) });
    expect(await housekeeping(repository, "taxi", counting).foreignTags()).toEqual([
      { reference: `${repository}:other`, digest: foreign.digest, project: null },
      { reference: `${repository}:v1`, digest: published.digest, project: "taxi" },
      { reference: `${repository}:v2`, digest: published.digest, project: "taxi" },
    ]);
    // One listing, one manifest GET per tag, one config read per distinct config (v1 and v2 share one).
    const requests = events.flatMap((event) =>
      event.type === "request" && event.path !== "/v2/" ? [`${event.method} ${event.path.split("/")[4]}`] : [],
    );
    expect(requests.sort()).toEqual([
      "GET blobs",
      "GET blobs",
      "GET manifests",
      "GET manifests",
      "GET manifests",
      "GET tags",
    ]);
    expect(published.digest).not.toBe(stage.digest);
    expect(await store.imageTags("backend")).toEqual([
      { reference: `${repository}/backend:v1`, digest: named.digest, project: "taxi" },
    ]);
    expect(await store.imageTags("absent")).toEqual([]);
  });
});

describe("deleting stages", () => {
  it("deletes a stage whose tag still has the planned digest; absent and changed ones are reported", async () => {
    const repository = `${registry.address}/delete/taxi`;
    const store = housekeeping(repository);
    const planned = await pushStage(repository, "taxi", signature("d"));
    expect(await store.deleteStage(signature("d"), planned.digest)).toBe("deleted");
    expect(await client.headManifest(`${repository}:${stageTag(signature("d"))}`)).toBeNull();
    expect(await store.deleteStage(signature("d"), planned.digest)).toBe("absent");

    // Pushed again (another host rebuilt it) between plan and delete: kept.
    const old = await pushStage(repository, "taxi", signature("e"), "first build");
    const again = await pushStage(repository, "taxi", signature("e"), "second build");
    expect(again.digest).not.toBe(old.digest);
    expect(await store.deleteStage(signature("e"), old.digest)).toBe("changed");
    expect((await client.headManifest(`${repository}:${stageTag(signature("e"))}`))?.digest).toBe(again.digest);
  });

  it("a registry with delete disabled gives DELETE_UNSUPPORTED with the setting to change", async () => {
    const repository = `${noDelete.address}/delete/taxi`;
    const pushed = await pushStage(repository, "taxi", signature("f"));
    const failure = await housekeeping(repository)
      .deleteStage(signature("f"), pushed.digest)
      .catch((error: unknown) => error);
    expect(DeleteUnsupportedError.isInstance(failure)).toBe(true);
    expect(StorageError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({ code: "DELETE_UNSUPPORTED", status: 405 });
    expect((failure as StagesError).hint).toContain("REGISTRY_STORAGE_DELETE_ENABLED=true");
    expect((failure as Error).message).toContain("UNSUPPORTED");

    // The storage's own delete and the compaction of records say the same.
    const storage = createRegistryStagesStorage({ client, repository, project: "taxi" });
    await expect(storage.delete(signature("f"))).rejects.toMatchObject({ code: "DELETE_UNSUPPORTED" });
    const cleaner = storage.housekeeping as RegistryHousekeeping;
    await cleaner.addRecords([record()]);
    await cleaner.readRecords();
    await expect(cleaner.compactRecords([record()])).rejects.toMatchObject({ code: "DELETE_UNSUPPORTED" });
  });
});

describe("a registry that answers DELETE with a plain 404 (as older ECR did)", () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy({ host: "127.0.0.1", port: registry.port });
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  it("is not taken for a stage that was gone already", async () => {
    const repository = `${registry.address}/delete/not-found`;
    const pushed = await pushStage(repository, "taxi", signature("8"));
    proxy.inject({ fault: { kind: "status", status: 404 }, method: "DELETE", times: Number.POSITIVE_INFINITY });
    const throughProxy = createRegistryClient({ env: {}, useDockerConfig: false });
    const viaProxy = `${proxy.host}/delete/not-found`;
    const failure = await housekeeping(viaProxy, "taxi", throughProxy)
      .deleteStage(signature("8"), pushed.digest)
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "DELETE_UNSUPPORTED" });
    expect((failure as Error).message).toContain("still serves it");
    expect(proxy.applied.map((fault) => fault.method)).toEqual(["DELETE"]);
  });
});

describe("deleting without the delete right", () => {
  let tokens: TokenServer;
  let server: RegistryServer;
  beforeAll(async () => {
    tokens = await startTokenServer({
      username: "pusher",
      password: "SENTINEL-pusher-pw-5e1d",
      deniedActions: ["delete"],
    });
    server = await startRegistryServer({
      tokenAuth: {
        realm: tokens.realm,
        service: tokens.service,
        issuer: tokens.issuer,
        certificatePath: tokens.certificatePath,
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await tokens?.stop();
  });

  it("is an authentication error naming the delete right, without the password", async () => {
    const pusher = createRegistryClient({
      env: {},
      useDockerConfig: false,
      credentials: { [server.host]: { username: "pusher", password: "SENTINEL-pusher-pw-5e1d" } },
    });
    const repository = `${server.host}/rights/taxi`;
    const labels = stageLabelsFor({
      project: "taxi",
      image: null,
      stage: "from",
      signature: signature("9"),
      parent: null,
      carried: null,
    });
    const pushed = await pushImage(pusher, `${repository}:${stageTag(signature("9"))}`, {
      layers: [createLayer([{ path: "x", content: "x" }])],
      config: { Labels: labels },
    });
    const failure = await createRegistryHousekeeping({ client: pusher, repository, project: "taxi" })
      .deleteStage(signature("9"), pushed.digest)
      .catch((error: unknown) => error);
    expect(AuthenticationError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toContain("needs the delete right");
    expect((failure as StagesError).hint).toContain("repository:rights/taxi:delete");
    expect(JSON.stringify({ message: (failure as Error).message, hint: (failure as StagesError).hint })).not.toContain(
      "SENTINEL",
    );
  });
});
