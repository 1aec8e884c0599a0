import { createServer } from "node:net";
import { AbortedError, type LockHandle, UsageError } from "@stages/core";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type OwnRedis, sharedRedisUrl, startOwnRedis, uniqueKey } from "../test/redis-server.js";
import { createRedisLock, type RedisLock, redisLockKeyPrefix } from "./redis-lock.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Locks and clients a test opened, closed after it whatever happened.
const opened: RedisLock[] = [];
function lockOf(options: Omit<Parameters<typeof createRedisLock>[0], "url"> & { url?: string } = {}): RedisLock {
  const lock = createRedisLock({ url: sharedRedisUrl(), pollMs: 50, ...options });
  opened.push(lock);
  return lock;
}
let redis: Redis;
beforeAll(() => {
  redis = new Redis(sharedRedisUrl());
});
afterAll(() => redis.quit());
afterEach(async () => {
  await Promise.all(opened.splice(0).map((lock) => lock.close()));
});

function held(handle: LockHandle | null): LockHandle {
  if (handle === null) throw new Error("acquire resolved null");
  return handle;
}

describe("createRedisLock against the test environment's Redis", () => {
  it("lets one of two lock instances hold a key at a time, and the waiter in once it is released", async () => {
    const key = uniqueKey("exclusion");
    const [first, second] = [lockOf(), lockOf()];
    const handle = held(await first.acquire(key));
    expect(await redis.get(`${redisLockKeyPrefix}${key}`)).toMatch(/:\d+:[0-9a-f]{32}$/);
    let secondHolds = false;
    const waiting = second.acquire(key).then((handle) => {
      secondHolds = true;
      return handle;
    });
    await sleep(400);
    expect(secondHolds).toBe(false);
    const releasedAt = Date.now();
    await handle.release();
    const secondHandle = held(await waiting);
    expect(Date.now() - releasedAt).toBeLessThan(1000);
    // Another key is independent of the held one.
    held(await first.acquire(uniqueKey("other"))).release();
    await secondHandle.release();
    expect(await redis.exists(`${redisLockKeyPrefix}${key}`)).toBe(0);
  });

  it("releases only its own token: a key that expired and was taken by another is left alone", async () => {
    const key = uniqueKey("owner");
    const lost: string[] = [];
    const lock = lockOf({ ttlMs: 300, renewMs: 10_000, onLost: (message) => lost.push(message) });
    const handle = held(await lock.acquire(key));
    await sleep(450);
    // The key expired (no renewal in time): someone else takes it.
    expect(await redis.set(`${redisLockKeyPrefix}${key}`, "another-host", "PX", 10_000, "NX")).toBe("OK");
    await handle.release();
    expect(await redis.get(`${redisLockKeyPrefix}${key}`)).toBe("another-host");
    await redis.del(`${redisLockKeyPrefix}${key}`);
  });

  it("renews a long holder (ttl 1 s, held 3 s) so no waiter gets in", async () => {
    const key = uniqueKey("renewal");
    const lost: string[] = [];
    const holder = lockOf({ ttlMs: 1000, onLost: (message) => lost.push(message) });
    const handle = held(await holder.acquire(key));
    const waiter = lockOf();
    let waiterHolds = false;
    const waiting = waiter.acquire(key).then((handle) => {
      waiterHolds = true;
      return handle;
    });
    await sleep(3000);
    expect(waiterHolds).toBe(false);
    expect(await redis.pttl(`${redisLockKeyPrefix}${key}`)).toBeGreaterThan(300);
    await handle.release();
    await held(await waiting).release();
    expect(lost).toEqual([]);
  });

  it("tells once that a held key was lost when renewal finds another token, and does not delete it", async () => {
    const key = uniqueKey("lost");
    const lost: string[] = [];
    const unavailable: string[] = [];
    const lock = lockOf({
      ttlMs: 1000,
      renewMs: 100,
      onLost: (message) => lost.push(message),
      onUnavailable: (message) => unavailable.push(message),
    });
    const handle = held(await lock.acquire(key));
    await redis.set(`${redisLockKeyPrefix}${key}`, "another-host", "PX", 10_000);
    await sleep(400);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toContain(`lost the lock on ${key}`);
    await handle.release();
    expect(await redis.get(`${redisLockKeyPrefix}${key}`)).toBe("another-host");
    expect(unavailable).toEqual([]);
    // The lock itself still works for other keys.
    await held(await lock.acquire(uniqueKey("after-lost"))).release();
    await redis.del(`${redisLockKeyPrefix}${key}`);
  });

  it("frees the keys still held when it is closed (a command stopped midway), so others need not wait out the TTL", async () => {
    const key = uniqueKey("closed");
    const lock = createRedisLock({ url: sharedRedisUrl() });
    const handle = held(await lock.acquire(key));
    await lock.close();
    expect(await redis.exists(`${redisLockKeyPrefix}${key}`)).toBe(0);
    // The build's own release after close is harmless.
    await handle.release();
    await expect(lock.acquire(key)).rejects.toSatisfy((error: unknown) => UsageError.isInstance(error));
  });

  it("rejects a waiter when its lock is closed, without telling that Redis is unavailable", async () => {
    const key = uniqueKey("close-waiter");
    const holder = held(await lockOf().acquire(key));
    const messages: string[] = [];
    const lock = createRedisLock({ url: sharedRedisUrl(), pollMs: 50, onUnavailable: (m) => messages.push(m) });
    const waiting = lock.acquire(key).catch((error: unknown) => error);
    await sleep(150);
    await lock.close();
    expect(UsageError.isInstance(await waiting)).toBe(true);
    expect(messages).toEqual([]);
    expect(await redis.exists(`${redisLockKeyPrefix}${key}`)).toBe(1);
    await holder.release();
  });

  it("stops a waiter once abandonWhen says the work was done elsewhere, without taking the key", async () => {
    const key = uniqueKey("abandon");
    const holder = held(await lockOf().acquire(key));
    let asked = 0;
    const started = Date.now();
    const result = await lockOf().acquire(key, {
      pollMs: 20,
      abandonWhen: async () => {
        asked += 1;
        return Date.now() - started > 200;
      },
    });
    expect(result).toBeNull();
    expect(asked).toBeGreaterThan(3);
    expect(await redis.get(`${redisLockKeyPrefix}${key}`)).not.toBeNull();
    await holder.release();
  });

  it("rejects a waiter with AbortedError when its signal aborts, and an acquire aborted before it starts", async () => {
    const key = uniqueKey("abort");
    const holder = held(await lockOf().acquire(key));
    const controller = new AbortController();
    const waiting = lockOf().acquire(key, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stopped by the test")), 150);
    const error = await waiting.catch((error: unknown) => error);
    expect(AbortedError.isInstance(error)).toBe(true);
    await expect(lockOf().acquire(uniqueKey("aborted"), { signal: controller.signal })).rejects.toSatisfy(
      (error: unknown) => AbortedError.isInstance(error),
    );
    await holder.release();
  });
});

describe("createRedisLock when Redis cannot be used", () => {
  it("tells once that a refused address is unreachable, then gives handles that hold nothing", async () => {
    const messages: string[] = [];
    const lock = lockOf({ url: "redis://127.0.0.1:5849", onUnavailable: (message) => messages.push(message) });
    const started = Date.now();
    const handles = await Promise.all([lock.acquire("a"), lock.acquire("a"), lock.acquire("b")]);
    await (await lock.acquire("a"))?.release();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(handles.every((handle) => handle !== null)).toBe(true);
    await Promise.all(handles.map((handle) => handle?.release()));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/127\.0\.0\.1:5849.*ECONNREFUSED.*building without the lock/);
  });

  it("tells that a database the server does not have cannot be used, rather than locking in database 0", async () => {
    const messages: string[] = [];
    const url = `${sharedRedisUrl().replace(/\/\d*$/, "")}/99`;
    const lock = lockOf({ url, onUnavailable: (message) => messages.push(message) });
    const key = uniqueKey("database");
    expect(await lock.acquire(key)).not.toBeNull();
    expect(await redis.exists(`${redisLockKeyPrefix}${key}`)).toBe(0);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("DB index is out of range");
  });

  it("gives up within connectTimeoutMs on a server that accepts connections and never answers", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(5842, "127.0.0.1", resolve));
    try {
      const messages: string[] = [];
      const lock = lockOf({
        url: "redis://127.0.0.1:5842",
        connectTimeoutMs: 500,
        onUnavailable: (message) => messages.push(message),
      });
      const started = Date.now();
      expect(await lock.acquire("a")).not.toBeNull();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain("127.0.0.1:5842");
      expect(messages[0]).toContain("500 ms");
      expect(messages[0]).toContain("building without the lock");
      await lock.close();
    } finally {
      silent.close();
    }
  });

  describe("with a Redis of its own", () => {
    const password = "lock-test-s3cret-password";
    let own: OwnRedis;
    beforeAll(async () => {
      own = await startOwnRedis({ port: 5840, password });
    });
    afterAll(() => own?.stop());

    it("uses the password of the URL, and a wrong one is one message that never shows it", async () => {
      const right = lockOf({ url: `redis://default:${password}@127.0.0.1:5840/2` });
      const key = uniqueKey("auth");
      await held(await right.acquire(key)).release();

      const messages: string[] = [];
      const wrongPassword = "wrong-s3cret-password";
      const wrong = lockOf({
        url: `redis://default:${wrongPassword}@127.0.0.1:5840`,
        onUnavailable: (message) => messages.push(message),
      });
      expect(await wrong.acquire(key)).not.toBeNull();
      expect(await wrong.acquire(key)).not.toBeNull();
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/127\.0\.0\.1:5840.*(WRONGPASS|invalid).*building without the lock/);
      expect(messages.join("\n")).not.toContain(wrongPassword);
      expect(messages.join("\n")).not.toContain(password);

      const none: string[] = [];
      const noPassword = lockOf({ url: "redis://127.0.0.1:5840", onUnavailable: (message) => none.push(message) });
      expect(await noPassword.acquire(key)).not.toBeNull();
      expect(none).toHaveLength(1);
      expect(none[0]).toContain("NOAUTH");
    });
  });

  it("tells once when Redis goes away while keys are held; the build's release and later acquires go on", async () => {
    const own = await startOwnRedis({ port: 5841 });
    try {
      const messages: string[] = [];
      const lock = lockOf({ url: own.url, ttlMs: 600, onUnavailable: (message) => messages.push(message) });
      const first = held(await lock.acquire("one"));
      const second = held(await lock.acquire("two"));
      // Waiters polling for a held key at the moment Redis goes: they go on unlocked too.
      const waiters = [1, 2, 3].map(() => lockOf({ url: own.url, ttlMs: 600 }).acquire("one"));
      const otherInstance = lockOf({ url: own.url, onUnavailable: (message) => messages.push(message) });
      const waiting = [otherInstance.acquire("one"), otherInstance.acquire("one"), otherInstance.acquire("two")];
      await sleep(200);
      await own.stop();
      const started = Date.now();
      expect((await Promise.all([...waiters, ...waiting])).every((handle) => handle !== null)).toBe(true);
      expect(Date.now() - started).toBeLessThan(1000);
      await sleep(300);
      // Once per lock instance: this one and otherInstance.
      expect(messages).toHaveLength(2);
      expect(messages[0]).toContain("127.0.0.1:5841");
      expect(messages[0]).toContain("building without the lock");
      await first.release();
      await second.release();
      expect(await lock.acquire("three")).not.toBeNull();
      expect(messages).toHaveLength(2);
    } finally {
      await own.stop();
    }
  });
});
