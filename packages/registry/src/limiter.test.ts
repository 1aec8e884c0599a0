import { AbortedError } from "@stages/core";
import { describe, expect, it } from "vitest";
import { createLimiter } from "./limiter.js";

describe("createLimiter", () => {
  it("lets at most `maximum` holders in and hands slots over in order", async () => {
    const limiter = createLimiter(2);
    const first = await limiter.acquire();
    await limiter.acquire();
    const order: number[] = [];
    const third = limiter.acquire().then((release) => {
      order.push(3);
      return release;
    });
    const fourth = limiter.acquire().then((release) => {
      order.push(4);
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(order).toEqual([]);
    expect(limiter.active).toBe(2);
    first();
    first();
    (await third)();
    await fourth;
    expect(order).toEqual([3, 4]);
    expect(limiter.active).toBe(2);
  });

  it("stops waiting when the signal aborts", async () => {
    const limiter = createLimiter(1);
    const release = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toSatisfy((error) => AbortedError.isInstance(error));
    release();
    expect(limiter.active).toBe(0);
  });
});
