// Tests only: a small DER reader, so that the key and certificate tests check structures without
// trusting the encoder they test (der.ts).

/** One DER element: its tag, its whole encoding, its content, and its children when constructed. */
export interface DerNode {
  tag: number;
  raw: Uint8Array;
  content: Uint8Array;
  children: DerNode[];
}

/** The DER elements in `bytes`, in order. */
export function readDer(bytes: Uint8Array): DerNode[] {
  const nodes: DerNode[] = [];
  for (let at = 0; at < bytes.length; ) {
    const tag = bytes[at] as number;
    let size = bytes[at + 1] as number;
    let start = at + 2;
    if (size & 0x80) {
      const count = size & 0x7f;
      size = 0;
      for (let i = 0; i < count; i++) size = size * 256 + (bytes[start + i] as number);
      start += count;
    }
    const content = bytes.subarray(start, start + size);
    const constructed = (tag & 0x20) !== 0;
    nodes.push({ tag, raw: bytes.subarray(at, start + size), content, children: constructed ? readDer(content) : [] });
    at = start + size;
  }
  return nodes;
}
