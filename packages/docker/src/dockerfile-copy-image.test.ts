import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { composeInitLayerView, scanLayer } from "./dockerfile-copy-image.js";

type Entry = {
  name: string;
  type?: "file" | "directory" | "symlink";
  mode?: number;
  linkname?: string;
  content?: string;
};

async function layer(entries: Entry[]) {
  const pack = tar.pack();
  for (const { content, ...header } of entries) pack.entry({ mode: 0o644, ...header }, content ?? "");
  pack.finalize();
  return scanLayer(pack as unknown as AsyncIterable<Buffer>);
}

describe("the image's own files at the paths of the engine's init layer", () => {
  it("applies layers in order, with whiteouts and opaque folders", async () => {
    const view = composeInitLayerView([
      await layer([
        { name: "etc/", type: "directory", mode: 0o755 },
        { name: "etc/hosts", content: "127.0.0.1 base\n" },
        { name: "etc/mtab", type: "symlink", linkname: "../proc/self/mounts" },
        { name: "etc/passwd", content: "root:x:0:0::/root:/bin/sh\n" },
        { name: "proc/", type: "directory", mode: 0o555 },
        { name: "sys/", type: "directory", mode: 0o555 },
      ]),
      await layer([{ name: "etc/.wh.hosts" }, { name: "dev/", type: "directory", mode: 0o755 }, { name: ".wh.sys" }]),
      await layer([{ name: "etc/.wh..wh..opq" }, { name: "etc/hostname", content: "box\n" }]),
    ]);
    expect(view.get("/etc/hosts")).toBeNull();
    expect(view.get("/etc/mtab")).toBeNull();
    expect(view.get("/sys")).toBeNull();
    expect(view.get("/.dockerenv")).toBeNull();
    expect(view.get("/dev/console")).toBeNull();
    expect(view.get("/etc/hostname")?.body?.toString()).toBe("box\n");
    expect(view.get("/proc")?.header).toMatchObject({ type: "directory", mode: 0o555 });
    expect(view.get("/dev")?.header.type).toBe("directory");
    // Only the shadowed paths are kept.
    expect(view.has("/etc/passwd")).toBe(false);
  });

  it("drops what is under a folder a later layer replaces with a file", async () => {
    const view = composeInitLayerView([
      await layer([
        { name: "etc/", type: "directory" },
        { name: "etc/hosts", content: "x\n" },
      ]),
      await layer([{ name: "etc", content: "not a folder\n" }]),
    ]);
    expect(view.get("/etc/hosts")).toBeNull();
    expect(view.get("/etc")?.header.type).toBe("file");
  });
});
