import { describe, expect, it } from "vitest";
import { createLimiter, forEachLimited, mapOrdered } from "./concurrency.js";
import { AbortedError } from "./errors.js";

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Work that records when each call starts and ends; items named in `failing` throw after `delay(item)`. */
function recorder(delay: (item: number) => number, failing: readonly number[] = []) {
  const events: string[] = [];
  let running = 0;
  let most = 0;
  const work = async (item: number) => {
    events.push(`start ${item}`);
    running += 1;
    most = Math.max(most, running);
    await sleep(delay(item));
    running -= 1;
    events.push(`end ${item}`);
    if (failing.includes(item)) throw new Error(`item ${item} failed`);
    return item * 2;
  };
  return {
    events,
    work,
    get most() {
      return most;
    },
    get running() {
      return running;
    },
  };
}

describe("forEachLimited", () => {
  it("runs every item with at most `limit` at a time, starting them in order", async () => {
    const run = recorder((item) => (item * 7) % 5);
    await forEachLimited([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3, async (item) => {
      await run.work(item);
    });
    expect(run.most).toBe(3);
    expect(run.events.filter((event) => event.startsWith("start"))).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((item) => `start ${item}`),
    );
    expect(run.events.filter((event) => event.startsWith("end"))).toHaveLength(10);
  });

  it("stops starting items after the first failure, waits for the running ones, and rethrows the first", async () => {
    // 1 fails first (after 5 ms); 0 and 2 are still running then and 2 fails later too.
    const run = recorder((item) => (item === 1 ? 5 : 30), [1, 2]);
    await expect(forEachLimited([0, 1, 2, 3, 4], 3, async (item) => void (await run.work(item)))).rejects.toThrow(
      "item 1 failed",
    );
    expect(run.running).toBe(0);
    expect(run.events).toContain("end 0");
    expect(run.events).toContain("end 2");
    expect(run.events).not.toContain("start 3");
    expect(run.events).not.toContain("start 4");
  });

  it("does nothing for no items", async () => {
    await forEachLimited([], 4, async () => {
      throw new Error("never called");
    });
  });
});

describe("mapOrdered", () => {
  it("yields results in order with a bounded number of calls in flight", async () => {
    const run = recorder((item) => (item * 7) % 5);
    const items = Array.from({ length: 20 }, (_, index) => index);
    const results: number[] = [];
    for await (const value of mapOrdered(items, 4, run.work)) results.push(value);
    expect(results).toEqual(items.map((item) => item * 2));
    expect(run.most).toBeLessThanOrEqual(4);
  });

  it("rethrows the first failure", async () => {
    const consume = async () => {
      for await (const _ of mapOrdered([1, 2, 3], 2, async (item) => {
        if (item === 2) throw new Error("two failed");
        return item;
      })) {
        // consume
      }
    };
    await expect(consume()).rejects.toThrow("two failed");
  });

  it("waits for the calls still running before it rethrows, and starts no more", async () => {
    const run = recorder((item) => (item === 0 ? 5 : 30), [0]);
    const consume = async () => {
      for await (const _ of mapOrdered([0, 1, 2, 3, 4, 5], 3, run.work)) {
        // consume
      }
    };
    await expect(consume()).rejects.toThrow("item 0 failed");
    expect(run.running).toBe(0);
    expect(run.events).toEqual(["start 0", "start 1", "start 2", "end 0", "end 1", "end 2"]);
  });

  it("stops calling and waits for running calls when the consumer stops early", async () => {
    const run = recorder(() => 10);
    for await (const value of mapOrdered([0, 1, 2, 3, 4, 5, 6, 7], 3, run.work)) {
      if (value === 2) break;
    }
    expect(run.running).toBe(0);
    expect(run.events.filter((event) => event.startsWith("start")).length).toBeLessThanOrEqual(5);
  });
});

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
    await sleep(5);
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
