import { compilePathSelection } from "@stages/core/internal";
import type { Header } from "tar-stream";
import { describe, expect, it } from "vitest";
import { relativeToAdd, rewriteImportEntries } from "./import-archive.js";
import type { TarEntry, TarEntryInput } from "./tar.js";

function entry(name: string, type: Header["type"], extra: Partial<Header> = {}): TarEntry {
  const header = {
    name,
    type,
    mode: type === "directory" ? 0o755 : 0o644,
    uid: 5,
    gid: 6,
    size: 0,
    mtime: new Date(0),
    linkname: "",
    uname: "",
    gname: "",
    devmajor: 0,
    devminor: 0,
    ...extra,
  } as Header;
  const body = Object.assign((async function* () {})(), { resume: () => undefined });
  return { header, body };
}

async function names(
  entries: TarEntry[],
  rewrite: Parameters<typeof rewriteImportEntries>[1],
): Promise<TarEntryInput["header"][]> {
  const out: TarEntryInput["header"][] = [];
  for await (const each of rewriteImportEntries(
    (async function* () {
      yield* entries;
    })(),
    rewrite,
  ))
    out.push(each.header);
  return out;
}

const tree = [
  entry("tool/", "directory"),
  entry("tool/bin/", "directory"),
  entry("tool/bin/tool", "file", { mode: 0o755 }),
  entry("tool/bin/link", "symlink", { linkname: "tool" }),
  entry("tool/bin/hard", "link", { linkname: "tool/bin/tool" }),
  entry("tool/doc/", "directory"),
  entry("tool/doc/guide.md", "file"),
  entry("tool/lib/", "directory"),
  entry("tool/lib/sub/", "directory"),
  entry("tool/lib/sub/x.so", "file"),
  entry("tool/lib/empty/", "directory"),
  entry("tool/fifo", "fifo"),
];

describe("relativeToAdd", () => {
  it("strips the base name of add", () => {
    expect(relativeToAdd("tool")).toBe("");
    expect(relativeToAdd("tool/")).toBe("");
    expect(relativeToAdd("./tool/bin/x")).toBe("bin/x");
  });
});

describe("rewriteImportEntries", () => {
  it("moves everything to `to`, keeping owners without an owner given", async () => {
    const headers = await names(tree, {
      to: "/usr/local/tool",
      selection: null,
      uid: null,
      gid: null,
      writeRoot: true,
    });
    expect(headers.map((header) => header.name)).toEqual([
      "usr/local/tool",
      "usr/local/tool/bin",
      "usr/local/tool/bin/tool",
      "usr/local/tool/bin/link",
      "usr/local/tool/bin/hard",
      "usr/local/tool/doc",
      "usr/local/tool/doc/guide.md",
      "usr/local/tool/lib",
      "usr/local/tool/lib/sub",
      "usr/local/tool/lib/sub/x.so",
      "usr/local/tool/lib/empty",
    ]);
    expect(headers.find((header) => header.name.endsWith("hard"))?.linkname).toBe("usr/local/tool/bin/tool");
    expect(headers.find((header) => header.name.endsWith("bin/link"))?.linkname).toBe("tool");
    expect(headers.every((header) => header.uid === 5 && header.gid === 6)).toBe(true);
  });

  it("selects with include/exclude, writes parents only when needed, sets owner and group", async () => {
    const headers = await names(tree, {
      to: "/opt/t",
      selection: compilePathSelection(["lib/sub", "bin/link"], ["**/*.md"]),
      uid: 1000,
      gid: 50,
      writeRoot: false,
    });
    expect(headers.map((header) => `${header.name} ${header.uid}:${header.gid}`)).toEqual([
      "opt/t/bin 1000:50",
      "opt/t/bin/link 1000:50",
      "opt/t/lib 1000:50",
      "opt/t/lib/sub 1000:50",
      "opt/t/lib/sub/x.so 1000:50",
    ]);
  });

  it("reads ! and ( in patterns as plain characters, as git does (werf has no negation or extglobs)", async () => {
    const files = [entry("tool/", "directory")];
    for (const name of ["a.md", "!b.md", "c(d).so", "cd.so"]) files.push(entry(`tool/${name}`, "file"));
    const headers = await names(files, {
      to: "/t",
      selection: compilePathSelection(["!*.md", "*(d).so"], []),
      uid: null,
      gid: null,
      writeRoot: false,
    });
    expect(headers.map((header) => header.name)).toEqual(["t/!b.md", "t/c(d).so"]);
  });

  it("drops hard links whose target was not selected", async () => {
    const headers = await names(tree, {
      to: "/t",
      selection: compilePathSelection(["bin/hard"], []),
      uid: null,
      gid: null,
      writeRoot: true,
    });
    expect(headers.map((header) => header.name)).toEqual(["t"]);
  });

  it("puts a single file at `to`", async () => {
    const headers = await names([entry("tool", "file", { mode: 0o755, size: 3 })], {
      to: "/usr/local/bin/tool",
      selection: null,
      uid: null,
      gid: null,
      writeRoot: false,
    });
    expect(headers).toMatchObject([{ name: "usr/local/bin/tool", mode: 0o755, size: 3, type: "file" }]);
  });
});
