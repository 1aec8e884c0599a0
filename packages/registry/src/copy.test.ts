import { describe, expect, it } from "vitest";
import { distinctManifestBytes } from "./copy.js";

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("distinctManifestBytes", () => {
  const manifest = {
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: {
      mediaType: "application/vnd.docker.container.image.v1+json",
      size: 7,
      digest: `sha256:${"a".repeat(64)}`,
    },
    layers: [
      { mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: 9, digest: `sha256:${"b".repeat(64)}` },
    ],
  };

  it("gives a 3-space-indented manifest (docker push's form) its compact form, fields in the same order", () => {
    const source = encode(JSON.stringify(manifest, null, 3));
    const copy = distinctManifestBytes(source);
    expect(decode(copy)).toBe(JSON.stringify(manifest));
  });

  it("gives a compact manifest an indented form: never the source's bytes, always the same value", () => {
    const source = encode(JSON.stringify(manifest));
    const copy = distinctManifestBytes(source);
    expect(Buffer.compare(copy, source)).not.toBe(0);
    expect(JSON.parse(decode(copy))).toEqual(manifest);
    expect(decode(distinctManifestBytes(source))).toBe(decode(copy));
  });
});
