import { AbortedError, type Lock, lockSpecificationVersion } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Two locks over one backing store (two hosts), and how to clean up. */
export interface LockFixture {
  lock: Lock;
  /** Another instance on the same store, as a second host would make it. */
  other: Lock;
  cleanup?(): Promise<void>;
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The conformance suite of Lock (contract v2): one holder per key across instances, keys
 * independent, a waiter let in on release, `abandonWhen` ends a wait with null without taking the
 * key, an abort ends it with AbortedError. Keys are unique per run, so a shared server does.
 */
export function testLock(name: string, createFixture: () => Promise<LockFixture>): void {
  describe(`Lock conformance: ${name}`, () => {
    let fixture: LockFixture;
    const run = Math.random().toString(36).slice(2, 10);
    const key = (what: string) => `stage:conformance-${run}:${what}`;
    beforeAll(async () => {
      fixture = await createFixture();
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
    });

    it("declares the v2 contract", () => {
      expect(fixture.lock.specificationVersion).toBe(lockSpecificationVersion);
      expect(fixture.other.specificationVersion).toBe(lockSpecificationVersion);
    });

    it("lets one instance hold a key at a time and the waiter in once it is released", async () => {
      const first = await fixture.lock.acquire(key("one"));
      expect(first).not.toBeNull();
      let second = false;
      const waiting = fixture.other.acquire(key("one"), { pollMs: 20 }).then((handle) => {
        second = true;
        return handle;
      });
      await tick(150);
      expect(second).toBe(false);
      await first?.release();
      const handle = await waiting;
      expect(handle).not.toBeNull();
      await handle?.release();
    });

    it("keeps keys independent", async () => {
      const a = await fixture.lock.acquire(key("a"));
      const b = await fixture.other.acquire(key("b"));
      expect(a).not.toBeNull();
      expect(b).not.toBeNull();
      await Promise.all([a?.release(), b?.release()]);
    });

    it("ends a wait with null once abandonWhen says the work is done, without taking the key", async () => {
      const held = await fixture.lock.acquire(key("abandon"));
      let done = false;
      let asked = 0;
      const waiting = fixture.other.acquire(key("abandon"), {
        pollMs: 20,
        abandonWhen: async () => {
          asked++;
          return done;
        },
      });
      await tick(100);
      done = true;
      expect(await waiting).toBeNull();
      expect(asked).toBeGreaterThan(1);
      // The key is still the holder's: nobody else gets in until it is released.
      let other = false;
      const next = fixture.other.acquire(key("abandon"), { pollMs: 20 }).then((handle) => {
        other = true;
        return handle;
      });
      await tick(100);
      expect(other).toBe(false);
      await held?.release();
      await (await next)?.release();
    });

    it("rejects a waiter with AbortedError when its signal aborts, and an acquire aborted before it starts", async () => {
      const held = await fixture.lock.acquire(key("abort"));
      const controller = new AbortController();
      const waiting = fixture.other.acquire(key("abort"), { pollMs: 20, signal: controller.signal });
      await tick(50);
      controller.abort();
      await expect(waiting).rejects.toSatisfy(AbortedError.isInstance);
      await expect(fixture.other.acquire(key("abort-early"), { signal: controller.signal })).rejects.toSatisfy(
        AbortedError.isInstance,
      );
      await held?.release();
      // The aborted waiter took nothing: the key is free once released.
      const again = await fixture.other.acquire(key("abort"));
      expect(again).not.toBeNull();
      await again?.release();
    });
  });
}
