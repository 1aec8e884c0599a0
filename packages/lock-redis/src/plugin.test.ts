import { lockSpecificationVersion, type PluginContext, type PluginSettingValue, UsageError } from "@stages/core";
import { describe, expect, it } from "vitest";
import { lockRedisPlugin } from "./plugin.js";

function contextWith(settings: Record<string, PluginSettingValue | undefined> = {}): PluginContext {
  return { project: "demo", directory: "/tmp", settings, log: () => {} };
}

describe("lockRedisPlugin", () => {
  const factory = lockRedisPlugin.locks.redis;

  it("declares its TTL as a number setting", () => {
    expect(lockRedisPlugin.settings["lock.ttl-ms"].type).toBe("number");
  });

  it("makes a Lock of the current contract for a redis URL, without connecting", async () => {
    const lock = await factory(contextWith({ "lock.ttl-ms": 2000 }), "redis://127.0.0.1:5849");
    expect(lock.specificationVersion).toBe(lockSpecificationVersion);
  });

  it("refuses a bad URL or TTL with a UsageError", async () => {
    const badUrl = (async () => factory(contextWith(), "http://user:s3cret-value@host"))();
    await expect(badUrl).rejects.toSatisfy((error: unknown) => UsageError.isInstance(error));
    await expect(badUrl).rejects.not.toThrow(/s3cret-value/);
    for (const ttl of [1.5, 10, -1]) {
      const badTtl = (async () => factory(contextWith({ "lock.ttl-ms": ttl }), "redis://host"))();
      await expect(badTtl).rejects.toThrow(`lock.ttl-ms is ${ttl}, not a number of milliseconds`);
    }
  });
});
