import { describe, expect, it } from "vitest";
import { JsonLinesDecoder, parseProgressMessage } from "./progress.js";

describe("parseProgressMessage", () => {
  it("reads per-layer progress", () => {
    expect(
      parseProgressMessage({
        status: "Pushing",
        progressDetail: { current: 512, total: 2048 },
        progress: "[=> ]",
        id: "5f70bf18a086",
      }),
    ).toEqual([{ kind: "layer", progress: { id: "5f70bf18a086", status: "Pushing", current: 512, total: 2048 } }]);
    expect(parseProgressMessage({ status: "Layer already exists", progressDetail: {}, id: "abc" })).toEqual([
      { kind: "layer", progress: { id: "abc", status: "Layer already exists", current: null, total: null } },
    ]);
  });

  it("keeps statuses without a layer, the tag of 'Pulling from' included", () => {
    expect(parseProgressMessage({ status: "Pulling from stages/busybox", id: "1" })).toEqual([
      { kind: "status", text: "1: Pulling from stages/busybox" },
    ]);
    expect(parseProgressMessage({ status: "The push refers to repository [localhost:5000/x]" })).toEqual([
      { kind: "status", text: "The push refers to repository [localhost:5000/x]" },
    ]);
  });

  it("finds the manifest digest of a push (aux) and of a pull (Digest: line)", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(parseProgressMessage({ progressDetail: {}, aux: { Tag: "1", Digest: digest, Size: 528 } })).toEqual([
      { kind: "digest", digest },
    ]);
    expect(parseProgressMessage({ status: `Digest: ${digest}` })).toEqual([
      { kind: "status", text: `Digest: ${digest}` },
      { kind: "digest", digest },
    ]);
    expect(parseProgressMessage({ status: `1: digest: ${digest} size: 528` })).toContainEqual({
      kind: "digest",
      digest,
    });
  });

  it("reads errors", () => {
    expect(parseProgressMessage({ errorDetail: { message: "manifest unknown\n" }, error: "manifest unknown" })).toEqual(
      [{ kind: "error", message: "manifest unknown" }],
    );
    expect(parseProgressMessage({ error: "denied" })).toEqual([{ kind: "error", message: "denied" }]);
  });

  it("ignores what is not a message", () => {
    expect(parseProgressMessage(null)).toEqual([]);
    expect(parseProgressMessage("text")).toEqual([]);
    expect(parseProgressMessage({ progressDetail: {} })).toEqual([]);
  });
});

describe("JsonLinesDecoder", () => {
  it("splits values across chunks and CRLF line ends", () => {
    const decoder = new JsonLinesDecoder();
    expect(decoder.push('{"status":"a"}\r\n{"sta')).toEqual([{ status: "a" }]);
    expect(decoder.push('tus":"b"}\n\n{"status"')).toEqual([{ status: "b" }]);
    expect(decoder.push(':"c"}')).toEqual([]);
    expect(decoder.end()).toEqual([{ status: "c" }]);
    expect(decoder.end()).toEqual([]);
  });

  it("keeps a line that is not JSON as a status", () => {
    expect(new JsonLinesDecoder().push("proxy said no\n")).toEqual([{ status: "proxy said no" }]);
  });
});
