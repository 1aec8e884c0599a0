import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { down } from "./index.js";
import { isAlive } from "./process.js";
import { redisAnswers, startRedis } from "./redis.js";
import { sshdAnswers, startSshd } from "./sshd.js";
import { writeState } from "./state.js";

/** A loopback port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

// A second, private sshd and Redis in a state directory of their own, so that the shared ones
// keep running: `down` must stop these like it stops engines and registries.
describe("sshd and redis components", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "stages-testenv-components-"));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it("start on their ports, and down stops them", async () => {
    const [sshPort, redisPort] = [await freePort(), await freePort()];
    const sshd = await startSshd({ stateDir, port: sshPort, dockerHost: "unix:///nonexistent.sock" });
    const redis = await startRedis({ stateDir, port: redisPort });
    writeState(stateDir, { components: { sshd, redis } });
    expect(await sshdAnswers(sshPort)).toBe(true);
    expect(await redisAnswers(redisPort)).toBe(true);

    const stopped = await down({ env: { STAGES_TESTENV_DIR: stateDir } });
    expect(stopped.sort()).toEqual(["redis", "sshd"]);
    expect(isAlive(sshd.pid)).toBe(false);
    expect(isAlive(redis.pid)).toBe(false);
    expect(await sshdAnswers(sshPort)).toBe(false);
    expect(await redisAnswers(redisPort)).toBe(false);
  });
});
