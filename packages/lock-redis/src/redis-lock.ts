import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import {
  createSecretRedactor,
  type Lock,
  type LockAcquireOptions,
  type LockHandle,
  lockSpecificationVersion,
  throwIfAborted,
  UsageError,
} from "@stages/core";
import { sleep } from "@stages/core/internal";
import type { Redis } from "ioredis";
import { parseRedisUrl, type RedisAddress } from "./redis-url.js";

export interface RedisLockOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  url: string;
  /** How long a holder that stopped renewing (killed, frozen) keeps a key locked, in ms. Default 30 s. */
  ttlMs?: number;
  /** How often a holder renews its keys, in ms. Default a third of `ttlMs`. */
  renewMs?: number;
  /** How often a waiter tries again (and asks `abandonWhen`), in ms. Default 500. */
  pollMs?: number;
  /** How long connecting, and any one command, may take before Redis counts as unreachable. Default 5 s. */
  connectTimeoutMs?: number;
  /**
   * Told once, the first time Redis cannot be used (unreachable, refused credentials, gone while
   * building): from then on every acquire gives a handle that holds nothing and the build goes on
   * without the lock.
   */
  onUnavailable?: (message: string) => void;
  /**
   * Told when a held key was lost (it expired and another holder took it, or it could not be
   * renewed): the build of that key goes on. Default: `onUnavailable`.
   */
  onLost?: (message: string) => void;
}

/** A Redis lock, plus closing its connection (the host calls it when the command ends). */
export type RedisLock = Lock & { close(): Promise<void> };

/** The prefix of every key this lock sets, so that its keys are recognisable in a shared Redis. */
export const redisLockKeyPrefix = "stages:lock:";

// Compare-and-act: only the holder named by the token may extend or delete the key, so a holder
// whose key expired and was taken over can never renew or free another host's lock.
const renewScript = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;
const releaseScript = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

/** A handle that holds nothing: what acquire gives once Redis is unavailable. */
const unlockedHandle: LockHandle = { release: async () => {} };

/**
 * Makes a Lock backed by one Redis (SET NX PX with a random token, renewed while held,
 * compare-and-delete on release; DESIGN §14). ioredis is imported on the first acquire only. The
 * lock is an optimisation (each signature built once across hosts), never a condition of a correct
 * build: when Redis cannot be used it says so once and lets every build go on unlocked.
 */
export function createRedisLock(options: RedisLockOptions): RedisLock {
  const address = parseRedisUrl(options.url);
  const ttlMs = positive(options.ttlMs, 30_000, "ttlMs");
  const renewMs = positive(options.renewMs, Math.max(1, Math.floor(ttlMs / 3)), "renewMs");
  const pollMs = positive(options.pollMs, 500, "pollMs");
  const connectTimeoutMs = positive(options.connectTimeoutMs, 5_000, "connectTimeoutMs");
  const redactor = createSecretRedactor();
  redactor.add(address.password);
  redactor.add(options.url);

  let unavailable = false;
  let closed = false;
  let connecting: Promise<Redis | null> | undefined;
  let client: Redis | undefined;
  const held = new Set<HeldKey>();

  const markUnavailable = (cause: string) => {
    // After close, a failing command is the closing, not Redis.
    if (unavailable || closed) return;
    unavailable = true;
    for (const key of held) key.stop();
    options.onUnavailable?.(
      redactor.redact(`[lock-redis] Redis at ${address.display} cannot be used (${cause}): building without the lock`),
    );
  };
  const reportLost = (message: string) => {
    const text = redactor.redact(message);
    if (options.onLost) options.onLost(text);
    else options.onUnavailable?.(text);
  };
  const describe = (error: unknown) => redactor.redact(describeError(error));

  const connect = (): Promise<Redis | null> => {
    connecting ??= openClient(address, connectTimeoutMs).then(
      (opened) => {
        client = opened;
        // An error event without a listener would crash the process; what matters is reported by
        // the command that fails or by `end`.
        opened.on("error", () => {});
        opened.on("end", () => {
          if (!closed) markUnavailable("the connection was closed");
        });
        if (closed) {
          opened.disconnect();
          return null;
        }
        return opened;
      },
      (error: unknown) => {
        markUnavailable(describe(error));
        return null;
      },
    );
    return connecting;
  };

  return {
    specificationVersion: lockSpecificationVersion,

    async acquire(key: string, acquireOptions: LockAcquireOptions = {}): Promise<LockHandle | null> {
      const { signal, abandonWhen } = acquireOptions;
      throwIfAborted(signal);
      const wait = positive(acquireOptions.pollMs, pollMs, "pollMs");
      const redisKey = `${redisLockKeyPrefix}${key}`;
      const token = `${hostname()}:${process.pid}:${randomBytes(16).toString("hex")}`;
      for (;;) {
        // Checked every round: a waiter whose lock closes must not go on to build unlocked.
        if (closed) throw closedError(key);
        if (unavailable) return unlockedHandle;
        const redis = await connect();
        if (closed) throw closedError(key);
        if (redis === null || unavailable) return unlockedHandle;
        throwIfAborted(signal);
        let answer: string | null;
        try {
          answer = await redis.set(redisKey, token, "PX", ttlMs, "NX");
        } catch (error) {
          if (closed) throw closedError(key);
          markUnavailable(describe(error));
          return unlockedHandle;
        }
        if (answer === "OK" && closed) {
          // Taken while the lock closed (close's QUIT queued behind this SET): nobody will release it.
          await redis.eval(releaseScript, 1, redisKey, token).catch(() => {});
          throw closedError(key);
        }
        if (answer === "OK") {
          const entry = holdKey({
            redis,
            key,
            redisKey,
            token,
            ttlMs,
            renewMs,
            onLost: (message) => {
              held.delete(entry);
              reportLost(message);
            },
            onRedisFailed: (error) => markUnavailable(describe(error)),
          });
          held.add(entry);
          return {
            release: async () => {
              held.delete(entry);
              await entry.release();
            },
          };
        }
        if (abandonWhen && (await abandonWhen())) return null;
        await sleep(wait, signal);
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      // Keys still held belong to work that was stopped (an abort, a failure): free them now rather
      // than make every other host wait out the TTL.
      const releasing = [...held].map((key) => key.release());
      held.clear();
      await Promise.all(releasing);
      if (connecting) await connecting;
      if (!client) return;
      try {
        await withTimeout(client.quit(), connectTimeoutMs);
      } catch {
        // A server gone or too slow to say goodbye: the socket goes anyway.
      }
      client.disconnect();
    },
  };
}

function closedError(key: string): InstanceType<typeof UsageError> {
  return new UsageError(`[lock-redis] acquire("${key}") after the lock was closed`, {
    hint: "close the lock only once every acquire has ended (abort waiters first)",
  });
}

interface HeldKey {
  /** Stops renewing (the lock is lost, Redis is gone, or the host closes). */
  stop(): void;
  /** Stops renewing and deletes the key if it is still ours; never throws. */
  release(): Promise<void>;
}

/** Renews a key this host holds every `renewMs` until it is released or lost. */
function holdKey(options: {
  redis: Redis;
  key: string;
  redisKey: string;
  token: string;
  ttlMs: number;
  renewMs: number;
  onLost(message: string): void;
  onRedisFailed(error: unknown): void;
}): HeldKey {
  const { redis, redisKey, token } = options;
  let active = true;
  let timer: NodeJS.Timeout | undefined;
  let renewing: Promise<void> = Promise.resolve();

  const stop = () => {
    active = false;
    if (timer) clearTimeout(timer);
  };
  const renew = async () => {
    let answer: unknown;
    try {
      answer = await redis.eval(renewScript, 1, redisKey, token, String(options.ttlMs));
    } catch (error) {
      if (!active) return;
      stop();
      options.onRedisFailed(error);
      return;
    }
    if (!active) return;
    if (answer !== 1) {
      stop();
      options.onLost(
        `[lock-redis] lost the lock on ${options.key}: it expired and may be held elsewhere ` +
          `(this host did not renew it within ${options.ttlMs} ms); this build goes on and gives the same stage`,
      );
      return;
    }
    schedule();
  };
  const schedule = () => {
    if (!active) return;
    timer = setTimeout(() => {
      renewing = renew();
    }, options.renewMs);
    // Renewal alone must not keep a finished process alive.
    timer.unref();
  };
  schedule();

  return {
    stop,
    async release() {
      if (!active) return;
      stop();
      // A renewal in flight would otherwise race the delete and report a loss.
      await renewing;
      try {
        await redis.eval(releaseScript, 1, redisKey, token);
      } catch (error) {
        // The key expires by itself within ttlMs; the build result stands.
        options.onRedisFailed(error);
      }
    },
  };
}

/** Opens one connection: no reconnection, no offline queue, every step bounded by `timeoutMs`. */
async function openClient(address: RedisAddress, timeoutMs: number): Promise<Redis> {
  // ioredis is CommonJS: a bundle that splits it into a chunk of its own (the CLI's) gives that
  // chunk no named exports, only `default` (module.exports, which carries `Redis` too).
  const ioredis = await import("ioredis");
  const Redis = ioredis.Redis ?? ioredis.default.Redis;
  const client = new Redis({
    host: address.host,
    port: address.port,
    username: address.username,
    password: address.password,
    db: address.db,
    // Node checks the certificate against the host (and sends it as SNI unless it is an IP address);
    // a private CA is trusted through NODE_EXTRA_CA_CERTS.
    ...(address.tls ? { tls: {} } : {}),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // A lock that cannot be reached is given up at once: the build goes on without it rather
    // than waiting for a Redis that may never come back.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    reconnectOnError: () => false,
  });
  // Without retries connect() rejects with a bare "Connection is closed."; the reason (ECONNREFUSED,
  // WRONGPASS, NOAUTH) comes as an `error` event, which unheard would also crash the process.
  let reason: unknown;
  client.on("error", (error: unknown) => {
    reason ??= error;
  });
  try {
    await withTimeout(client.connect(), timeoutMs);
    // ioredis reports a failed SELECT (a database the server does not have) as an event and
    // connects anyway, to database 0: the lock would silently live elsewhere than the URL says.
    if (reason !== undefined) throw reason;
    return client;
  } catch (error) {
    client.disconnect();
    throw reason ?? error;
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const text = error.message || error.name;
    return typeof code === "string" && !text.includes(code) ? `${code}: ${text}` : text;
  }
  return String(error);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new UsageError(`[lock-redis] ${name} is ${value}, not a whole number of milliseconds above 0`, {
      hint: `give ${name} as a whole number of milliseconds, e.g. 500`,
    });
  }
  return value;
}
