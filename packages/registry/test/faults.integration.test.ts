import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AbortedError, RegistryError } from "@stages/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createRegistryClient,
  type RegistryClient,
  type RegistryClientOptions,
  RegistryConnectionError,
  type RegistryEvent,
  RegistryResponseError,
  sha256Digest,
} from "../src/index.js";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.js";
import { type RegistryServer, startRegistryServer } from "./registry-server.js";

let server: RegistryServer;
let proxy: FaultProxy;
let events: RegistryEvent[] = [];

beforeAll(async () => {
  server = await startRegistryServer();
  proxy = await startFaultProxy({ host: "127.0.0.1", port: server.port });
});

afterAll(async () => {
  await proxy?.stop();
  await server?.stop();
});

afterEach(() => {
  proxy.clear();
});

function client(options: RegistryClientOptions = {}): RegistryClient {
  events = [];
  return createRegistryClient({
    env: {},
    useDockerConfig: false,
    retry: { retries: 3, baseDelayMs: 20, maxDelayMs: 200 },
    onEvent: (event) => events.push(event),
    ...options,
  });
}

function retries() {
  return events.filter((event): event is Extract<RegistryEvent, { type: "retry" }> => event.type === "retry");
}

const blob = Buffer.from("a blob behind a flaky network".repeat(50));
const digest = sha256Digest(blob);

describe("retries through a fault-injecting TCP proxy", () => {
  beforeAll(async () => {
    await createRegistryClient({ env: {}, useDockerConfig: false }).uploadBlob(`${server.host}/flaky/repo`, blob);
  });

  it("retries after connection resets and succeeds", async () => {
    const flaky = client();
    await flaky.ping(proxy.host);
    proxy.inject({ fault: { kind: "reset" }, method: "GET", path: /\/blobs\//, times: 2 });
    expect(Buffer.from(await flaky.readBlob(`${proxy.host}/flaky/repo`, digest)).equals(blob)).toBe(true);
    expect(proxy.applied).toHaveLength(2);
    expect(retries().map((event) => event.reason)).toEqual([
      expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET|other side closed/),
      expect.any(String),
    ]);
  });

  it("reads a blob again when its body is cut off halfway, and keeps nothing of the broken read", async () => {
    const flaky = client();
    const large = Buffer.alloc(256 * 1024);
    for (let index = 0; index < large.byteLength; index++) large[index] = (index * 31) % 256;
    const { digest: largeDigest } = await flaky.uploadBlob(`${proxy.host}/flaky/repo`, large);
    proxy.inject({ fault: { kind: "cut-answer", bytes: 64 * 1024 }, method: "GET", path: /\/blobs\// });
    expect(Buffer.from(await flaky.readBlob(`${proxy.host}/flaky/repo`, largeDigest)).equals(large)).toBe(true);
    proxy.inject({ fault: { kind: "cut-answer", bytes: 100 * 1024 }, method: "GET", path: /\/blobs\// });
    const directory = mkdtempSync(join(tmpdir(), "stages-cut-"));
    try {
      const path = join(directory, "blob");
      expect(await flaky.downloadBlob(`${proxy.host}/flaky/repo`, largeDigest, path)).toEqual({
        digest: largeDigest,
        size: large.byteLength,
      });
      expect(readFileSync(path).equals(large)).toBe(true);
      expect(readdirSync(directory)).toEqual(["blob"]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
    expect(proxy.applied.filter((fault) => fault.kind === "cut-answer")).toHaveLength(2);
  });

  it("honors Retry-After of a 429", async () => {
    const flaky = client();
    await flaky.ping(proxy.host);
    proxy.inject({ fault: { kind: "status", status: 429, headers: { "Retry-After": "1" } }, method: "HEAD" });
    const started = Date.now();
    expect(await flaky.headBlob(`${proxy.host}/flaky/repo`, digest)).toEqual({ digest, size: blob.byteLength });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(retries()).toEqual([expect.objectContaining({ reason: "429", delayMs: 1000 })]);
  });

  it("retries a 503 and succeeds", async () => {
    const flaky = client();
    proxy.inject({ fault: { kind: "status", status: 503 }, method: "HEAD", times: 3 });
    expect(await flaky.headBlob(`${proxy.host}/flaky/repo`, digest)).not.toBeNull();
    expect(retries()).toHaveLength(3);
  });

  it("gives up cleanly after the limit with a clear error", async () => {
    const flaky = client({ retry: { retries: 2, baseDelayMs: 10 } });
    await flaky.ping(proxy.host);
    proxy.inject({ fault: { kind: "status", status: 503 }, method: "HEAD", times: Number.POSITIVE_INFINITY });
    const failure = await flaky.headBlob(`${proxy.host}/flaky/repo`, digest).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RegistryResponseError);
    expect(RegistryError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toBe(
      `[registry] 503 from ${proxy.host} for HEAD /v2/flaky/repo/blobs/${digest} (gave up after 3 attempts)`,
    );
    proxy.clear();

    proxy.inject({ fault: { kind: "reset" }, method: "GET", path: /\/manifests\//, times: Number.POSITIVE_INFINITY });
    const reset = await flaky.getManifest(`${proxy.host}/flaky/repo:x`).catch((error: unknown) => error);
    expect(reset).toBeInstanceOf(RegistryConnectionError);
    expect((reset as Error).message).toMatch(
      new RegExp(
        `^\\[registry\\] connection to ${proxy.host} failed for GET /v2/flaky/repo/manifests/x: \\S+ \\(gave up after 3 attempts\\)$`,
      ),
    );
    expect((reset as { hint?: string }).hint).toMatch(/reachable/);
  });

  it("times out a request that gets no answer, and the retry succeeds", async () => {
    const flaky = client({ timeoutMs: 300 });
    await flaky.ping(proxy.host);
    proxy.inject({ fault: { kind: "stall" }, method: "HEAD" });
    expect(await flaky.headBlob(`${proxy.host}/flaky/repo`, digest)).not.toBeNull();
    expect(retries()[0]?.reason).toMatch(/no answer within/);
  });

  it("gives up on a registry that never answers after a second silent attempt, naming it", async () => {
    const flaky = client({ timeoutMs: 300, retry: { retries: 4, baseDelayMs: 10 } });
    await flaky.ping(proxy.host);
    proxy.inject({ fault: { kind: "stall" }, method: "HEAD", times: Number.POSITIVE_INFINITY });
    const stallsBefore = proxy.applied.filter((applied) => applied.kind === "stall").length;
    const started = Date.now();
    await expect(flaky.headBlob(`${proxy.host}/flaky/repo`, digest)).rejects.toThrow(
      `[registry] connection to ${proxy.host} failed for HEAD /v2/flaky/repo/blobs/${digest}: no answer within 300 ms (gave up after 2 attempts)`,
    );
    // Two silent attempts of 300 ms, not five.
    expect(Date.now() - started).toBeLessThan(1500);
    expect(proxy.applied.filter((applied) => applied.kind === "stall").length - stallsBefore).toBe(2);
  });

  it("cancels the wait between retries when the signal aborts", async () => {
    const flaky = client({ retry: { retries: 5, baseDelayMs: 5000 } });
    await flaky.ping(proxy.host);
    proxy.inject({ fault: { kind: "status", status: 503 }, method: "HEAD", times: Number.POSITIVE_INFINITY });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(flaky.headBlob(`${proxy.host}/flaky/repo`, digest, { signal: controller.signal })).rejects.toSatisfy(
      (error) => AbortedError.isInstance(error),
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("resumable uploads through the proxy", () => {
  const big = Buffer.alloc(200 * 1024);
  for (let index = 0; index < big.byteLength; index++) big[index] = (index * 13) % 256;

  it("resumes a chunked upload from the offset the registry confirms after a dropped connection", async () => {
    const flaky = client();
    let patches = 0;
    const repository = `${proxy.host}/resume/one`;
    // The third PATCH is reset before it reaches the registry: the session survives and is resumed.
    const result = await flaky.uploadBlob(repository, big, {
      chunkSize: 32 * 1024,
      onProgress: () => {
        patches++;
        if (patches === 2) proxy.inject({ fault: { kind: "reset" }, method: "PATCH" });
      },
    });
    expect(result.outcome).toBe("uploaded");
    expect(proxy.applied.filter((fault) => fault.method === "PATCH").length).toBeGreaterThanOrEqual(1);
    const resumed = events.find((event) => event.type === "upload-resume");
    expect(resumed).toEqual(expect.objectContaining({ offset: 64 * 1024 }));
    expect(events.some((event) => event.type === "upload-restart")).toBe(false);
    expect(Buffer.from(await flaky.readBlob(repository, result.digest)).equals(big)).toBe(true);
  });

  it("starts over when a chunk broke off halfway and the registry lost the session", async () => {
    const flaky = client();
    const repository = `${proxy.host}/resume/two`;
    let patches = 0;
    const result = await flaky.uploadBlob(repository, big, {
      chunkSize: 32 * 1024,
      onProgress: () => {
        patches++;
        if (patches === 1) proxy.inject({ fault: { kind: "reset-after", bytes: 20 * 1024 }, method: "PATCH" });
      },
    });
    expect(result.outcome).toBe("uploaded");
    // Distribution keeps the half-written bytes but not the session state: the upload status GET
    // fails, so the client starts a new session instead of resuming.
    expect(events.filter((event) => event.type === "upload-restart")).toHaveLength(1);
    expect(Buffer.from(await flaky.readBlob(repository, result.digest)).equals(big)).toBe(true);
  });

  it("starts a monolithic upload over after a reset", async () => {
    const flaky = client();
    const repository = `${proxy.host}/resume/three`;
    const small = Buffer.from("small blob, one PUT".repeat(10));
    await flaky.ping(proxy.host);
    proxy.inject({ fault: { kind: "reset" }, method: "PUT", path: /\/blobs\/uploads\// });
    const result = await flaky.uploadBlob(repository, small);
    expect(result.outcome).toBe("uploaded");
    expect(events.filter((event) => event.type === "upload-restart")).toHaveLength(1);
    expect(Buffer.from(await flaky.readBlob(repository, result.digest)).equals(small)).toBe(true);
  });

  it("gives up an upload after the retry limit", async () => {
    const flaky = client({ retry: { retries: 2, baseDelayMs: 5 } });
    await flaky.ping(proxy.host);
    proxy.inject({ fault: { kind: "reset" }, method: "PATCH", times: Number.POSITIVE_INFINITY });
    const failure = await flaky
      .uploadBlob(`${proxy.host}/resume/four`, big, { chunkSize: 64 * 1024 })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RegistryConnectionError);
    expect((failure as Error).message).toMatch(
      /connection to .* failed for PATCH \/v2\/resume\/four\/blobs\/uploads\//,
    );
  });
});

describe("bounded concurrency", () => {
  it("never has more requests in flight to one registry than allowed", async () => {
    let inFlight = 0;
    let highest = 0;
    const counting: typeof fetch = async (input, init) => {
      inFlight++;
      highest = Math.max(highest, inFlight);
      try {
        const response = await fetch(input, init);
        // Hold the slot a little so that requests overlap.
        await new Promise((resolve) => setTimeout(resolve, 20));
        return response;
      } finally {
        inFlight--;
      }
    };
    const limited = client({ fetch: counting, maxConcurrentRequests: 2 });
    await limited.ping(server.host);
    highest = 0;
    await Promise.all(Array.from({ length: 12 }, () => limited.headBlob(`${server.host}/flaky/repo`, digest)));
    expect(highest).toBe(2);
  });
});
