import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBlobReader } from "./remote-blobs.js";
import { createTestRepository, type TestRepository } from "./test-repository.js";

let repository: TestRepository;
beforeEach(() => {
  repository = createTestRepository();
});
afterEach(() => repository.dispose());

/** Writes a blob into the repository's object store and returns its id. */
function blob(content: Uint8Array): string {
  const path = `blob-${Math.random().toString(36).slice(2)}`;
  repository.write(path, content);
  return repository.git("hash-object", "-w", path).trim();
}

describe("createBlobReader", () => {
  it("answers many reads in the order asked, whatever the bytes (newlines, empty, binary, big)", async () => {
    const contents = [
      new TextEncoder().encode("one\ntwo\n"),
      new Uint8Array(0),
      Uint8Array.from({ length: 256 }, (_, index) => index),
      new Uint8Array(300_000).fill(10),
      ...Array.from({ length: 50 }, (_, index) => new TextEncoder().encode(`file ${index}\n`)),
    ];
    const ids = contents.map(blob);
    const reader = createBlobReader("git", repository.root);
    const read = await Promise.all(ids.map((id) => reader.read(id)));
    expect(read.map((bytes) => Buffer.from(bytes).toString("hex"))).toEqual(
      contents.map((bytes) => Buffer.from(bytes).toString("hex")),
    );
    // After an idle pause the process is gone; the next read starts another.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(Buffer.from(await reader.read(ids[0] as string)).toString()).toBe("one\ntwo\n");
  });

  it("fails a missing blob clearly and goes on with the next", async () => {
    const reader = createBlobReader("git", repository.root);
    const present = blob(new TextEncoder().encode("here\n"));
    const [missing, found] = await Promise.allSettled([reader.read("0".repeat(40)), reader.read(present)]);
    expect(missing).toMatchObject({ status: "rejected", reason: { message: expect.stringMatching(/is missing/) } });
    expect(found).toMatchObject({ status: "fulfilled" });
    await expect(reader.read("not-an-id")).rejects.toThrow(/is not a blob id/);
  });
});
