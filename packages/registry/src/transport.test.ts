import { describe, expect, it } from "vitest";
import { apiHost, candidateSchemes, hostOf, isInsecureRegistry, isLoopbackHost } from "./transport.js";

describe("transport security", () => {
  it("speaks plain HTTP only to loopback hosts", () => {
    expect(candidateSchemes("localhost:5000", [])).toEqual(["http"]);
    expect(candidateSchemes("127.0.0.1:5000", [])).toEqual(["http"]);
    expect(candidateSchemes("127.10.20.30", [])).toEqual(["http"]);
    expect(candidateSchemes("[::1]:5000", [])).toEqual(["http"]);
    expect(candidateSchemes("registry.example.com", [])).toEqual(["https"]);
    expect(candidateSchemes("128.0.0.1:5000", [])).toEqual(["https"]);
    expect(candidateSchemes("localhost.example.com", [])).toEqual(["https"]);
  });

  it("tries HTTPS then HTTP for registries listed as insecure (host or host:port)", () => {
    expect(candidateSchemes("registry.lan:5000", ["registry.lan:5000"])).toEqual(["https", "http"]);
    expect(candidateSchemes("registry.lan:5000", ["registry.lan"])).toEqual(["https", "http"]);
    expect(isInsecureRegistry("registry.lan:5000", ["other.lan"])).toBe(false);
  });

  it("knows hosts and Docker Hub's API host", () => {
    expect(hostOf("[::1]:5000")).toBe("::1");
    expect(hostOf("example.com:443")).toBe("example.com");
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(apiHost("docker.io")).toBe("registry-1.docker.io");
    expect(apiHost("ghcr.io")).toBe("ghcr.io");
  });
});
