import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import {
  applyChmod,
  copyDestination,
  detectCompression,
  isTarHeader,
  parseChown,
  resolveChown,
} from "./dockerfile-copy.js";
import { parseAccounts } from "./ownership.js";

describe("copyDestination", () => {
  it.each([
    ["/dst", "", { path: "/dst", directory: false }],
    ["/dst/", "", { path: "/dst", directory: true }],
    ["dst", "", { path: "/dst", directory: false }],
    ["dst", "/w", { path: "/w/dst", directory: false }],
    ["dst/", "/w/", { path: "/w/dst", directory: true }],
    [".", "/w", { path: "/w", directory: true }],
    ["./", "/w", { path: "/w", directory: true }],
    ["", "/w", { path: "/w", directory: true }],
    // BuildKit joins (and so cleans) before looking at the written form: "x/." is no directory.
    ["x/.", "/w", { path: "/w/x", directory: false }],
    ["../up", "/w/a", { path: "/w/up", directory: false }],
    ["/", "/w", { path: "/", directory: true }],
    ["//a//b/", "/w", { path: "/a/b", directory: true }],
    ["rel", "w", { path: "/w/rel", directory: false }],
  ])("%j in %j is %j", (written, workingDir, expected) => {
    expect(copyDestination(written, workingDir)).toEqual(expected);
  });
});

describe("applyChmod", () => {
  it("replaces the permission bits and keeps setuid, setgid and sticky of the source", () => {
    expect(applyChmod(0o644, null)).toBe(0o644);
    expect(applyChmod(0o100755, null)).toBe(0o755);
    expect(applyChmod(0o644, 0o600)).toBe(0o600);
    expect(applyChmod(0o4750, 0o755)).toBe(0o4755);
    // --chmod=4755 does not set setuid: BuildKit takes the permission bits only.
    expect(applyChmod(0o644, 0o4755)).toBe(0o755);
  });
});

describe("--chown", () => {
  const accounts = parseAccounts(
    "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\ndev:x:1500:2000::/:/bin/sh\n",
    "root:x:0:\nstaff:x:2000:\nnogroup:x:65534:\n",
  );

  it("splits user and group at the first colon", () => {
    expect(parseChown("app")).toEqual({ user: "app", group: null });
    expect(parseChown("app:staff")).toEqual({ user: "app", group: "staff" });
    expect(parseChown("1:2:3")).toEqual({ user: "1", group: "2:3" });
  });

  it.each([
    ["1000", { uid: 1000, gid: 1000 }],
    ["7", { uid: 7, gid: 7 }],
    ["7:8", { uid: 7, gid: 8 }],
    ["dev", { uid: 1500, gid: 2000 }],
    ["dev:nogroup", { uid: 1500, gid: 65534 }],
    ["app:2000", { uid: 1000, gid: 2000 }],
    ["42:staff", { uid: 42, gid: 2000 }],
  ])("%j is %j as BuildKit reads it", (chown, expected) => {
    const warnings: string[] = [];
    expect(resolveChown(chown, accounts, (text) => warnings.push(text))).toEqual(expected);
    expect(warnings).toEqual([]);
  });

  it("takes an unknown name as BuildKit does (0, or the user's group) and warns", () => {
    const warnings: string[] = [];
    expect(resolveChown("nosuchuser", accounts, (text) => warnings.push(text))).toEqual({ uid: 0, gid: 0 });
    expect(resolveChown("1000:nosuchgroup", accounts, (text) => warnings.push(text))).toEqual({
      uid: 1000,
      gid: 1000,
    });
    expect(warnings).toEqual([
      'user "nosuchuser" of --chown=nosuchuser is not in /etc/passwd of the image: using 0',
      'group "nosuchgroup" of --chown=1000:nosuchgroup is not in /etc/group of the image: keeping 1000',
    ]);
  });
});

async function tarBytes(): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: "a.txt", mode: 0o644 }, "a\n");
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe("archives of ADD", () => {
  it("finds the compression by the first bytes, as docker does (zstd is none on Engine 20.10)", async () => {
    const plain = await tarBytes();
    expect(detectCompression(plain)).toBeNull();
    expect(detectCompression(gzipSync(plain))).toBe("gzip");
    expect(detectCompression(Buffer.from("BZh91AY&SY"))).toBe("bzip2");
    expect(detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00]))).toBe("xz");
    expect(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00]))).toBeNull();
    expect(detectCompression(Buffer.from([0x1f, 0x8b]))).toBeNull();
  });

  it("tells a tar header by its checksum", async () => {
    const plain = await tarBytes();
    expect(isTarHeader(plain.subarray(0, 512))).toBe(true);
    const broken = Buffer.from(plain.subarray(0, 512));
    broken[0] = (broken[0] as number) ^ 1;
    expect(isTarHeader(broken)).toBe(false);
    expect(isTarHeader(Buffer.alloc(512))).toBe(false);
    expect(isTarHeader(Buffer.from("not a tar at all\n".repeat(40)))).toBe(false);
    expect(isTarHeader(plain.subarray(0, 100))).toBe(false);
  });
});
