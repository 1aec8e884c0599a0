import { definePlugin, pluginSpecificationVersion, UsageError } from "@stages/core";

/**
 * The Redis lock as a plugin: `locks.redis` with the lock URL as its location. The setting
 * `lock.ttl-ms` (STAGES_LOCK_TTL_MS) overrides the 30 s TTL; "Redis unavailable" goes to the host's
 * log once per lock, a lock lost while held once per stage. The lock itself (and ioredis) is
 * imported when a lock is made, so a host that only registers the plugin never loads it.
 */
export const lockRedisPlugin = definePlugin({
  name: "@stages/lock-redis",
  specificationVersion: pluginSpecificationVersion,
  settings: {
    "lock.ttl-ms": {
      description: "How long a dead holder keeps a stage locked, in milliseconds (at least 100; default 30000)",
      type: "number",
    },
  },
  locks: {
    redis: async (context, location) => {
      const ttlMs = context.settings["lock.ttl-ms"];
      if (ttlMs !== undefined && (typeof ttlMs !== "number" || !Number.isInteger(ttlMs) || ttlMs < 100)) {
        throw new UsageError(`lock.ttl-ms is ${JSON.stringify(ttlMs)}, not a number of milliseconds`, {
          hint: "give a whole number of milliseconds, at least 100 (e.g. STAGES_LOCK_TTL_MS=30000), or unset it",
        });
      }
      const { createRedisLock } = await import("./redis-lock.js");
      let warned = false;
      return createRedisLock({
        url: location,
        ...(ttlMs !== undefined ? { ttlMs } : {}),
        onUnavailable: (message) => {
          // Once per lock, however many stages ask.
          if (warned) return;
          warned = true;
          context.log(`warning: ${message}`);
        },
        onLost: (message) => context.log(`warning: ${message}`),
      });
    },
  },
});
