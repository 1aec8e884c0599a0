import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { detectCompression, isTarHeader } from "./dockerfile-copy-archive.js";

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
