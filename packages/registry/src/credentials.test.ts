import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDockerConfigCredentials,
  normalizeConfigKey,
  runCredentialHelper,
  serverAddressOf,
} from "./credentials.js";
import { createCredentialsProvider } from "./plugin.js";

let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), "stages-credentials-unit-"));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function config(name: string, content: unknown): string {
  const path = join(directory, name);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, "config.json"), typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

function helper(name: string, script: string): void {
  const path = join(directory, "bin", `docker-credential-${name}`);
  mkdirSync(join(directory, "bin"), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
}

describe("docker config credentials", () => {
  it("normalizes the keys docker writes", () => {
    expect(normalizeConfigKey("https://index.docker.io/v1/")).toBe("docker.io");
    expect(normalizeConfigKey("http://localhost:5000/v2/")).toBe("localhost:5000");
    expect(normalizeConfigKey("ghcr.io")).toBe("ghcr.io");
    expect(serverAddressOf("docker.io")).toBe("https://index.docker.io/v1/");
    expect(serverAddressOf("localhost:5000")).toBe("localhost:5000");
  });

  it("reads auth, username/password and identitytoken entries", async () => {
    const dockerConfigDir = config("auths", {
      auths: {
        "https://index.docker.io/v1/": { auth: Buffer.from("hub:secret:with:colons").toString("base64") },
        "old.example.com": { username: "old", password: "pw" },
        "sso.example.com": { auth: "", identitytoken: "refresh-me" },
      },
    });
    const credentials = createDockerConfigCredentials({ dockerConfigDir, env: {} });
    expect(await credentials("docker.io")).toEqual({ username: "hub", password: "secret:with:colons" });
    expect(await credentials("old.example.com")).toEqual({ username: "old", password: "pw" });
    expect(await credentials("sso.example.com")).toEqual({ identitytoken: "refresh-me" });
    expect(await credentials("none.example.com")).toBeNull();
  });

  it("hands other adapters the same credentials, an identity token with its user included", async () => {
    const dockerConfigDir = config("shared", {
      auths: {
        "sso.example.com": { username: "sso-user", identitytoken: "refresh-me" },
        "basic.example.com": { auth: Buffer.from("u:p").toString("base64") },
      },
    });
    const own = createDockerConfigCredentials({ dockerConfigDir, env: {} });
    const shared = createCredentialsProvider({ dockerConfigDir, env: {} });
    for (const host of ["sso.example.com", "basic.example.com", "none.example.com"]) {
      expect(await shared(host), host).toEqual(await own(host));
    }
    expect(await shared("sso.example.com")).toEqual({ username: "sso-user", identitytoken: "refresh-me" });
  });

  it("finds config.json through DOCKER_CONFIG or HOME, and has none without either", async () => {
    const dockerConfigDir = config("env/.docker", {
      auths: { "a.example.com": { auth: Buffer.from("u:p").toString("base64") } },
    });
    expect(await createDockerConfigCredentials({ env: { DOCKER_CONFIG: dockerConfigDir } })("a.example.com")).toEqual({
      username: "u",
      password: "p",
    });
    expect(await createDockerConfigCredentials({ env: { HOME: join(directory, "env") } })("a.example.com")).toEqual({
      username: "u",
      password: "p",
    });
    expect(await createDockerConfigCredentials({ env: {} })("a.example.com")).toBeNull();
    expect(
      await createDockerConfigCredentials({ env: { HOME: join(directory, "nowhere") } })("a.example.com"),
    ).toBeNull();
  });

  it("refuses a broken config.json without echoing it", async () => {
    const dockerConfigDir = config("broken", '{"auths": {"x": {"auth": "c2VjcmV0LXZhbHVl"');
    const failure = await createDockerConfigCredentials({ dockerConfigDir, env: {} })("x").catch(
      (error: unknown) => error,
    );
    expect((failure as Error).message).toMatch(/is not valid JSON/);
    expect((failure as Error).message).not.toContain("c2VjcmV0LXZhbHVl");
  });

  it("runs credential helpers as docker does, including identity tokens", async () => {
    helper(
      "unit",
      'read -r address; case "$address" in token.example.com) echo \'{"Username":"<token>","Secret":"idt"}\';; pw.example.com) echo \'{"Username":"me","Secret":"pw"}\';; *) echo "credentials not found in native keychain"; exit 1;; esac',
    );
    helper("broken", "echo boom >&2; exit 3");
    const env = { PATH: `${join(directory, "bin")}:/usr/bin:/bin` };
    expect(await runCredentialHelper("unit", "token.example.com", env)).toEqual({ identitytoken: "idt" });
    expect(await runCredentialHelper("unit", "pw.example.com", env)).toEqual({ username: "me", password: "pw" });
    expect(await runCredentialHelper("unit", "other.example.com", env)).toBeNull();
    await expect(runCredentialHelper("broken", "x", env)).rejects.toThrow(/docker-credential-broken failed for x/);
    await expect(runCredentialHelper("../evil", "x", env)).rejects.toThrow(/invalid credential helper name/);
  });
});
