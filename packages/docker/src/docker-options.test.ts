import { UsageError } from "@stages/core";
import { describe, expect, it } from "vitest";
import { dockerOptionsFromEnv, formatDockerEndpoint, resolveDockerEndpoint } from "./docker-options.js";

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

  it("rejects what it cannot reach with a hint", () => {
    expect(() => resolveDockerEndpoint({ host: "ssh://user@host" })).toThrow(
      /uses "ssh:\/\/", which stages does not support/,
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
  });
});
