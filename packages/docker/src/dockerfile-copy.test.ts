import { describe, expect, it } from "vitest";
import { parseChown, resolveChown } from "./dockerfile-copy.js";
import { parseAccounts } from "./ownership.js";

describe("--chown", () => {
  const accounts = parseAccounts(
    "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\ndev:x:1500:2000::/:/bin/sh\n",
    "root:x:0:\nstaff:x:2000:\nnogroup:x:65534:\n",
  );

  it("splits user and group at the first colon", () => {
    expect(parseChown("app")).toEqual({ user: "app", group: null });
    expect(parseChown("app:staff")).toEqual({ user: "app", group: "staff" });
    expect(parseChown("1:2:3")).toEqual({ user: "1", group: "2:3" });
  });

  it.each([
    ["1000", { uid: 1000, gid: 1000 }],
    ["7", { uid: 7, gid: 7 }],
    ["7:8", { uid: 7, gid: 8 }],
    ["dev", { uid: 1500, gid: 2000 }],
    ["dev:nogroup", { uid: 1500, gid: 65534 }],
    ["app:2000", { uid: 1000, gid: 2000 }],
    ["42:staff", { uid: 42, gid: 2000 }],
  ])("%j is %j as BuildKit reads it", (chown, expected) => {
    const warnings: string[] = [];
    expect(resolveChown(chown, accounts, (text) => warnings.push(text))).toEqual(expected);
    expect(warnings).toEqual([]);
  });

  it("takes an unknown name as BuildKit does (0, or the user's group) and warns", () => {
    const warnings: string[] = [];
    expect(resolveChown("nosuchuser", accounts, (text) => warnings.push(text))).toEqual({ uid: 0, gid: 0 });
    expect(resolveChown("1000:nosuchgroup", accounts, (text) => warnings.push(text))).toEqual({
      uid: 1000,
      gid: 1000,
    });
    expect(warnings).toEqual([
      'user "nosuchuser" of --chown=nosuchuser is not in /etc/passwd of the image: using 0',
      'group "nosuchgroup" of --chown=1000:nosuchgroup is not in /etc/group of the image: keeping 1000',
    ]);
  });
});
