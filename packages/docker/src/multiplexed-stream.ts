/** One frame of the engine's multiplexed attach/logs stream (containers without a TTY). */
export interface StreamFrame {
  stream: "stdout" | "stderr";
  data: Buffer;
}

/**
 * Decodes the 8-byte-header framing of attach and logs streams: byte 0 is the stream (0 stdin,
 * 1 stdout, 2 stderr), bytes 4-7 the big-endian payload length. Frames may span chunks.
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): StreamFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: StreamFrame[] = [];
    let offset = 0;
    while (this.pending.length - offset >= 8) {
      const type = this.pending.readUInt8(offset);
      const length = this.pending.readUInt32BE(offset + 4);
      if (type > 2) {
        // Not framed (a TTY stream): hand everything over as stdout.
        frames.push({ stream: "stdout", data: this.pending.subarray(offset) });
        offset = this.pending.length;
        break;
      }
      if (this.pending.length - offset - 8 < length) break;
      const data = this.pending.subarray(offset + 8, offset + 8 + length);
      frames.push({ stream: type === 2 ? "stderr" : "stdout", data });
      offset += 8 + length;
    }
    this.pending = offset === this.pending.length ? Buffer.alloc(0) : Buffer.from(this.pending.subarray(offset));
    return frames;
  }

  /** Bytes left over at the end (a truncated frame), as stdout. */
  end(): StreamFrame[] {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest.length > 8 ? [{ stream: "stdout", data: rest.subarray(8) }] : [];
  }
}
