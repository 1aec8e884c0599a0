import { AbortedError, EngineError, RegistryError, type StagesError } from "@stages/core";
import { describe, expect, it } from "vitest";
import type { EngineTransferPolicy } from "./transfer-retry.js";
import { isProgressMessage, isTransientEngineFailure, retryEngineTransfer } from "./transfer-retry.js";

const failure = (text: string) => new EngineError(`[docker] push of r/x:t failed: ${text}`);

describe("isTransientEngineFailure", () => {
  it.each([
    "read tcp 127.0.0.1:5->127.0.0.1:6: read: connection reset by peer",
    "Patch http://127.0.0.1:5831/v2/x/blobs/uploads/1: EOF",
    "write tcp: broken pipe",
    "received unexpected HTTP status: 503 Service Unavailable",
    "toomanyrequests: Too Many Requests",
    "net/http: TLS handshake timeout",
    "Get http://r/v2/: dial tcp: i/o timeout",
    "unknown: error parsing HTTP 429 response body: unexpected end of JSON input",
    "blob upload unknown",
    "unexpected EOF",
    // An answer cut inside its headers (the reliability suite's truncated bodies).
    'Head "http://127.0.0.1:5831/v2/x/blobs/sha256:ab": net/http: HTTP/1.x transport connection broken: malformed MIME header: missing colon: "Content-Ty"',
  ])("retries %s", (text) => {
    expect(isTransientEngineFailure(failure(text))).toBe(true);
  });

  it.each([
    "unauthorized: authentication required",
    "denied: requested access to the resource is denied",
    "manifest unknown: manifest unknown",
    "manifest invalid: manifest invalid",
    "no basic auth credentials",
    'Get "http://localhost:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused',
    "An image does not exist locally with the tag: r/x",
    "name unknown: repository name not known to registry",
    "[docker] no Docker Engine answers at unix:///x (ECONNRESET): start dockerd or set DOCKER_HOST",
  ])("does not retry %s", (text) => {
    expect(isTransientEngineFailure(failure(text))).toBe(false);
  });

  it("never retries an abort", () => {
    expect(isTransientEngineFailure(new AbortedError("the operation was cancelled"))).toBe(false);
  });
});

describe("isProgressMessage", () => {
  it("does not count the engine's retry countdown as progress", () => {
    expect(
      isProgressMessage({
        kind: "layer",
        progress: { id: "a", status: "Retrying in 3 seconds", current: null, total: null },
      }),
    ).toBe(false);
    expect(isProgressMessage({ kind: "layer", progress: { id: "a", status: "Pushing", current: 1, total: 2 } })).toBe(
      true,
    );
    expect(
      isProgressMessage({ kind: "layer", progress: { id: "a", status: "Preparing", current: null, total: null } }),
    ).toBe(false);
    expect(isProgressMessage({ kind: "status", text: "The push refers to repository [r/x]" })).toBe(false);
    expect(isProgressMessage({ kind: "digest", digest: "sha256:1" })).toBe(true);
  });
});

const fast: EngineTransferPolicy = {
  attempts: 4,
  initialBackoffMs: 5,
  maxBackoffMs: 20,
  stallTimeoutMs: 10_000,
  unresponsiveTimeoutMs: 10_000,
  settleMs: 0,
  random: () => 0.5,
};

describe("retryEngineTransfer", () => {
  it("retries transient failures until an attempt succeeds", async () => {
    let calls = 0;
    const result = await retryEngineTransfer("push of x", "r", fast, undefined, async () => {
      calls++;
      if (calls < 3) throw failure("received unexpected HTTP status: 503 Service Unavailable");
      return "done";
    });
    expect(result).toBe("done");
    expect(calls).toBe(3);
  });

  it("gives up after the last attempt, and at once on a permanent failure", async () => {
    let calls = 0;
    await expect(
      retryEngineTransfer("push of x", "r", fast, undefined, async () => {
        calls++;
        throw failure("EOF");
      }),
    ).rejects.toThrow(/EOF/);
    expect(calls).toBe(4);
    calls = 0;
    await expect(
      retryEngineTransfer("push of x", "r", fast, undefined, async () => {
        calls++;
        throw failure("unauthorized: authentication required");
      }),
    ).rejects.toThrow(/unauthorized/);
    expect(calls).toBe(1);
  });

  it("abandons a silent attempt and fails naming the host once the registry stayed silent too long", async () => {
    const started = Date.now();
    let calls = 0;
    const error = await retryEngineTransfer(
      "push of r:5/x:t",
      "r:5",
      { ...fast, attempts: 10, stallTimeoutMs: 60, unresponsiveTimeoutMs: 200 },
      undefined,
      ({ signal }) => {
        calls++;
        return new Promise((_, reject) => signal.addEventListener("abort", () => reject(new AbortedError("stalled"))));
      },
    ).catch((caught: unknown) => caught);
    expect(RegistryError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/the registry r:5 did not answer/);
    expect((error as StagesError).hint).toContain("r:5");
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(calls).toBeGreaterThan(1);
  });

  it("stops waiting between attempts when the caller aborts", async () => {
    const controller = new AbortController();
    const slow = { ...fast, initialBackoffMs: 10_000, maxBackoffMs: 10_000 };
    setTimeout(() => controller.abort(), 30);
    const started = Date.now();
    const error = await retryEngineTransfer("pull of x", "r", slow, controller.signal, async () => {
      throw failure("EOF");
    }).catch((caught: unknown) => caught);
    expect(AbortedError.isInstance(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
