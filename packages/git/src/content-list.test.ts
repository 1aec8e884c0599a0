import { createHash } from "node:crypto";
import type { GitFile } from "@stages/core";
import { describe, expect, it } from "vitest";
import {
  compareUtf8,
  contentIdOf,
  decodeFileList,
  decodeFilesUnder,
  dependenciesChecksumOf,
  encodeFileList,
} from "./content-list.js";

const files: GitFile[] = [
  { path: "a\nb.txt", mode: 0o100644, blobId: "ce013625030ba8dba906f756967f9e9ca394464a" },
  { path: "bin/run", mode: 0o100755, blobId: "1a2485251c33a70432394c93fb89330ef214bfc9" },
  { path: "link", mode: 0o120000, blobId: "8d14cbf983b3fad683171c9418998d9f68340823" },
];

describe("file list encoding", () => {
  it("is what git ls-files --stage -z prints: mode SP blob id SP 0 TAB path NUL", () => {
    expect(encodeFileList(files.slice(1, 2))).toBe("100755 1a2485251c33a70432394c93fb89330ef214bfc9 0\tbin/run\u0000");
    expect(encodeFileList([])).toBe("");
  });

  it("parses back, even with a newline in a path", () => {
    expect(decodeFileList(encodeFileList(files))).toEqual(files);
    expect(() => decodeFileList("100644 ce013625030ba8dba906f756967f9e9ca394464a 0\ta")).toThrow();
  });

  it("gives content ids as sha256 hex of the encoding", () => {
    expect(contentIdOf([])).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(contentIdOf(files)).toBe(createHash("sha256").update(encodeFileList(files)).digest("hex"));
  });
});

describe("decodeFilesUnder", () => {
  // Paths a tree may hold, sorted by their bytes as git sorts them: neighbours of every prefix below.
  const paths = [
    "a",
    "a/b",
    "a/b/c.txt",
    "a-b",
    "a.txt",
    "a0",
    "ab/x",
    "pkg0/file",
    "pkg000",
    "pkg000/m/1.ts",
    "pkg000/m/2.ts",
    "pkg0000/x",
    "pkg001/y",
    "z\u00e9/1",
    "z\u00e9/\u{1F600}",
    "\u00e9",
  ].sort(compareUtf8);
  const list = paths.map((path, index) => ({
    path,
    mode: 0o100644,
    blobId: index.toString(16).padStart(40, "0"),
  }));
  const encoded = Buffer.from(encodeFileList(list), "utf8");
  const prefixSets = [
    ["a"],
    ["a/"],
    ["a/b"],
    ["pkg000"],
    ["pkg000/"],
    ["pkg0"],
    ["z\u00e9/"],
    ["\u00e9"],
    ["0"],
    ["zz"],
    ["a", "a/b", "pkg001"],
    ["pkg001", "a-b"],
  ];

  it.each(prefixSets)("decodes exactly the files under %j, in list order", (...prefixes) => {
    expect(decodeFilesUnder(encoded, prefixes)).toEqual(
      list.filter((file) => prefixes.some((prefix) => file.path.startsWith(prefix))),
    );
  });

  it("decodes nothing from an empty list", () => {
    expect(decodeFilesUnder(Buffer.alloc(0), ["a"])).toEqual([]);
  });
});

describe("dependenciesChecksumOf", () => {
  it("hashes the count, the sorted distinct globs and the files", () => {
    const expected = createHash("sha256")
      .update(`2\na\u0000b\u0000${encodeFileList(files)}`)
      .digest("hex");
    expect(dependenciesChecksumOf(["b", "a", "b"], files)).toBe(expected);
  });
});

describe("compareUtf8", () => {
  it("orders by UTF-8 bytes, unlike UTF-16 code units", () => {
    const astral = "\u{1F600}";
    const highBmp = "\uFF5E";
    expect(highBmp < astral).toBe(false);
    expect(compareUtf8(highBmp, astral)).toBeLessThan(0);
  });
});
