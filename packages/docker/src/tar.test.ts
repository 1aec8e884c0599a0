import { Readable, Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import type { TarEntryInput } from "./tar.js";
import { createTarStream, readTar, readTarFiles } from "./tar.js";

async function* listed(entries: TarEntryInput[]): AsyncGenerator<TarEntryInput> {
  yield* entries;
}

/** Pipes the archive into a writable as docker-modem sends a request body; the sizes of its writes. */
async function writesOf(stream: Readable): Promise<number[]> {
  const sizes: number[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sizes.push(chunk.byteLength);
      callback();
    },
  });
  await new Promise<void>((resolve, reject) => {
    sink.on("finish", resolve);
    stream.on("error", reject);
    stream.pipe(sink);
  });
  return sizes;
}

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

  it("keeps every header field the readers pass on (owners, names, devices, times, PAX records)", async () => {
    const mtime = new Date("2024-05-06T07:08:09Z");
    const common = { uid: 1234, gid: 5678, uname: "app", gname: "staff", mtime };
    const { stream, done } = createTarStream(
      listed([
        {
          header: { ...common, name: "caps", type: "file", mode: 0o4755, pax: { "SCHILY.xattr.user.k": "v" } },
          body: Buffer.from("x"),
        },
        { header: { ...common, name: "héllo/ünïcode", type: "file", mode: 0o600 }, body: Buffer.from("y") },
        { header: { ...common, name: "null", type: "character-device", devmajor: 1, devminor: 3, mode: 0o666 } },
        { header: { ...common, name: "hard", type: "link", linkname: "caps" } },
      ]),
    );
    const headers = [];
    for await (const entry of readTar(stream)) headers.push(entry.header);
    await done;
    expect(
      headers.map((header) => [
        header.name,
        header.type,
        header.mode,
        header.uid,
        header.gid,
        header.uname,
        header.gname,
      ]),
    ).toEqual([
      ["caps", "file", 0o4755, 1234, 5678, "app", "staff"],
      ["héllo/ünïcode", "file", 0o600, 1234, 5678, "app", "staff"],
      ["null", "character-device", 0o666, 1234, 5678, "app", "staff"],
      ["hard", "link", 0o644, 1234, 5678, "app", "staff"],
    ]);
    expect(headers.map((header) => header.mtime?.getTime())).toEqual(Array(4).fill(mtime.getTime()));
    expect(headers[0]?.pax).toMatchObject({ "SCHILY.xattr.user.k": "v" });
    expect([headers[2]?.devmajor, headers[2]?.devminor, headers[3]?.linkname]).toEqual([1, 3, "caps"]);
  });

  it("leaves the caller's headers as they were", async () => {
    const entries: TarEntryInput[] = [
      { header: { name: "d", type: "directory" } },
      { header: { name: "d/a", type: "file" }, body: Buffer.from("alpha") },
      { header: { name: "d/b", type: "file", size: 4 }, body: Readable.from([Buffer.from("beta")]) },
      { header: { name: "d/l", type: "symlink", linkname: "a" } },
    ];
    const before = structuredClone(entries.map((entry) => entry.header));
    const { stream, done } = createTarStream(listed(entries));
    expect((await readTarFiles(stream)).get("d/b")?.toString()).toBe("beta");
    await done;
    expect(entries.map((entry) => entry.header)).toEqual(before);
  });

  it("sends many small entries in large writes, not one per header, content and padding", async () => {
    const content = Buffer.alloc(100, 1);
    const entries = Array.from({ length: 2000 }, (_, index) => ({
      header: { name: `f${index}`, type: "file" as const },
      body: content,
    }));
    const { stream, done } = createTarStream(listed(entries));
    const sizes = await writesOf(stream);
    await done;
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(2000 * 1024 + 1024);
    // 6 000 records of 512, 100 and 412 bytes before: one write each.
    expect(sizes.length).toBeLessThan(100);
  });

  it("writes an archive without entries", async () => {
    const { stream, done } = createTarStream(listed([]));
    expect(await writesOf(stream)).toEqual([1024]);
    await done;
  });

  it("asks for no more entries while the archive is not read, and for all of them once it is", async () => {
    let asked = 0;
    const body = Buffer.alloc(256 * 1024, 2);
    const { stream, done } = createTarStream(
      (async function* () {
        for (let index = 0; index < 64; index++) {
          asked++;
          yield { header: { name: `big${index}`, type: "file" as const }, body };
        }
      })(),
    );
    await sleep(100);
    // What the stream and the packer buffer, not the archive (16 MiB).
    expect(asked).toBeLessThanOrEqual(3);
    const sizes = await writesOf(stream);
    await done;
    expect(asked).toBe(64);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(64 * (512 + body.byteLength) + 1024);
  });

  it("stops the producer when the reader gives up", async () => {
    let asked = 0;
    let closed = false;
    const { stream, done } = createTarStream(
      (async function* () {
        try {
          for (let index = 0; index < 1000; index++) {
            asked++;
            yield {
              header: { name: `f${index}`, type: "file" as const, size: 3 },
              body: Readable.from([Buffer.from("abc")]),
            };
          }
        } finally {
          closed = true;
        }
      })(),
    );
    await new Promise<void>((resolve) => stream.once("data", () => resolve()));
    stream.destroy();
    await expect(done).rejects.toThrow();
    expect(closed).toBe(true);
    expect(asked).toBeLessThan(1000);
  });

  const bodyKinds = {
    "an async iterable": (chunks: () => AsyncGenerator<Buffer>) => chunks(),
    "a Node stream": (chunks: () => AsyncGenerator<Buffer>) => Readable.from(chunks()),
  };

  for (const [kind, bodyOf] of Object.entries(bodyKinds)) {
    it(`ends the archive with the error of a body that fails (${kind})`, async () => {
      const { stream, done } = createTarStream(
        listed([
          { header: { name: "a", type: "file" }, body: Buffer.from("a") },
          {
            header: { name: "b", type: "file", size: 10 },
            body: bodyOf(async function* () {
              yield Buffer.from("12345");
              throw new Error("context read failed");
            }),
          },
        ]),
      );
      await expect(readTarFiles(stream)).rejects.toThrow();
      await expect(done).rejects.toThrow("context read failed");
    });

    it(`closes the body being written when the reader gives up (${kind})`, async () => {
      let closed = false;
      const { stream, done } = createTarStream(
        listed([
          {
            header: { name: "big", type: "file", size: 100 * 65536 },
            body: bodyOf(async function* () {
              try {
                for (let index = 0; index < 100; index++) yield Buffer.alloc(65536, 3);
              } finally {
                closed = true;
              }
            }),
          },
        ]),
      );
      await new Promise<void>((resolve) => stream.once("data", () => resolve()));
      stream.destroy();
      await expect(done).rejects.toThrow();
      await vi.waitFor(() => expect(closed).toBe(true), { timeout: 2000 });
    });

    it(`writes large bodies whole while the reader is slower (${kind})`, async () => {
      const { stream, done } = createTarStream(
        listed([
          {
            header: { name: "big", type: "file", size: 64 * 65536 },
            body: bodyOf(async function* () {
              for (let index = 0; index < 64; index++) yield Buffer.alloc(65536, index);
            }),
          },
          { header: { name: "after", type: "file" }, body: Buffer.from("end") },
        ]),
      );
      const slow = new Readable({ read() {} });
      const files = readTarFiles(slow);
      for await (const chunk of stream) {
        await sleep(1);
        slow.push(chunk);
      }
      slow.push(null);
      const read = await files;
      await done;
      const big = read.get("big");
      expect(big?.byteLength).toBe(64 * 65536);
      expect([big?.[0], big?.[65536 * 10], big?.[64 * 65536 - 1]]).toEqual([0, 10, 63]);
      expect(read.get("after")?.toString()).toBe("end");
    });
  }
});
