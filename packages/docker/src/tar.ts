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

/** What one chunk of the archive gathers: small records are sent together, not one write each. */
const chunkSize = 64 * 1024;

/**
 * A tar stream of the entries, produced while it is read (back-pressure: the next entry is asked
 * for only once the previous one went out). `done` settles when the last entry was written or
 * with the producer's error, which is the one worth reporting if the consumer fails too.
 */
export function createTarStream(entries: AsyncIterable<TarEntryInput>): { stream: Readable; done: Promise<void> } {
  const pack = tar.pack({ highWaterMark: chunkSize });
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
  return { stream: packReader(pack), done };
}

/**
 * The packer's output as a Node stream. The packer pushes every header, body and padding as its
 * own small buffer; they are joined here into chunks of up to `chunkSize`, which saves the consumer
 * (an HTTP request) a write per record. Reading waits for the next turn of the event loop
 * (setImmediate): the producer then runs until it waits for its input or the packer is full, so
 * the chunks are big even when the consumer asks for more at once. `Readable.from(pack)` cost a
 * promise and a write per record.
 */
function packReader(pack: Pack): Readable {
  let wanted = false;
  let scheduled = false;
  let ended = false;
  const stream = new Readable({
    highWaterMark: chunkSize,
    read() {
      wanted = true;
      schedule();
    },
    destroy(error, callback) {
      pack.destroy(error ?? undefined);
      callback(error);
    },
  });
  const schedule = (): void => {
    if (scheduled || !wanted) return;
    scheduled = true;
    setImmediate(pull);
  };
  const pull = (): void => {
    scheduled = false;
    while (wanted) {
      const chunks: Buffer[] = [];
      let size = 0;
      while (size < chunkSize) {
        const chunk = pack.read() as Buffer | null;
        if (chunk === null) break;
        chunks.push(chunk);
        size += chunk.byteLength;
      }
      if (size === 0) {
        if (ended) stream.push(null);
        return;
      }
      wanted = stream.push(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    }
  };
  pack.on("readable", schedule);
  pack.on("end", () => {
    ended = true;
    schedule();
  });
  pack.on("error", (error: Error) => stream.destroy(error));
  // A reader must not wait forever for an archive the packer will never end.
  pack.on("close", () => {
    if (!ended) stream.destroy(new Error("the tar archive was closed before its end"));
  });
  return stream;
}

function writeEntry(pack: Pack, entry: TarEntryInput): Promise<void> {
  return new Promise((resolve, reject) => {
    const callback = (error?: Error | null) => (error ? reject(error) : resolve());
    const body = entry.body;
    if (body === undefined) {
      pack.entry(packHeader(entry.header, entry.header.size), callback).on("error", ignore);
      return;
    }
    if (body instanceof Uint8Array) {
      // tar-stream takes Buffers only; a view shares the bytes.
      const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      pack.entry(packHeader(entry.header, buffer.byteLength), buffer, callback).on("error", ignore);
      return;
    }
    const sink = pack.entry(packHeader(entry.header, entry.header.size), callback);
    // The entry's error reaches the callback; an `error` event without a listener would be thrown.
    sink.on("error", ignore);
    if (body instanceof Readable) {
      pipeBody(body, sink).catch((error: unknown) => {
        sink.destroy(error as Error);
        reject(error);
      });
      return;
    }
    (async () => {
      for await (const chunk of body) {
        if (!sink.write(chunk)) await drained(sink);
        // The archive was given up: leaving the loop closes the body (a file, an archive's entry).
        if (sink.destroying) return;
      }
      // streamx types want an argument; undefined ends without writing.
      sink.end(undefined);
    })().catch((error: unknown) => {
      sink.destroy(error as Error);
      reject(error);
    });
  });
}

/**
 * Writes a Node stream (a file, `Readable.from`) into the entry through its events: its async
 * iterator cost more than the packer for small files. Settles when the body ended into the entry,
 * or was closed because the archive was given up; rejects with the body's error.
 */
function pipeBody(body: Readable, sink: ReturnType<Pack["entry"]>): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      body.off("data", write);
      body.off("end", end);
      body.off("error", fail);
      sink.off("drain", resume);
      sink.off("close", abandon);
    };
    const write = (chunk: Buffer) => {
      if (!sink.write(chunk)) body.pause();
    };
    const resume = () => body.resume();
    const end = () => {
      settle();
      sink.end(undefined);
      resolve();
    };
    const fail = (error: Error) => {
      settle();
      reject(error);
    };
    const abandon = () => {
      settle();
      body.destroy();
      resolve();
    };
    sink.on("drain", resume);
    sink.on("close", abandon);
    body.on("end", end);
    body.on("error", fail);
    body.on("data", write);
  });
}

/** Settles when the entry takes more, or was destroyed (no `drain` comes then). */
function drained(sink: ReturnType<Pack["entry"]>): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      sink.off("drain", settle);
      sink.off("close", settle);
      resolve();
    };
    sink.on("drain", settle);
    sink.on("close", settle);
  });
}

function ignore(): void {}

/**
 * The header as the packer gets it: a new object (the packer fills in defaults and would change the
 * caller's), always of the same shape. Headers spread from others (`{ ...header, size }`) made the
 * packer's encoding about twice as slow as one literal.
 */
function packHeader(header: TarEntryInput["header"], size: number | undefined): TarEntryInput["header"] {
  return {
    name: header.name,
    mode: header.mode,
    uid: header.uid,
    gid: header.gid,
    size,
    mtime: header.mtime,
    type: header.type,
    linkname: header.linkname,
    uname: header.uname,
    gname: header.gname,
    devmajor: header.devmajor,
    devminor: header.devminor,
    pax: header.pax,
  };
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
