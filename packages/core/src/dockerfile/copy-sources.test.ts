import { describe, expect, it } from "vitest";
import type { GitFile } from "../adapters/git-source.js";
import {
  goPathMatch,
  hasCopyWildcard,
  matchCopySource,
  normalizeCopySource,
  selectCopySources,
  selectCopySourcesReading,
} from "./copy-sources.js";

function gitFiles(...paths: string[]): GitFile[] {
  return paths.sort().map((path) => ({ path, mode: 0o100644, blobId: `blob-${path}` }));
}

const context = gitFiles(
  "Dockerfile",
  "a/b/c/z.txt",
  "a/b/y.txt",
  "a/x.txt",
  "a-b/w.txt",
  "d/q.go",
  "top.txt",
  "top2.txt",
  "weird[1].txt",
  "star*.txt",
);

function matchesOf(source: string): { path: string; dir: boolean }[] | null {
  const selection = selectCopySources([source], context);
  return selection.missing.length > 0 ? null : (selection.perSource[0]?.matches ?? []);
}

describe("normalizeCopySource", () => {
  it.each([
    [".", ""],
    ["./", ""],
    ["/", ""],
    ["", ""],
    ["a/", "a"],
    ["./a/b", "a/b"],
    ["/a//b/./c", "a/b/c"],
    ["a/../b", "b"],
    ["../../x", "x"],
    ["/..", ""],
  ])("%j is %j", (source, normalized) => {
    expect(normalizeCopySource(source)).toBe(normalized);
  });
});

describe("hasCopyWildcard", () => {
  it.each([
    ["a*", true],
    ["a?", true],
    ["[ab]", true],
    ["a\\*", false],
    ["a\\[b]", false],
    ["plain/path", false],
    ["a\\\\*", true],
  ])("%j is %j", (path, expected) => {
    expect(hasCopyWildcard(path)).toBe(expected);
  });
});

describe("goPathMatch (Go's filepath.Match)", () => {
  it.each([
    ["abc", "abc", true],
    ["*", "abc", true],
    ["*c", "abc", true],
    ["a*", "a", true],
    ["a*", "ab/c", false],
    ["a*/b", "abc/b", true],
    ["a*b*c*d*e*/f", "axbxcxdxe/f", true],
    ["a*b*c*d*e*/f", "axbxcxdxexxx/f", true],
    ["a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false],
    ["a*b?c*x", "abxbbxdbxebxczzx", true],
    ["a*b?c*x", "abxbbxdbxebxczzy", false],
    ["ab[c]", "abc", true],
    ["ab[b-d]", "abc", true],
    ["ab[e-g]", "abc", false],
    ["ab[^c]", "abc", false],
    ["ab[^b-d]", "abc", false],
    ["ab[^e-g]", "abc", true],
    ["a\\*b", "a*b", true],
    ["a\\*b", "ab", false],
    ["a?b", "a☺b", true],
    ["a[^a]b", "a☺b", true],
    ["a???b", "a☺b", false],
    ["a?b", "a/b", false],
    ["a*b", "a/b", false],
    // A class can match a separator in Go, unlike ? and *.
    ["a[^x]b", "a/b", true],
    ["[\\]a]", "]", true],
    ["[\\-]", "-", true],
    ["[x\\-]", "z", false],
    ["[x\\-]", "x", true],
    ["[]a]", "]", false],
    ["[-]", "-", false],
    ["[x-]", "x", false],
    ["[a-b-c]", "a", false],
    ["[", "a", false],
    ["[^", "a", false],
    ["*x", "xxx", true],
    ["**", "abc", true],
    ["**/*.txt", "a/x.txt", true],
    ["**/*.txt", "a/b/y.txt", false],
    ["a\\", "a", false],
  ])("%j against %j is %j", (pattern, name, expected) => {
    expect(goPathMatch(pattern, name)).toBe(expected);
  });
});

describe("selectCopySources", () => {
  it("selects one file by any spelling of its path", () => {
    for (const source of ["top.txt", "./top.txt", "/top.txt", "top.txt/", "a/../top.txt"]) {
      expect(matchesOf(source)).toEqual([{ path: "top.txt", dir: false }]);
    }
  });

  it("selects a directory, which exists because a file is under it, with everything under it", () => {
    const selection = selectCopySources(["a/b"], context);
    expect(selection.perSource).toEqual([{ source: "a/b", matches: [{ path: "a/b", dir: true }] }]);
    expect(selection.files.map((file) => file.path)).toEqual(["a/b/c/z.txt", "a/b/y.txt"]);
  });

  it("takes the root for . and /", () => {
    for (const source of [".", "./", "/"]) {
      const selection = selectCopySources([source], context);
      expect(selection.perSource[0]?.matches).toEqual([{ path: "", dir: true }]);
      expect(selection.files).toEqual(context);
    }
  });

  it("does not take a directory for a prefix of a name (a-b is not under a)", () => {
    expect(selectCopySources(["a"], context).files.map((file) => file.path)).toEqual([
      "a/b/c/z.txt",
      "a/b/y.txt",
      "a/x.txt",
    ]);
  });

  it("reports a plain path that is not there", () => {
    const selection = selectCopySources(["top.txt", "nofile", "a/nofile", "top.txt/x"], context);
    expect(selection.missing).toEqual(["nofile", "a/nofile", "top.txt/x"]);
    expect(selection.files.map((file) => file.path)).toEqual(["top.txt"]);
  });

  it("lets a wildcard match nothing, but not under a folder that is not there", () => {
    expect(matchesOf("nomatch*")).toEqual([]);
    expect(matchesOf("top.txt/*")).toEqual([]);
    expect(matchesOf("nodir/*.txt")).toBeNull();
  });

  it("matches a wildcard within one segment and in the walk's order", () => {
    expect(matchesOf("top*.txt")).toEqual([
      { path: "top.txt", dir: false },
      { path: "top2.txt", dir: false },
    ]);
    expect(matchesOf("*.txt")).toEqual([
      { path: "star*.txt", dir: false },
      { path: "top.txt", dir: false },
      { path: "top2.txt", dir: false },
      { path: "weird[1].txt", dir: false },
    ]);
    expect(matchesOf("a/*/y.txt")).toEqual([{ path: "a/b/y.txt", dir: false }]);
  });

  it("orders matches per directory as Go's walk does (a before a-b, though a-b/ sorts first as a path)", () => {
    expect(matchesOf("*/*.txt")).toEqual([
      { path: "a/x.txt", dir: false },
      { path: "a-b/w.txt", dir: false },
    ]);
  });

  it("takes a matched directory whole without looking inside it", () => {
    const selection = selectCopySources(["a*"], context);
    expect(selection.perSource[0]?.matches).toEqual([
      { path: "a", dir: true },
      { path: "a-b", dir: true },
    ]);
    expect(selection.files.map((file) => file.path)).toEqual(["a-b/w.txt", "a/b/c/z.txt", "a/b/y.txt", "a/x.txt"]);
  });

  it("treats ** as two *: one segment, no recursion", () => {
    expect(matchesOf("**/*.txt")).toEqual([
      { path: "a/x.txt", dir: false },
      { path: "a-b/w.txt", dir: false },
    ]);
    expect(matchesOf("**")).toHaveLength(context.length - 4 + 2);
  });

  it("supports ?, classes, negated classes and escapes", () => {
    expect(matchesOf("top?.txt")).toEqual([{ path: "top2.txt", dir: false }]);
    expect(matchesOf("top[0-9].txt")).toEqual([{ path: "top2.txt", dir: false }]);
    expect(matchesOf("[^t]*.go")).toEqual([]);
    expect(matchesOf("d/[^x]*.go")).toEqual([{ path: "d/q.go", dir: false }]);
    expect(matchesOf("star\\*.t?t")).toEqual([{ path: "star*.txt", dir: false }]);
    expect(matchesOf("weird[[]1].txt")).toEqual([{ path: "weird[1].txt", dir: false }]);
  });

  it("takes a path without a wildcard literally, backslashes included (as BuildKit: not found)", () => {
    expect(matchesOf("star\\*.txt")).toBeNull();
    expect(matchesOf("weird\\[1].txt")).toBeNull();
    expect(matchesOf("weird[[]1].txt")).toEqual([{ path: "weird[1].txt", dir: false }]);
  });

  it("keeps the wildcard-free prefix literal and matches the rest under it", () => {
    expect(matchesOf("/a/b/*")).toEqual([
      { path: "a/b/c", dir: true },
      { path: "a/b/y.txt", dir: false },
    ]);
  });

  it("lists each selected file once, in the input's order, for overlapping sources", () => {
    const selection = selectCopySources(["a", "a/x.txt", "a/*", "top.txt"], context);
    expect(selection.files.map((file) => file.path)).toEqual(["a/b/c/z.txt", "a/b/y.txt", "a/x.txt", "top.txt"]);
    expect(selection.missing).toEqual([]);
  });

  it("matches in a tree with explicit (empty) directories", () => {
    const entries = [
      { path: "etc", dir: true },
      { path: "etc/passwd", dir: false },
      { path: "empty", dir: true },
      { path: "usr/bin/env", dir: false },
    ];
    expect(matchCopySource("/empty", entries)).toEqual([{ path: "empty", dir: true }]);
    expect(matchCopySource("e*", entries)).toEqual([
      { path: "empty", dir: true },
      { path: "etc", dir: true },
    ]);
    expect(matchCopySource("usr/*/env", entries)).toEqual([{ path: "usr/bin/env", dir: false }]);
    expect(matchCopySource("nothing", entries)).toBeNull();
  });

  describe("symlinks", () => {
    const link = (path: string): GitFile => ({ path, mode: 0o120000, blobId: `link-${path}` });
    const files = [
      ...gitFiles("file.txt", "linkdir/target.txt", "linkdir/more/m.txt", "other.txt"),
      link("abs"),
      link("dangling"),
      link("dirlink"),
      link("link"),
      link("loop1"),
      link("loop2"),
      link("nested/up"),
    ].sort((a, b) => (a.path < b.path ? -1 : 1));
    const targets = new Map([
      ["abs", "/linkdir/target.txt"],
      ["dangling", "nothing"],
      ["dirlink", "linkdir"],
      ["link", "file.txt"],
      ["loop1", "loop2"],
      ["loop2", "loop1"],
      ["nested/up", "../../../file.txt"],
    ]);
    const paths = (selection: { files: GitFile[] }) => selection.files.map((file) => file.path);

    it("asks for the targets of the links it must follow, and reports no source missing meanwhile", () => {
      const selection = selectCopySources(["link", "dirlink/target.txt", "other.txt"], files);
      expect(selection.links).toEqual(["link", "dirlink"]);
      expect(selection.missing).toEqual([]);
      expect(paths(selection)).toEqual(["other.txt"]);
    });

    it("follows a source that is a link to a file, selecting both", () => {
      const selection = selectCopySources(["link"], files, targets);
      expect(selection.perSource[0]?.matches).toEqual([{ path: "link", dir: false, target: "file.txt" }]);
      expect(paths(selection)).toEqual(["file.txt", "link"]);
      expect(selection.links).toEqual([]);
    });

    it("follows a link to a directory and a link in the middle of a path", () => {
      const whole = selectCopySources(["dirlink"], files, targets);
      expect(whole.perSource[0]?.matches).toEqual([{ path: "dirlink", dir: true, target: "linkdir" }]);
      expect(paths(whole)).toEqual(["dirlink", "linkdir/more/m.txt", "linkdir/target.txt"]);
      const through = selectCopySources(["dirlink/target.txt"], files, targets);
      expect(through.perSource[0]?.matches).toEqual([
        { path: "dirlink/target.txt", dir: false, target: "linkdir/target.txt" },
      ]);
      expect(paths(through)).toEqual(["dirlink", "linkdir/target.txt"]);
    });

    it("keeps absolute and climbing targets inside the root", () => {
      expect(selectCopySources(["abs"], files, targets).perSource[0]?.matches).toEqual([
        { path: "abs", dir: false, target: "linkdir/target.txt" },
      ]);
      expect(selectCopySources(["nested/up"], files, targets).perSource[0]?.matches).toEqual([
        { path: "nested/up", dir: false, target: "file.txt" },
      ]);
    });

    it("follows links a wildcard matches, and walks a base folder reached through a link", () => {
      expect(selectCopySources(["dir*"], files, targets).perSource[0]?.matches).toEqual([
        { path: "dirlink", dir: true, target: "linkdir" },
      ]);
      expect(selectCopySources(["dirlink/*.txt"], files, targets).perSource[0]?.matches).toEqual([
        { path: "linkdir/target.txt", dir: false },
      ]);
    });

    it("reads the links it must follow until none is left (selectCopySourcesReading)", async () => {
      const read: string[] = [];
      const selection = await selectCopySourcesReading(
        ["dirlink/target.txt", "abs", "other.txt"],
        files,
        async (path) => {
          read.push(path);
          return targets.get(path) as string;
        },
      );
      expect(read).toEqual(["dirlink", "abs"]);
      expect(selection.links).toEqual([]);
      expect(paths(selection)).toEqual(["abs", "dirlink", "linkdir/target.txt", "other.txt"]);
      // A loop is read once per link, then reported missing.
      const loop = await selectCopySourcesReading(["loop1"], files, async (path) => targets.get(path) as string);
      expect(loop.missing).toEqual(["loop1"]);
    });

    it("fails on a dangling link or a loop, named or matched", () => {
      expect(selectCopySources(["dangling", "loop1", "dang*"], files, targets).missing).toEqual([
        "dangling",
        "loop1",
        "dang*",
      ]);
    });
  });
});
