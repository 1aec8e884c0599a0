export { lockRedisPlugin } from "./plugin.js";
export { createRedisLock, type RedisLock, type RedisLockOptions, redisLockKeyPrefix } from "./redis-lock.js";
export { parseRedisUrl, type RedisAddress } from "./redis-url.js";

import { lockRedisPlugin } from "./plugin.js";

/** The plugin entry: stages loads built-in adapters the same way as third-party ones. */
export default lockRedisPlugin;
