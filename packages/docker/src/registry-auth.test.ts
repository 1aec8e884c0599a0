import { describe, expect, it } from "vitest";
import { encodeRegistryAuth, registryAuthFor } from "./registry-auth.js";

function decode(header: string): unknown {
  return JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
}

describe("registry auth", () => {
  it("encodes anonymous access as {}", () => {
    expect(decode(encodeRegistryAuth("localhost:5000", null))).toEqual({});
  });

  it("encodes a user and password or an identity token with the server address", () => {
    expect(decode(encodeRegistryAuth("registry.example.com", { username: "u", password: "p/+=" }))).toEqual({
      username: "u",
      password: "p/+=",
      serveraddress: "registry.example.com",
    });
    expect(decode(encodeRegistryAuth("docker.io", { identitytoken: "tok" }))).toEqual({
      identitytoken: "tok",
      serveraddress: "https://index.docker.io/v1/",
    });
    expect(encodeRegistryAuth("h", { username: "ü", password: "?>>" })).not.toMatch(/[+/=]/);
  });

  it("asks the provider for the registry host of a reference", async () => {
    const asked: string[] = [];
    const provider = async (host: string) => {
      asked.push(host);
      return host === "localhost:5000" ? { username: "a", password: "b" } : null;
    };
    expect(decode(await registryAuthFor(provider, "localhost:5000/team/app:1"))).toMatchObject({ username: "a" });
    expect(decode(await registryAuthFor(provider, "alpine:3.20"))).toEqual({});
    expect(asked).toEqual(["localhost:5000", "docker.io"]);
    expect(decode(await registryAuthFor(undefined, "alpine"))).toEqual({});
  });

  it("reports a failing provider without its secrets", async () => {
    const provider = async () => {
      throw new Error("helper docker-credential-x not found");
    };
    await expect(registryAuthFor(provider, "r.example.com/x")).rejects.toThrow(
      "[docker] cannot get credentials for r.example.com: helper docker-credential-x not found",
    );
  });
});
