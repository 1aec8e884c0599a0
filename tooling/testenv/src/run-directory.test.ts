import { describe, expect, it } from "vitest";
import { mountsUnder } from "./run-directory.js";

describe("mountsUnder", () => {
  const mounts = [
    "proc /proc proc rw 0 0",
    "nsfs /tmp/stages-te-1/a/netns/default nsfs rw 0 0",
    "overlay /tmp/stages-te-1/a/overlay2/x/merged overlay rw 0 0",
    "nsfs /tmp/stages-te-10/a/netns/default nsfs rw 0 0",
    "tmpfs /tmp/stages-te-1/with\\040space tmpfs rw 0 0",
    "",
  ].join("\n");

  it("lists the mounts below a directory, deepest first, and no sibling's", () => {
    expect(mountsUnder("/tmp/stages-te-1", mounts)).toEqual([
      "/tmp/stages-te-1/a/overlay2/x/merged",
      "/tmp/stages-te-1/a/netns/default",
      "/tmp/stages-te-1/with space",
    ]);
  });

  it("finds nothing where nothing is mounted", () => {
    expect(mountsUnder("/tmp/elsewhere", mounts)).toEqual([]);
  });
});
