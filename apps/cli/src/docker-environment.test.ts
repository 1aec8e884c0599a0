import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "@stages/core";
import { afterEach, describe, expect, it } from "vitest";
import { readDockerEnvironment } from "./docker-environment.js";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function temporary(): string {
  const directory = mkdtempSync(join(tmpdir(), "stages-docker-env-"));
  directories.push(directory);
  return directory;
}

/** A docker config directory as `docker context create` leaves it. */
function dockerConfig(
  contexts: Record<string, { host: string; skipTlsVerify?: boolean; tls?: Record<string, string> }>,
  currentContext?: string,
): string {
  const directory = temporary();
  if (currentContext !== undefined) {
    writeFileSync(join(directory, "config.json"), JSON.stringify({ auths: {}, currentContext }));
  }
  for (const [name, context] of Object.entries(contexts)) {
    const id = createHash("sha256").update(name).digest("hex");
    mkdirSync(join(directory, "contexts", "meta", id), { recursive: true });
    writeFileSync(
      join(directory, "contexts", "meta", id, "meta.json"),
      JSON.stringify({
        Name: name,
        Metadata: { Description: "" },
        Endpoints: { docker: { Host: context.host, SkipTLSVerify: context.skipTlsVerify ?? false } },
      }),
    );
    if (context.tls) {
      const tls = join(directory, "contexts", "tls", id, "docker");
      mkdirSync(tls, { recursive: true });
      for (const [file, text] of Object.entries(context.tls)) writeFileSync(join(tls, file), text);
    }
  }
  return directory;
}

describe("readDockerEnvironment", () => {
  const contexts = { "engine-b": { host: "unix:///run/b.sock" }, other: { host: "tcp://10.0.0.9:2375" } };

  it("uses DOCKER_HOST over DOCKER_CONTEXT over currentContext, as the docker CLI does", () => {
    const config = dockerConfig(contexts, "other");
    expect(readDockerEnvironment({}, config)).toEqual({ options: { host: "tcp://10.0.0.9:2375" }, context: "other" });
    expect(readDockerEnvironment({ DOCKER_CONTEXT: "engine-b" }, config)).toEqual({
      options: { host: "unix:///run/b.sock" },
      context: "engine-b",
    });
    expect(readDockerEnvironment({ DOCKER_CONTEXT: "engine-b", DOCKER_HOST: "unix:///run/a.sock" }, config)).toEqual({
      options: { host: "unix:///run/a.sock" },
    });
  });

  it("takes `default`, no context and no config file as the default engine", () => {
    const config = dockerConfig(contexts, "engine-b");
    expect(readDockerEnvironment({ DOCKER_CONTEXT: "default" }, config)).toEqual({ options: {} });
    expect(readDockerEnvironment({}, dockerConfig(contexts))).toEqual({ options: {} });
    expect(readDockerEnvironment({}, join(temporary(), "missing"))).toEqual({ options: {} });
    // The default context still honours the TLS variables.
    expect(
      readDockerEnvironment({ DOCKER_CONTEXT: "default", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/c" }, config),
    ).toEqual({ options: { tlsVerify: true, certPath: "/c" } });
  });

  it("names a context that does not exist, and where it was chosen", () => {
    const config = dockerConfig(contexts, "gone");
    expect(() => readDockerEnvironment({ DOCKER_CONTEXT: "nope" }, config)).toThrow(
      /docker context "nope" \(from DOCKER_CONTEXT\) does not exist/,
    );
    expect(() => readDockerEnvironment({}, config)).toThrow(UsageError);
    expect(() => readDockerEnvironment({}, config)).toThrow(
      new RegExp(`docker context "gone" \\(from currentContext of ${join(config, "config.json")}\\) does not exist`),
    );
  });

  it("reads a context's TLS files as material and its SkipTLSVerify", () => {
    const config = dockerConfig({
      secure: { host: "tcp://h:2376", tls: { "ca.pem": "CA", "cert.pem": "CERT", "key.pem": "KEY" } },
      lax: { host: "tcp://h:2376", skipTlsVerify: true, tls: { "ca.pem": "CA" } },
    });
    expect(readDockerEnvironment({ DOCKER_CONTEXT: "secure" }, config).options).toEqual({
      host: "tcp://h:2376",
      certificates: { ca: "CA", cert: "CERT", key: "KEY" },
      tlsVerify: true,
    });
    expect(readDockerEnvironment({ DOCKER_CONTEXT: "lax" }, config).options).toEqual({
      host: "tcp://h:2376",
      certificates: { ca: "CA" },
      tlsVerify: false,
    });
  });

  it("for ssh:// reads the agent, the default identities and known_hosts of HOME, and nothing for others", () => {
    const home = temporary();
    mkdirSync(join(home, ".ssh"));
    writeFileSync(join(home, ".ssh", "id_rsa"), "RSA KEY");
    writeFileSync(join(home, ".ssh", "id_ed25519"), "ED25519 KEY");
    writeFileSync(join(home, ".ssh", "known_hosts"), "[h]:2222 ssh-ed25519 AAAA\n");
    const env = { HOME: home, SSH_AUTH_SOCK: "/run/agent.sock", DOCKER_HOST: "ssh://deploy@h:2222" };
    const { options } = readDockerEnvironment(env, temporary());
    expect(options.host).toBe("ssh://deploy@h:2222");
    expect(options.ssh?.agent).toBe("/run/agent.sock");
    expect(options.ssh?.identities).toEqual([
      { source: join(home, ".ssh", "id_ed25519"), privateKey: "ED25519 KEY" },
      { source: join(home, ".ssh", "id_rsa"), privateKey: "RSA KEY" },
    ]);
    expect(options.ssh?.knownHosts?.[0]).toEqual({
      source: join(home, ".ssh", "known_hosts"),
      text: "[h]:2222 ssh-ed25519 AAAA\n",
    });
    expect(options.ssh?.defaultUser).toEqual(expect.any(String));
    // A context can point at an ssh:// host too.
    const config = dockerConfig({ remote: { host: "ssh://deploy@h" } }, "remote");
    expect(readDockerEnvironment({ HOME: home }, config).options.ssh?.identities).toHaveLength(2);
    expect(readDockerEnvironment({ HOME: home, DOCKER_HOST: "tcp://h:2375" }, config).options.ssh).toBeUndefined();
  });
});
