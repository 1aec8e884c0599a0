import { execFileSync } from "node:child_process";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { sha256Digest } from "./digest.js";
import { createLayer, createTar } from "./layer.js";

describe("layers", () => {
  it("writes a tar that GNU tar reads back", () => {
    const tar = createTar([
      { path: "app/", type: "directory" },
      { path: "app/hello.txt", content: "hello\n", mode: 0o600 },
      { path: "app/link", type: "symlink", linkTarget: "hello.txt" },
      { path: `deep/${"d".repeat(90)}/${"f".repeat(40)}.txt`, content: "long path" },
    ]);
    expect(tar.byteLength % 512).toBe(0);
    const listing = execFileSync("tar", ["-tvf", "-"], { input: tar, encoding: "utf8" });
    expect(listing).toMatch(/^drwxr-xr-x 0\/0 +0 1970-01-01 00:00 app\/$/m);
    expect(listing).toMatch(/^-rw------- 0\/0 +6 1970-01-01 00:00 app\/hello.txt$/m);
    expect(listing).toMatch(/app\/link -> hello.txt/);
    expect(listing).toContain(`${"f".repeat(40)}.txt`);
    expect(execFileSync("tar", ["-xOf", "-", "app/hello.txt"], { input: tar, encoding: "utf8" })).toBe("hello\n");
  });

  it("is deterministic and knows its digest and diff id", () => {
    const entries = [{ path: "a.txt", content: "a" }];
    const layer = createLayer(entries);
    expect(createLayer(entries)).toEqual(layer);
    expect(layer.digest).toBe(sha256Digest(layer.bytes));
    expect(layer.diffId).toBe(sha256Digest(gunzipSync(layer.bytes)));
    expect(layer.mediaType).toBe("application/vnd.docker.image.rootfs.diff.tar.gzip");
    expect(createLayer(entries, "oci").mediaType).toBe("application/vnd.oci.image.layer.v1.tar+gzip");
  });
});
