import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { findKnownHostKeys, hostKeyAlgorithms, knownHostsName } from "./known-hosts.js";

const ed25519 = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
const rsa = "AAAAB3NzaC1yc2EAAAADAQABAAABAQC7";

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
}

describe("known_hosts", () => {
  it("names a host as OpenSSH does: bare on port 22, [host]:port otherwise", () => {
    expect(knownHostsName("build-host", 22)).toBe("build-host");
    expect(knownHostsName("127.0.0.1", 5792)).toBe("[127.0.0.1]:5792");
  });

  it("finds plain, listed and hashed entries, and only for the right port", () => {
    const text = [
      "# a comment",
      "",
      `build-host,10.0.0.2 ssh-ed25519 ${ed25519} comment`,
      `[127.0.0.1]:5792 ssh-rsa ${rsa}`,
      `${hashed("[hashed-host]:2222")} ssh-ed25519 ${ed25519}`,
    ].join("\n");
    const files = [{ source: "/home/u/.ssh/known_hosts", text }];
    expect(findKnownHostKeys(files, "build-host", 22).accepted).toEqual([
      { type: "ssh-ed25519", key: ed25519, source: "/home/u/.ssh/known_hosts", line: 3 },
    ]);
    expect(findKnownHostKeys(files, "10.0.0.2", 22).accepted).toHaveLength(1);
    expect(findKnownHostKeys(files, "build-host", 2222).accepted).toEqual([]);
    expect(findKnownHostKeys(files, "127.0.0.1", 5792).accepted.map((entry) => entry.type)).toEqual(["ssh-rsa"]);
    expect(findKnownHostKeys(files, "127.0.0.1", 22).accepted).toEqual([]);
    expect(findKnownHostKeys(files, "hashed-host", 2222).accepted).toHaveLength(1);
    expect(findKnownHostKeys(files, "hashed-host", 22).accepted).toEqual([]);
  });

  it("matches wildcards and negations, case-insensitively", () => {
    const files = [{ source: "k", text: `*.example.com,!bad.example.com ssh-ed25519 ${ed25519}` }];
    expect(findKnownHostKeys(files, "Build.Example.com", 22).accepted).toHaveLength(1);
    expect(findKnownHostKeys(files, "bad.example.com", 22).accepted).toEqual([]);
    expect(findKnownHostKeys(files, "example.com", 22).accepted).toEqual([]);
  });

  it("keeps @revoked keys apart and skips @cert-authority lines (no host certificates)", () => {
    const files = [
      { source: "a", text: `@revoked build-host ssh-ed25519 ${ed25519}` },
      { source: "b", text: `@cert-authority *.example.com ssh-rsa ${rsa}\nbuild-host ssh-rsa ${rsa}` },
    ];
    const keys = findKnownHostKeys(files, "build-host", 22);
    expect(keys.revoked).toEqual([{ type: "ssh-ed25519", key: ed25519, source: "a", line: 1 }]);
    expect(keys.accepted).toEqual([{ type: "ssh-rsa", key: rsa, source: "b", line: 2 }]);
  });

  it("negotiates the algorithms that prove a listed key type", () => {
    expect(hostKeyAlgorithms("ssh-rsa")).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
    expect(hostKeyAlgorithms("ssh-ed25519")).toEqual(["ssh-ed25519"]);
    expect(hostKeyAlgorithms("ecdsa-sha2-nistp384")).toEqual(["ecdsa-sha2-nistp384"]);
    expect(hostKeyAlgorithms("sk-ssh-ed25519@openssh.com")).toEqual([]);
  });
});
