import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { encodeRegistryAuth, registryAuthConfig, registryAuthFor } from "./registry-auth.js";

/** Decodes as the engine does: Go's base64.URLEncoding, which requires the `=` padding. */
function decodeStrict(header: string): unknown {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(header) || header.length % 4 !== 0) {
    throw new Error(`"${header}" is not padded base64url`);
  }
  return JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
}

/** The X-Registry-Auth header dockerode sends for an `authconfig`, caught by a server on a unix socket. */
async function headerSentByDockerode(authconfig: Record<string, string>): Promise<string | undefined> {
  const directory = mkdtempSync(join(tmpdir(), "stages-auth-"));
  const socketPath = join(directory, "engine.sock");
  let header: string | undefined;
  const server = createServer((request, response) => {
    header = request.headers["x-registry-auth"] as string | undefined;
    response.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  try {
    const docker = new Dockerode({ socketPath });
    const stream = await docker.getImage("localhost:5000/x").push({ tag: "1", authconfig });
    (stream as NodeJS.ReadableStream & { resume(): void }).resume();
  } finally {
    server.close();
    rmSync(directory, { recursive: true, force: true });
  }
  return header;
}

describe("registry auth", () => {
  it("encodes anonymous access as {}", () => {
    expect(decodeStrict(encodeRegistryAuth("localhost:5000", null))).toEqual({});
    expect(registryAuthConfig("localhost:5000", null)).toEqual({});
  });

  it("encodes a user and password or an identity token with the server address", () => {
    expect(decodeStrict(encodeRegistryAuth("registry.example.com", { username: "u", password: "p/+=" }))).toEqual({
      username: "u",
      password: "p/+=",
      serveraddress: "registry.example.com",
    });
    expect(decodeStrict(encodeRegistryAuth("docker.io", { identitytoken: "tok" }))).toEqual({
      identitytoken: "tok",
      serveraddress: "https://index.docker.io/v1/",
    });
    expect(encodeRegistryAuth("h", { username: "ü", password: "?>>" })).not.toMatch(/[+/]/);
  });

  it("pads base64url for every JSON length, as the engine's decoder needs", () => {
    const lengths = new Set<number>();
    for (const password of ["p", "pa", "pas", "stages-test-password"]) {
      const credentials = { username: "stages", password };
      const json = JSON.stringify(registryAuthConfig("localhost:5791", credentials));
      lengths.add(json.length % 3);
      expect(decodeStrict(encodeRegistryAuth("localhost:5791", credentials))).toEqual(JSON.parse(json));
    }
    expect([...lengths].sort()).toEqual([0, 1, 2]);
  });

  it("encodes exactly as dockerode sends an authconfig", async () => {
    for (const password of ["p", "pa", "pas"]) {
      const credentials = { username: "stages", password };
      const sent = await headerSentByDockerode(registryAuthConfig("localhost:5791", credentials));
      expect(sent).toBe(encodeRegistryAuth("localhost:5791", credentials));
    }
    expect(await headerSentByDockerode({})).toBe(encodeRegistryAuth("localhost:5791", null));
  });

  it("asks the provider for the registry host of a reference", async () => {
    const asked: string[] = [];
    const provider = async (host: string) => {
      asked.push(host);
      return host === "localhost:5000" ? { username: "a", password: "b" } : null;
    };
    expect(await registryAuthFor(provider, "localhost:5000/team/app:1")).toMatchObject({ username: "a" });
    expect(await registryAuthFor(provider, "alpine:3.20")).toEqual({});
    expect(asked).toEqual(["localhost:5000", "docker.io"]);
    expect(await registryAuthFor(undefined, "alpine")).toEqual({});
  });

  it("reports a failing provider without its secrets", async () => {
    const provider = async () => {
      throw new Error("helper docker-credential-x not found");
    };
    await expect(registryAuthFor(provider, "r.example.com/x")).rejects.toThrow(
      "[docker] cannot get credentials for r.example.com: helper docker-credential-x not found",
    );
  });
});
