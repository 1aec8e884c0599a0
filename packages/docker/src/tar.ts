import { Readable } from "node:stream";
import type { Header, Pack } from "tar-stream";
import tar from "tar-stream";

/** One entry to write: a header and, for files, the content. */
export interface TarEntryInput {
  header: Partial<Header> & { name: string };
  body?: Uint8Array | AsyncIterable<Uint8Array> | undefined;
}

/** An entry read from an archive; `body` must be consumed (or is drained) before the next one. */
export interface TarEntry {
  header: Header;
  body: AsyncIterable<Buffer> & { resume(): unknown };
}

/**
 * A tar stream of the entries, produced while it is read (back-pressure: the next entry is asked
 * for only once the previous one went out). `done` settles when the last entry was written or
 * with the producer's error, which is the one worth reporting if the consumer fails too.
 */
export function createTarStream(entries: AsyncIterable<TarEntryInput>): { stream: Readable; done: Promise<void> } {
  const pack = tar.pack();
  const done = (async () => {
    try {
      for await (const entry of entries) await writeEntry(pack, entry);
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
      throw error;
    }
  })();
  // Readers that give up early must not leave an unhandled rejection behind.
  done.catch(() => {});
  return { stream: Readable.from(pack as unknown as AsyncIterable<Buffer>, { objectMode: false }), done };
}

function writeEntry(pack: Pack, entry: TarEntryInput): Promise<void> {
  return new Promise((resolve, reject) => {
    const callback = (error?: Error | null) => (error ? reject(error) : resolve());
    const body = entry.body;
    if (body === undefined) {
      pack.entry(entry.header, callback);
      return;
    }
    if (body instanceof Uint8Array) {
      // tar-stream takes Buffers only; a view shares the bytes.
      const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      pack.entry({ ...entry.header, size: buffer.byteLength }, buffer, callback);
      return;
    }
    const sink = pack.entry(entry.header, callback);
    (async () => {
      for await (const chunk of body) {
        if (!sink.write(chunk)) await new Promise<void>((drained) => sink.once("drain", () => drained()));
      }
      // streamx types want an argument; undefined ends without writing.
      sink.end(undefined);
    })().catch((error: unknown) => {
      sink.destroy(error as Error);
      reject(error);
    });
  });
}

/** Reads the entries of a tar stream one after another. */
export async function* readTar(input: Readable): AsyncGenerator<TarEntry> {
  const extract = tar.extract();
  input.on("error", (error) => extract.destroy(error));
  input.pipe(extract as unknown as NodeJS.WritableStream);
  try {
    for await (const entry of extract) {
      yield { header: entry.header, body: entry as unknown as TarEntry["body"] };
      entry.resume();
    }
  } finally {
    extract.destroy();
    if (!input.destroyed) input.destroy();
  }
}

/** The contents of the regular files of a (small) archive, by entry name. */
export async function readTarFiles(input: Readable): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for await (const entry of readTar(input)) {
    if (entry.header.type !== "file") continue;
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body) chunks.push(chunk);
    files.set(entry.header.name, Buffer.concat(chunks));
  }
  return files;
}
