import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createTarStream, readTar, readTarFiles } from "./tar.js";

describe("tar streams", () => {
  it("writes entries that read back the same, from buffers and streams, long names included", async () => {
    const longName = `deep/${"d".repeat(120)}/file.txt`;
    const { stream, done } = createTarStream(
      (async function* () {
        yield { header: { name: "dir", type: "directory" as const, mode: 0o755, uid: 1000, gid: 50 } };
        yield {
          header: { name: "dir/a.txt", type: "file" as const, mode: 0o644 },
          body: new TextEncoder().encode("alpha"),
        };
        yield { header: { name: "dir/link", type: "symlink" as const, linkname: "a.txt" } };
        yield {
          header: { name: longName, type: "file" as const, size: 6 },
          body: Readable.from([Buffer.from("str"), Buffer.from("eam")]),
        };
      })(),
    );
    const seen: string[] = [];
    const contents = new Map<string, string>();
    for await (const entry of readTar(stream)) {
      seen.push(
        `${entry.header.type} ${entry.header.name} ${entry.header.uid}:${entry.header.gid} ${entry.header.linkname ?? ""}`.trim(),
      );
      if (entry.header.type === "file") {
        const chunks: Buffer[] = [];
        for await (const chunk of entry.body) chunks.push(chunk);
        contents.set(entry.header.name, Buffer.concat(chunks).toString());
      }
    }
    await done;
    expect(seen).toEqual([
      "directory dir 1000:50",
      "file dir/a.txt 0:0",
      "symlink dir/link 0:0 a.txt",
      `file ${longName} 0:0`,
    ]);
    expect(contents.get("dir/a.txt")).toBe("alpha");
    expect(contents.get(longName)).toBe("stream");
  });

  it("ends the archive with the producer's error", async () => {
    const { stream, done } = createTarStream(
      (async function* () {
        yield { header: { name: "a", type: "file" as const }, body: new Uint8Array([1]) };
        throw new Error("git read failed");
      })(),
    );
    await expect(readTarFiles(stream)).rejects.toThrow();
    await expect(done).rejects.toThrow("git read failed");
  });
});
