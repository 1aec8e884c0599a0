import { AuthenticationError } from "@stages/core";
import { describe, expect, it } from "vitest";
import { createRegistryClient } from "./client.js";

// These tests only watch which URLs the client would contact: the injected fetch records them.
function recordingFetch(answer: (url: URL) => Response | null) {
  const urls: string[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    urls.push(`${init?.method ?? "GET"} ${url.toString()}`);
    const response = answer(url);
    if (response === null)
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      });
    return response;
  };
  return { fetch, urls };
}

describe("createRegistryClient transport choices", () => {
  it("uses HTTPS for registries that are neither loopback nor listed as insecure", async () => {
    const { fetch, urls } = recordingFetch(() => null);
    const client = createRegistryClient({ fetch, env: {}, useDockerConfig: false, retry: { retries: 0 } });
    await expect(client.headManifest("registry.example.com/a:b")).rejects.toThrow(
      /connection to registry.example.com failed/,
    );
    expect(urls).toEqual(["GET https://registry.example.com/v2/"]);
  });

  it("falls back to HTTP for an insecure registry whose HTTPS fails", async () => {
    const { fetch, urls } = recordingFetch((url) =>
      url.protocol === "http:" ? new Response("{}", { status: url.pathname === "/v2/" ? 200 : 404 }) : null,
    );
    const client = createRegistryClient({
      fetch,
      env: {},
      useDockerConfig: false,
      insecureRegistries: ["registry.lan:5000"],
      retry: { retries: 3 },
    });
    expect(await client.headManifest("registry.lan:5000/a:b")).toBeNull();
    expect(urls).toEqual([
      "GET https://registry.lan:5000/v2/",
      "GET http://registry.lan:5000/v2/",
      "HEAD http://registry.lan:5000/v2/a/manifests/b",
    ]);
  });

  it("talks to Docker Hub's API host", async () => {
    const { fetch, urls } = recordingFetch(() => null);
    const client = createRegistryClient({ fetch, env: {}, useDockerConfig: false, retry: { retries: 0 } });
    await expect(client.ping("docker.io")).rejects.toThrow();
    expect(urls).toEqual(["GET https://registry-1.docker.io/v2/"]);
  });

  it("refuses to send credentials to a plain-HTTP token server of a remote registry", async () => {
    const { fetch, urls } = recordingFetch((url) =>
      url.pathname === "/v2/"
        ? new Response(null, {
            status: 401,
            headers: { "www-authenticate": 'Bearer realm="http://auth.example.com/token",service="r"' },
          })
        : null,
    );
    const client = createRegistryClient({
      fetch,
      env: {},
      useDockerConfig: false,
      credentials: { "registry.example.com": { username: "u", password: "SENTINEL-never-sent" } },
    });
    const failure = await client.headManifest("registry.example.com/a:b").catch((error: unknown) => error);
    expect(AuthenticationError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toMatch(/refusing to send credentials .* plain-HTTP token server/);
    expect(urls).toEqual(["GET https://registry.example.com/v2/"]);
  });
});
