import { describe, expect, it } from "vitest";
import { mergeScopes, parseChallenge, repositoryScope } from "./www-authenticate.js";

describe("parseChallenge", () => {
  it("reads a Bearer challenge with realm, service, scope and error", () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:taxi/backend:pull,push",error="insufficient_scope"',
      ),
    ).toEqual({
      scheme: "bearer",
      realm: "https://auth.example.com/token",
      service: "registry.example.com",
      scope: "repository:taxi/backend:pull,push",
      error: "insufficient_scope",
    });
  });

  it("reads a Basic challenge, case-insensitively", () => {
    expect(parseChallenge('basic realm="Registry Realm"')).toEqual({ scheme: "basic", realm: "Registry Realm" });
    expect(parseChallenge("Basic")).toEqual({ scheme: "basic", realm: null });
  });

  it("prefers Bearer among several challenges and handles escapes and spaces", () => {
    expect(parseChallenge('Basic realm="x", Bearer realm = "https://a/t" , service="s \\"q\\""')).toEqual({
      scheme: "bearer",
      realm: "https://a/t",
      service: 's "q"',
      scope: null,
      error: null,
    });
  });

  it("returns null for nothing usable", () => {
    expect(parseChallenge(null)).toBeNull();
    expect(parseChallenge("")).toBeNull();
    expect(parseChallenge("Negotiate abc")).toBeNull();
    expect(parseChallenge('Bearer service="no realm"')).toBeNull();
  });
});

describe("scopes", () => {
  it("merges actions per resource and sorts", () => {
    expect(mergeScopes(["repository:b:push", "repository:a:pull", "repository:b:pull", "repository:b:push"])).toEqual([
      "repository:a:pull",
      "repository:b:pull,push",
    ]);
    expect(mergeScopes(["repository:a:pull repository:c:delete"])).toEqual([
      "repository:a:pull",
      "repository:c:delete",
    ]);
    expect(mergeScopes(["registry:catalog:*"])).toEqual(["registry:catalog:*"]);
  });

  it("writes repository scopes", () => {
    expect(repositoryScope("taxi/backend", ["pull", "push"])).toBe("repository:taxi/backend:pull,push");
  });
});
