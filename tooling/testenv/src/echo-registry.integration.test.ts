import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type EchoRegistry, startEchoRegistry } from "./echo-registry.js";
import { requireTestEnvironment } from "./index.js";
import { dockerClient } from "./paths.js";

describe("echoing registry", () => {
  let registry: EchoRegistry | undefined;
  afterEach(async () => {
    await registry?.close();
    registry = undefined;
  });

  it("challenges without credentials, then echoes the Authorization header in its error body", async () => {
    registry = await startEchoRegistry({ status: 400 });
    const ping = await fetch(`http://${registry.host}/v2/`);
    expect(ping.status).toBe(401);
    expect(ping.headers.get("www-authenticate")).toBe('Basic realm="stages-echo"');
    const authorization = `Basic ${Buffer.from("someone:a-secret").toString("base64")}`;
    const answer = await fetch(`http://${registry.host}/v2/x/blobs/uploads/`, {
      method: "POST",
      headers: { authorization },
    });
    expect(answer.status).toBe(400);
    const body = (await answer.json()) as { errors: Array<{ code: string; message: string }> };
    expect(body.errors[0]?.code).toBe("BAD_REQUEST");
    expect(body.errors[0]?.message).toContain(`authorization: ${authorization}`);
    expect(registry.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      "GET /v2/",
      "POST /v2/x/blobs/uploads/",
    ]);
  });

  it("makes the engine's push error carry the credentials it was given (defect 3's condition)", async () => {
    const environment = requireTestEnvironment();
    registry = await startEchoRegistry();
    const config = mkdtempSync(join(tmpdir(), "stages-echo-docker-config-"));
    try {
      const auth = Buffer.from("stages:stages-test-password").toString("base64");
      writeFileSync(join(config, "config.json"), JSON.stringify({ auths: { [registry.host]: { auth } } }));
      // Asynchronously: the registry answers from this very process.
      const docker = (...args: string[]) =>
        new Promise<{ status: number | null; output: string }>((resolve, reject) => {
          const child = spawn(dockerClient(), ["-H", environment.dockerHostA, ...args], {
            env: { ...process.env, DOCKER_CONFIG: config },
          });
          let output = "";
          const collect = (chunk: Buffer) => {
            output += chunk.toString();
          };
          child.stdout.on("data", collect);
          child.stderr.on("data", collect);
          child.on("error", reject);
          child.on("close", (status) => resolve({ status, output }));
        });
      const reference = `${registry.host}/echo/busybox:1`;
      expect((await docker("pull", environment.baseImage)).status).toBe(0);
      expect((await docker("tag", environment.baseImage, reference)).status).toBe(0);
      const push = await docker("push", reference);
      await docker("rmi", reference);
      expect(push.status).not.toBe(0);
      expect(push.output).toContain(`Basic ${auth}`);
      expect(registry.requests.some((request) => request.headers.authorization === `Basic ${auth}`)).toBe(true);
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  });
});
