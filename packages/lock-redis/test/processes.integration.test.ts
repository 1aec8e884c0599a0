import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisLock, redisLockKeyPrefix } from "../src/redis-lock.js";
import { sharedRedisUrl, startOwnRedis, testCertificate, uniqueKey } from "./redis-server.js";

interface HolderEvent {
  event: string;
  at: number;
  pid: number;
}

// The holder runs our TypeScript sources in a plain node process: bundled once (ioredis included)
// into a temporary directory.
let directory: string;
let holderScript: string;
let redis: Redis;
beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "stages-lock-redis-"));
  holderScript = join(directory, "holder.mjs");
  await build({
    entryPoints: [join(import.meta.dirname, "holder.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: holderScript,
    conditions: ["@stages/source"],
    // ioredis is CommonJS and requires node's modules; give the ESM bundle a require.
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
    logLevel: "error",
  });
  redis = new Redis(sharedRedisUrl());
});
afterAll(async () => {
  await redis?.quit();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

function startHolder(
  args: string[],
  onEvent: (event: HolderEvent) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
): { child: ChildProcess; done: Promise<HolderEvent[]> } {
  const child = spawn(process.execPath, [holderScript, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  const events: HolderEvent[] = [];
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    let end = stdout.indexOf("\n");
    while (end >= 0) {
      const event = JSON.parse(stdout.slice(0, end)) as HolderEvent;
      events.push(event);
      onEvent(event);
      stdout = stdout.slice(end + 1);
      end = stdout.indexOf("\n");
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<HolderEvent[]>((resolve, reject) => {
    child.on("exit", (code, signal) => {
      if (code === 0 || signal === "SIGKILL") resolve(events);
      else reject(new Error(`holder exited with ${code ?? signal}: ${stderr}`));
    });
  });
  return { child, done };
}

describe("the Redis lock across processes", () => {
  it("lets one of two processes hold a key at a time", async () => {
    const key = uniqueKey("processes");
    const holders = [0, 1].map(() => startHolder([sharedRedisUrl(), key, "5000", "80", "4"]));
    const events = (await Promise.all(holders.map((holder) => holder.done))).flat().sort((a, b) => a.at - b.at);
    expect(events.filter((event) => event.event.startsWith("unavailable"))).toEqual([]);
    expect(events).toHaveLength(16);
    // Sorted by time, every acquired is followed by the release of the same process.
    for (let index = 0; index < events.length; index += 2) {
      expect(events[index]?.event).toBe("acquired");
      expect(events[index + 1]).toMatchObject({ event: "released", pid: events[index]?.pid });
    }
    expect(new Set(events.map((event) => event.pid)).size).toBe(2);
  });

  it("frees the key of a SIGKILLed holder once its TTL ends, not before", async () => {
    const key = uniqueKey("killed");
    const ttlMs = 1000;
    let acquired: () => void = () => {};
    const holding = new Promise<void>((resolve) => {
      acquired = resolve;
    });
    const holder = startHolder([sharedRedisUrl(), key, String(ttlMs), "-1"], (event) => {
      if (event.event === "acquired") acquired();
    });
    await holding;
    // Long enough that the holder renewed at least once (every ttl/3).
    await new Promise((resolve) => setTimeout(resolve, 600));
    holder.child.kill("SIGKILL");
    await holder.done;
    const killedAt = Date.now();
    expect(await redis.exists(`${redisLockKeyPrefix}${key}`)).toBe(1);

    const lock = createRedisLock({ url: sharedRedisUrl(), pollMs: 20 });
    try {
      const handle = await lock.acquire(key);
      const waited = Date.now() - killedAt;
      expect(handle).not.toBeNull();
      // The renewal before the kill set the TTL back to 1 s; the key lasts at most that long.
      expect(waited).toBeGreaterThan(200);
      expect(waited).toBeLessThan(ttlMs + 500);
      await handle?.release();
    } finally {
      await lock.close();
    }
  });

  it("reaches a TLS Redis (rediss://) whose CA is trusted through NODE_EXTRA_CA_CERTS; an untrusted one is one message", async () => {
    const own = await startOwnRedis({ port: 5845, tls: true });
    try {
      const { NODE_EXTRA_CA_CERTS: _, ...withoutCa } = process.env;
      const trusted = await startHolder([own.url, "tls", "5000", "0"], () => {}, {
        ...withoutCa,
        NODE_EXTRA_CA_CERTS: testCertificate,
      }).done;
      expect(trusted.map((event) => event.event)).toEqual(["acquired", "released"]);

      const untrusted = await startHolder([own.url, "tls", "5000", "0"], () => {}, withoutCa).done;
      expect(untrusted.map((event) => event.event)).toEqual([
        expect.stringMatching(/^unavailable .*localhost:5845.*certificate.*building without the lock$/),
        "acquired",
        "released",
      ]);
    } finally {
      await own.stop();
    }
  });
});
