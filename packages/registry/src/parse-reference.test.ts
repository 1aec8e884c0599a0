import { InvalidReferenceError, UsageError } from "@stages/core";
import { describe, expect, it } from "vitest";
import { formatManifestName, manifestReference, parseManifestName, parseRepositoryName } from "./parse-reference.js";

const digest = `sha256:${"a".repeat(64)}`;

describe("parseManifestName", () => {
  it("splits host, port, path, tag and digest", () => {
    expect(parseManifestName("localhost:5000/taxi/backend:image-stage-x")).toEqual({
      registry: "localhost:5000",
      repository: "taxi/backend",
      tag: "image-stage-x",
      digest: null,
    });
    expect(parseManifestName(`registry.example.com/a@${digest}`)).toEqual({
      registry: "registry.example.com",
      repository: "a",
      tag: null,
      digest,
    });
    expect(parseManifestName(`127.0.0.1:5790/a/b:v1@${digest}`)).toMatchObject({ tag: "v1", digest });
    expect(parseManifestName("[::1]:5000/x")).toMatchObject({ registry: "[::1]:5000", repository: "x", tag: null });
    expect(parseManifestName("localhost/x:1")).toMatchObject({ registry: "localhost", repository: "x", tag: "1" });
  });

  it("normalizes Docker Hub names", () => {
    expect(parseManifestName("alpine:3.20")).toEqual({
      registry: "docker.io",
      repository: "library/alpine",
      tag: "3.20",
      digest: null,
    });
    expect(parseManifestName("index.docker.io/user/app")).toMatchObject({
      registry: "docker.io",
      repository: "user/app",
    });
  });

  it("rejects what Docker's grammar rejects", () => {
    // (`Upper/case` is not among them: Docker reads an uppercase first component as a host.)
    for (const bad of [
      "",
      "host.io/Upper/case",
      "host:5000/a:",
      "host:5000/a@sha256:zz",
      "host.io/a//b",
      "host.io/-a",
      `host.io/a:${"t".repeat(129)}`,
    ]) {
      expect(() => parseManifestName(bad), bad).toThrow(InvalidReferenceError);
    }
  });

  it("formats names back and picks the URL reference", () => {
    const name = parseManifestName(`localhost:5000/a:v1@${digest}`);
    expect(formatManifestName(name)).toBe(`localhost:5000/a@${digest}`);
    expect(manifestReference(name)).toBe(digest);
    expect(formatManifestName(parseManifestName("localhost:5000/a"))).toBe("localhost:5000/a:latest");
    expect(parseRepositoryName("localhost:5000/a/b")).toEqual({ registry: "localhost:5000", repository: "a/b" });
  });
});

describe("registry addresses", () => {
  it("refuses a host no URL can hold as a usage error naming the registry, not a bare Invalid URL", () => {
    for (const parse of [parseManifestName, parseRepositoryName]) {
      let caught: unknown;
      try {
        parse("xn--a.com/x");
      } catch (error) {
        caught = error;
      }
      expect(UsageError.isInstance(caught)).toBe(true);
      expect((caught as Error).message).toBe(
        'invalid reference "xn--a.com/x": registry "xn--a.com" is not a valid host name',
      );
    }
  });

  it("refuses a port out of range before any request", () => {
    expect(() => parseRepositoryName("localhost:99999/x")).toThrow(
      'port 99999 of registry "localhost:99999" is out of range: a port is a number from 1 to 65535',
    );
  });
});
