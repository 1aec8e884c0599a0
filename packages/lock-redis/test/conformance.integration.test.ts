import { testLock } from "@stages/testkit";
import { createRedisLock } from "../src/index.js";
import { sharedRedisUrl } from "./redis-server.js";

// The Redis lock runs the Lock conformance suite of @stages/testkit: two instances (two hosts) on
// the test environment's Redis; the suite's keys are unique per run.

testLock("redis", async () => {
  const lock = createRedisLock({ url: sharedRedisUrl(), pollMs: 20 });
  const other = createRedisLock({ url: sharedRedisUrl(), pollMs: 20 });
  return {
    lock,
    other,
    async cleanup() {
      await Promise.all([lock.close(), other.close()]);
    },
  };
});
