import { UsageError } from "@stages/core";
import { describe, expect, it } from "vitest";
import {
  dockerOptionsFromEnv,
  dockerOptionsFromSettings,
  formatDockerEndpoint,
  resolveDockerEndpoint,
} from "./docker-options.js";

describe("dockerOptionsFromEnv", () => {
  it("reads nothing from an empty environment", () => {
    expect(dockerOptionsFromEnv({})).toEqual({});
  });

  it("reads DOCKER_HOST, DOCKER_CERT_PATH and DOCKER_TLS_VERIFY like the docker CLI", () => {
    expect(
      dockerOptionsFromEnv({ DOCKER_HOST: "tcp://10.0.0.2:2376", DOCKER_CERT_PATH: "/certs", DOCKER_TLS_VERIFY: "1" }),
    ).toEqual({ host: "tcp://10.0.0.2:2376", certPath: "/certs", tlsVerify: true });
    // Any non-empty value turns verification on, "0" included (as in the docker CLI).
    expect(dockerOptionsFromEnv({ DOCKER_TLS_VERIFY: "0", DOCKER_CERT_PATH: "/c" }).tlsVerify).toBe(true);
    expect(dockerOptionsFromEnv({ DOCKER_TLS_VERIFY: "" }).tlsVerify).toBeUndefined();
  });

  it("defaults the certificates of a verified connection to the docker config directory", () => {
    expect(dockerOptionsFromEnv({ DOCKER_TLS_VERIFY: "1", HOME: "/home/u/" }).certPath).toBe("/home/u/.docker");
    expect(dockerOptionsFromEnv({ DOCKER_TLS_VERIFY: "1", HOME: "/home/u", DOCKER_CONFIG: "/cfg" }).certPath).toBe(
      "/cfg",
    );
    expect(dockerOptionsFromEnv({ HOME: "/home/u" }).certPath).toBeUndefined();
  });
});

describe("resolveDockerEndpoint", () => {
  it("uses the default socket without a host", () => {
    expect(resolveDockerEndpoint({})).toEqual({ kind: "unix", socketPath: "/var/run/docker.sock" });
    expect(resolveDockerEndpoint({ host: "  " })).toEqual({ kind: "unix", socketPath: "/var/run/docker.sock" });
  });

  it("reads unix sockets", () => {
    expect(resolveDockerEndpoint({ host: "unix:///tmp/d.sock" })).toEqual({ kind: "unix", socketPath: "/tmp/d.sock" });
    expect(() => resolveDockerEndpoint({ host: "unix://relative.sock" })).toThrow(UsageError);
  });

  it("reads TCP hosts with and without scheme and port", () => {
    expect(resolveDockerEndpoint({ host: "tcp://10.0.0.2:2375" })).toEqual({
      kind: "tcp",
      host: "10.0.0.2",
      port: 2375,
      tls: null,
    });
    expect(resolveDockerEndpoint({ host: "build-host:2375" })).toEqual({
      kind: "tcp",
      host: "build-host",
      port: 2375,
      tls: null,
    });
    expect(resolveDockerEndpoint({ host: "tcp://build-host" })).toEqual({
      kind: "tcp",
      host: "build-host",
      port: 2375,
      tls: null,
    });
    expect(resolveDockerEndpoint({ host: "tcp://[::1]:2375" })).toEqual({
      kind: "tcp",
      host: "::1",
      port: 2375,
      tls: null,
    });
  });

  it("turns TLS on for tlsVerify, a cert path, https or port 2376; verification only with tlsVerify", () => {
    expect(resolveDockerEndpoint({ host: "tcp://h:2376" })).toEqual({
      kind: "tcp",
      host: "h",
      port: 2376,
      tls: { verify: false, certPath: null },
    });
    expect(resolveDockerEndpoint({ host: "tcp://h", tlsVerify: true, certPath: "/c" })).toEqual({
      kind: "tcp",
      host: "h",
      port: 2376,
      tls: { verify: true, certPath: "/c" },
    });
    expect(resolveDockerEndpoint({ host: "https://h:443" })).toEqual({
      kind: "tcp",
      host: "h",
      port: 443,
      tls: { verify: false, certPath: null },
    });
    expect(resolveDockerEndpoint({ host: "tcp://h:2375", certPath: "/c" })).toMatchObject({
      tls: { verify: false, certPath: "/c" },
    });
  });

  it("reads ssh://[user@]host[:port] as the docker CLI does, the user defaulting to the local one", () => {
    expect(resolveDockerEndpoint({ host: "ssh://deploy@build-host" })).toEqual({
      kind: "ssh",
      host: "build-host",
      port: 22,
      user: "deploy",
    });
    expect(resolveDockerEndpoint({ host: "ssh://root@127.0.0.1:5792" })).toEqual({
      kind: "ssh",
      host: "127.0.0.1",
      port: 5792,
      user: "root",
    });
    expect(resolveDockerEndpoint({ host: "ssh://[::1]:2222", ssh: { defaultUser: "me" } })).toEqual({
      kind: "ssh",
      host: "::1",
      port: 2222,
      user: "me",
    });
    expect(() => resolveDockerEndpoint({ host: "ssh://build-host" })).toThrow(/names no user/);
    expect(() => resolveDockerEndpoint({ host: "ssh://u@h/var/run/docker.sock" })).toThrow(/invalid Docker host/);
    expect(() => resolveDockerEndpoint({ host: "ssh://u:secret@h" })).toThrow(UsageError);
    expect(() => resolveDockerEndpoint({ host: "ssh://u@h:70000" })).toThrow(/out of range/);
  });

  it("turns TLS on for certificates given as material, verifying only with tlsVerify", () => {
    expect(resolveDockerEndpoint({ host: "tcp://h:2375", certificates: { ca: "PEM" } })).toMatchObject({
      tls: { verify: false, certPath: null },
    });
    expect(resolveDockerEndpoint({ host: "tcp://h", certificates: { ca: "PEM" }, tlsVerify: true })).toMatchObject({
      port: 2376,
      tls: { verify: true, certPath: null },
    });
  });

  it("rejects what it cannot reach with a hint", () => {
    expect(() => resolveDockerEndpoint({ host: "npipe:////./pipe/docker_engine" })).toThrow(
      /uses "npipe:\/\/", which stages does not support/,
    );
    expect(() => resolveDockerEndpoint({ host: "tcp://h:99999" })).toThrow(/out of range/);
    expect(() => resolveDockerEndpoint({ host: "tcp://h:2375/path/x" })).toThrow(UsageError);
  });
});

describe("formatDockerEndpoint", () => {
  it("prints endpoints as Docker hosts", () => {
    expect(formatDockerEndpoint({ kind: "unix", socketPath: "/var/run/docker.sock" })).toBe(
      "unix:///var/run/docker.sock",
    );
    expect(formatDockerEndpoint({ kind: "tcp", host: "h", port: 2376, tls: null })).toBe("tcp://h:2376");
    expect(formatDockerEndpoint({ kind: "tcp", host: "::1", port: 2375, tls: null })).toBe("tcp://[::1]:2375");
    expect(formatDockerEndpoint({ kind: "ssh", host: "h", port: 22, user: "u" })).toBe("ssh://u@h");
    expect(formatDockerEndpoint({ kind: "ssh", host: "::1", port: 2222, user: "u" })).toBe("ssh://u@[::1]:2222");
  });
});

describe("dockerOptionsFromSettings", () => {
  it("takes the whole connection a host put in docker.connection", () => {
    const options = {
      host: "ssh://u@h",
      ssh: { agent: "/run/agent.sock", knownHosts: [{ source: "k", text: "h ssh-ed25519 AAAA" }] },
    };
    expect(
      dockerOptionsFromSettings({ "docker.connection": JSON.stringify(options), "docker.host": "tcp://ignored:2375" }),
    ).toEqual(options);
    expect(() => dockerOptionsFromSettings({ "docker.connection": "{" })).toThrow(UsageError);
  });

  it("falls back to the DOCKER_*-like settings of other hosts", () => {
    expect(
      dockerOptionsFromSettings({ "docker.host": "tcp://h:2376", "docker.tlsVerify": "1", "docker.config": "/c" }),
    ).toEqual({
      host: "tcp://h:2376",
      tlsVerify: true,
      certPath: "/c",
    });
    expect(dockerOptionsFromSettings({})).toEqual({});
  });

  it("takes typed settings as they are, without a round trip through DOCKER_* variables", () => {
    expect(dockerOptionsFromSettings({ "docker.host": "tcp://h:2376", "docker.tlsVerify": true })).toEqual({
      host: "tcp://h:2376",
      tlsVerify: true,
    });
    expect(dockerOptionsFromSettings({ "docker.tlsVerify": false, "docker.certPath": "/p" })).toEqual({
      certPath: "/p",
    });
  });
});
