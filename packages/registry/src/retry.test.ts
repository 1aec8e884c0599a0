import { AbortedError } from "@stages/core";
import { sleep } from "@stages/core/internal";
import { describe, expect, it } from "vitest";
import { parseRetryAfter, resolveRetryOptions, retryDelay } from "./retry.js";

describe("retryDelay", () => {
  it("doubles from the base delay, with jitter between half and all of it", () => {
    const low = resolveRetryOptions({ baseDelayMs: 100, random: () => 0 });
    const high = resolveRetryOptions({ baseDelayMs: 100, random: () => 1 });
    expect([1, 2, 3, 4].map((retry) => retryDelay(retry, low))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((retry) => retryDelay(retry, high))).toEqual([100, 200, 400, 800]);
  });

  it("stays under the maximum", () => {
    const options = resolveRetryOptions({ baseDelayMs: 1000, maxDelayMs: 3000, random: () => 1 });
    expect(retryDelay(10, options)).toBe(3000);
  });

  it("waits at least what Retry-After asks, up to its own bound", () => {
    const options = resolveRetryOptions({ baseDelayMs: 10, maxRetryAfterMs: 5000, random: () => 0 });
    expect(retryDelay(1, options, 2000)).toBe(2000);
    expect(retryDelay(1, options, 600_000)).toBe(5000);
    expect(retryDelay(1, options, 0)).toBe(5);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(" 0 ")).toBe(0);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
  });

  it("ignores what it cannot read", () => {
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter("soon")).toBeNull();
  });
});

describe("sleep", () => {
  it("rejects with AbortedError when the signal aborts", async () => {
    const controller = new AbortController();
    const waiting = sleep(10_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toSatisfy((error) => AbortedError.isInstance(error));
    await expect(sleep(1, controller.signal)).rejects.toSatisfy((error) => AbortedError.isInstance(error));
  });
});
