import { RegistryError } from "@stages/core";
import { describe, expect, it } from "vitest";
import { manifestMediaType, parseManifest } from "./manifest.js";
import { mediaTypes } from "./media-types.js";

const digest = `sha256:${"a".repeat(64)}`;
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe("manifests", () => {
  it("parses image manifests and indexes and infers their media type", () => {
    const docker = parseManifest(
      encode({ schemaVersion: 2, config: { mediaType: mediaTypes.dockerConfig, digest, size: 1 }, layers: [] }),
      "x",
    );
    expect(manifestMediaType(docker)).toBe(mediaTypes.dockerManifest);
    const oci = parseManifest(
      encode({
        schemaVersion: 2,
        config: { mediaType: mediaTypes.ociConfig, digest, size: 1 },
        layers: [{ mediaType: "l", digest, size: 2 }],
      }),
      "x",
    );
    expect(manifestMediaType(oci)).toBe(mediaTypes.ociManifest);
    const index = parseManifest(encode({ schemaVersion: 2, manifests: [{ mediaType: "m", digest, size: 3 }] }), "x");
    expect(manifestMediaType(index)).toBe(mediaTypes.ociIndex);
    const list = parseManifest(
      encode({ schemaVersion: 2, mediaType: mediaTypes.dockerManifestList, manifests: [] }),
      "x",
    );
    expect(manifestMediaType(list)).toBe(mediaTypes.dockerManifestList);
  });

  it("rejects schema 1, non-JSON and broken descriptors", () => {
    expect(() => parseManifest(encode({ schemaVersion: 1, fsLayers: [] }), "x")).toThrow(
      /schema 1 manifests are not supported|not a schema 2/,
    );
    expect(() => parseManifest(new TextEncoder().encode("{"), "x")).toThrow(RegistryError);
    expect(() =>
      parseManifest(encode({ schemaVersion: 2, config: { digest: "nope", size: 1 }, layers: [] }), "x"),
    ).toThrow(/no valid config/);
    expect(() => parseManifest(encode({ schemaVersion: 2, manifests: [{ digest, size: "1" }] }), "x")).toThrow(
      /invalid entry/,
    );
  });
});
