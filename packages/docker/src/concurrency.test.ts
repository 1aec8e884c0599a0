import { describe, expect, it } from "vitest";
import { mapOrdered } from "./concurrency.js";

describe("mapOrdered", () => {
  it("yields results in order with a bounded number of calls in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const results: number[] = [];
    const items = Array.from({ length: 20 }, (_, index) => index);
    for await (const value of mapOrdered(items, 4, async (item) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, (item * 7) % 5));
      inFlight -= 1;
      return item * 2;
    })) {
      results.push(value);
    }
    expect(results).toEqual(items.map((item) => item * 2));
    expect(most).toBeLessThanOrEqual(4);
  });

  it("rethrows the first failure in order", async () => {
    const run = async () => {
      for await (const _ of mapOrdered([1, 2, 3], 2, async (item) => {
        if (item === 2) throw new Error("two failed");
        return item;
      })) {
        // consume
      }
    };
    await expect(run()).rejects.toThrow("two failed");
  });
});
