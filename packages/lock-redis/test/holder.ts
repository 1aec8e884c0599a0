// A build host in a child process: acquires one key `rounds` times, holding it `holdMs` each time
// (forever when holdMs is -1, for a test to SIGKILL it), and prints what it did as JSON lines.
import { createRedisLock } from "../src/redis-lock.js";

const [url = "", key = "", ttl = "", hold = "", rounds = "1"] = process.argv.slice(2);
const print = (event: string) =>
  process.stdout.write(`${JSON.stringify({ event, at: Date.now(), pid: process.pid })}\n`);
const lock = createRedisLock({
  url,
  ttlMs: Number(ttl),
  pollMs: 20,
  onUnavailable: (message) => print(`unavailable ${message}`),
});
for (let round = 0; round < Number(rounds); round += 1) {
  const handle = await lock.acquire(key);
  if (handle === null) throw new Error("acquire resolved null without abandonWhen");
  print("acquired");
  if (Number(hold) < 0) await new Promise(() => setInterval(() => {}, 60_000));
  await new Promise((resolve) => setTimeout(resolve, Number(hold)));
  print("released");
  await handle.release();
}
await lock.close();
