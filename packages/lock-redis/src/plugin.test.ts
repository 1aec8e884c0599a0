import { lockSpecificationVersion, type PluginContext, UsageError } from "@stages/core";
import { describe, expect, it } from "vitest";
import { lockRedisPlugin } from "./plugin.js";

function contextWith(settings: Record<string, string | undefined> = {}): PluginContext {
  return { project: "demo", directory: "/tmp", settings, log: () => {} };
}

describe("lockRedisPlugin", () => {
  const factory = lockRedisPlugin.locks.redis;

  it("makes a Lock of the current contract for a redis URL, without connecting", async () => {
    const lock = await factory(contextWith({ "lock.ttlMs": "2000" }), "redis://127.0.0.1:5849");
    expect(lock.specificationVersion).toBe(lockSpecificationVersion);
  });

  it("refuses a bad URL or TTL with a UsageError", async () => {
    const badUrl = (async () => factory(contextWith(), "http://user:s3cret-value@host"))();
    await expect(badUrl).rejects.toSatisfy((error: unknown) => UsageError.isInstance(error));
    await expect(badUrl).rejects.not.toThrow(/s3cret-value/);
    const badTtl = (async () => factory(contextWith({ "lock.ttlMs": "soon" }), "redis://host"))();
    await expect(badTtl).rejects.toThrow(/lock\.ttlMs is "soon"/);
  });
});
