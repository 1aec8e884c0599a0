import { describe, expect, it } from "vitest";
import { needsLookup, OwnershipError, parseAccounts, resolveOwnership } from "./ownership.js";

const accounts = parseAccounts(
  "root:x:0:0:root:/root:/bin/sh\n# comment\napp:x:1000:1001:app:/home/app:/bin/sh\nbroken line\n",
  "root:x:0:\napp:x:1001:\nstaff:x:50:app\n",
);

describe("ownership", () => {
  it("parses passwd and group", () => {
    expect(accounts.users.get("app")).toEqual({ uid: 1000, gid: 1001 });
    expect(accounts.groups.get("staff")).toBe(50);
    expect(accounts.users.size).toBe(2);
  });

  it("resolves names and numbers; an owner alone leaves the group to the caller", () => {
    expect(resolveOwnership("app", "staff", accounts)).toEqual({ uid: 1000, gid: 50 });
    expect(resolveOwnership("app", null, accounts)).toEqual({ uid: 1000, gid: null });
    expect(resolveOwnership(null, "app", accounts)).toEqual({ uid: null, gid: 1001 });
    expect(resolveOwnership("4242", "77", parseAccounts("", ""))).toEqual({ uid: 4242, gid: 77 });
    expect(resolveOwnership(null, null, accounts)).toEqual({ uid: null, gid: null });
  });

  it("names what the image lacks", () => {
    expect(() => resolveOwnership("www", null, accounts)).toThrow(OwnershipError);
    expect(() => resolveOwnership("www", null, accounts)).toThrow(
      'user "www" does not exist in /etc/passwd of the image',
    );
    expect(() => resolveOwnership(null, "wheel", accounts)).toThrow(
      'group "wheel" does not exist in /etc/group of the image',
    );
  });

  it("knows which names need the image's accounts", () => {
    expect(needsLookup("app")).toBe(true);
    expect(needsLookup("1000")).toBe(false);
    expect(needsLookup(null)).toBe(false);
  });
});
