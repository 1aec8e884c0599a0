import { definePlugin, pluginSpecificationVersion, UsageError } from "@stages/core";
import { createRedisLock } from "./redis-lock.js";

/**
 * The Redis lock as a plugin: `locks.redis` with the lock URL as its location. `lock.ttlMs` in the
 * host settings overrides the 30 s TTL; "Redis unavailable" goes to the host's log once.
 */
export const lockRedisPlugin = definePlugin({
  name: "@stages/lock-redis",
  specificationVersion: pluginSpecificationVersion,
  locks: {
    redis: (context, location) => {
      const ttl = context.settings["lock.ttlMs"];
      const ttlMs = ttl === undefined || ttl === "" ? undefined : Number(ttl);
      if (ttlMs !== undefined && !Number.isInteger(ttlMs)) {
        throw new UsageError(`lock.ttlMs is "${ttl}", not a number of milliseconds`, {
          hint: "give lock.ttlMs as a whole number of milliseconds, e.g. 30000",
        });
      }
      return createRedisLock({
        url: location,
        ...(ttlMs !== undefined ? { ttlMs } : {}),
        onUnavailable: (message) => context.log(`warning: ${message}`),
      });
    },
  },
});
