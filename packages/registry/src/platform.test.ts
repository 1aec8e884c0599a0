import { describe, expect, it } from "vitest";
import type { ImageIndex } from "./media-types.js";
import { formatPlatform, parsePlatform, platformForArchitecture, selectPlatform } from "./platform.js";

const digest = (character: string) => `sha256:${character.repeat(64)}` as never;

const index: ImageIndex = {
  schemaVersion: 2,
  manifests: [
    { mediaType: "m", digest: digest("1"), size: 1, platform: { os: "linux", architecture: "amd64" } },
    { mediaType: "m", digest: digest("2"), size: 1, platform: { os: "linux", architecture: "arm", variant: "v6" } },
    { mediaType: "m", digest: digest("3"), size: 1, platform: { os: "linux", architecture: "arm", variant: "v7" } },
    { mediaType: "m", digest: digest("4"), size: 1, platform: { os: "linux", architecture: "arm64" } },
    {
      mediaType: "m",
      digest: digest("5"),
      size: 1,
      platform: { os: "unknown", architecture: "unknown" },
      annotations: { "vnd.docker.reference.type": "attestation-manifest" },
    },
  ],
};

describe("selectPlatform", () => {
  it("matches os, architecture and variant (arm64 is arm64/v8, arm is arm/v7)", () => {
    expect(selectPlatform(index, { os: "linux", architecture: "amd64" })?.digest).toBe(digest("1"));
    expect(selectPlatform(index, { os: "linux", architecture: "arm64", variant: "v8" })?.digest).toBe(digest("4"));
    expect(selectPlatform(index, { os: "linux", architecture: "arm" })?.digest).toBe(digest("3"));
    expect(selectPlatform(index, { os: "linux", architecture: "arm", variant: "v6" })?.digest).toBe(digest("2"));
  });

  it("finds nothing for other platforms and never picks an attestation", () => {
    expect(selectPlatform(index, { os: "linux", architecture: "s390x" })).toBeNull();
    expect(selectPlatform(index, { os: "windows", architecture: "amd64" })).toBeNull();
    expect(selectPlatform(index, { os: "unknown", architecture: "unknown" })).toBeNull();
  });

  it("parses and formats platforms, and maps Node's architectures", () => {
    expect(parsePlatform("linux/arm/v7")).toEqual({ os: "linux", architecture: "arm", variant: "v7" });
    expect(formatPlatform({ os: "linux", architecture: "amd64" })).toBe("linux/amd64");
    expect(platformForArchitecture("x64")).toEqual({ os: "linux", architecture: "amd64" });
    expect(platformForArchitecture("arm64")).toEqual({ os: "linux", architecture: "arm64" });
  });
});
