import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidReferenceError, StagesError } from "./errors.js";
import {
  familiarReference,
  formatReference,
  type ImageReference,
  isDigest,
  parseDigest,
  parseReference,
  parseRepository,
  referenceEquals,
  repositoryOf,
  withDefaultTag,
} from "./reference.js";

const sha256 = `sha256:${"f".repeat(64)}`;
const sha384 = `sha384:${"0123456789abcdef".repeat(6)}`;
const sha512 = `sha512:${"f".repeat(128)}`;
const hex64 = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";

interface Expected {
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

function caught(action: () => unknown): StagesError {
  try {
    action();
  } catch (error) {
    if (StagesError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an error");
}

function plain(reference: ImageReference): Expected {
  return { ...reference };
}

// From distribution/reference reference_test.go (TestReferenceParse), normalize_test.go
// (TestValidateReferenceName, TestNormalizedSplitHostname, TestParseRepositoryInfo) and
// regexp_test.go, expressed through ParseNormalizedNamed.
const valid: Array<[input: string, expected: Expected]> = [
  ["test_com", { domain: "docker.io", path: "library/test_com" }],
  ["test.com:tag", { domain: "docker.io", path: "library/test.com", tag: "tag" }],
  ["test.com:5000", { domain: "docker.io", path: "library/test.com", tag: "5000" }],
  ["test.com/repo:tag", { domain: "test.com", path: "repo", tag: "tag" }],
  ["test:5000/repo", { domain: "test:5000", path: "repo" }],
  ["test:5000/repo:tag", { domain: "test:5000", path: "repo", tag: "tag" }],
  [`test:5000/repo@${sha256}`, { domain: "test:5000", path: "repo", digest: sha256 }],
  [`test:5000/repo:tag@${sha256}`, { domain: "test:5000", path: "repo", tag: "tag", digest: sha256 }],
  ["lowercase:Uppercase", { domain: "docker.io", path: "library/lowercase", tag: "Uppercase" }],
  [
    `${"a/".repeat(127)}a:tag-puts-this-over-max`,
    { domain: "docker.io", path: `${"a/".repeat(127)}a`, tag: "tag-puts-this-over-max" },
  ],
  ["sub-dom1.foo.com/bar/baz/quux", { domain: "sub-dom1.foo.com", path: "bar/baz/quux" }],
  [
    "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
    { domain: "sub-dom1.foo.com", path: "bar/baz/quux", tag: "some-long-tag" },
  ],
  [
    "b.gcr.io/test.example.com/my-app:test.example.com",
    { domain: "b.gcr.io", path: "test.example.com/my-app", tag: "test.example.com" },
  ],
  ["xn--n3h.com/myimage:xn--n3h.com", { domain: "xn--n3h.com", path: "myimage", tag: "xn--n3h.com" }],
  [
    `xn--7o8h.com/myimage:xn--7o8h.com@${sha512}`,
    { domain: "xn--7o8h.com", path: "myimage", tag: "xn--7o8h.com", digest: sha512 },
  ],
  ["foo_bar.com:8080", { domain: "docker.io", path: "library/foo_bar.com", tag: "8080" }],
  ["foo/foo_bar.com:8080", { domain: "docker.io", path: "foo/foo_bar.com", tag: "8080" }],
  ["192.168.1.1", { domain: "docker.io", path: "library/192.168.1.1" }],
  ["192.168.1.1:tag", { domain: "docker.io", path: "library/192.168.1.1", tag: "tag" }],
  ["192.168.1.1:5000", { domain: "docker.io", path: "library/192.168.1.1", tag: "5000" }],
  ["192.168.1.1/repo", { domain: "192.168.1.1", path: "repo" }],
  ["192.168.1.1:5000/repo", { domain: "192.168.1.1:5000", path: "repo" }],
  ["192.168.1.1:5000/repo:5050", { domain: "192.168.1.1:5000", path: "repo", tag: "5050" }],
  ["192.168.0.1:8/debian", { domain: "192.168.0.1:8", path: "debian" }],
  ["127.0.0.1:5000/docker/docker", { domain: "127.0.0.1:5000", path: "docker/docker" }],
  ["localhost:65535/x", { domain: "localhost:65535", path: "x" }],
  ["10.1:5000/x", { domain: "10.1:5000", path: "x" }],
  ["0x7f.1/x", { domain: "0x7f.1", path: "x" }],
  ["[2001:db8::1]/repo", { domain: "[2001:db8::1]", path: "repo" }],
  ["[2001:db8:1:2:3:4:5:6]/repo:tag", { domain: "[2001:db8:1:2:3:4:5:6]", path: "repo", tag: "tag" }],
  ["[2001:db8::1]:5000/repo", { domain: "[2001:db8::1]:5000", path: "repo" }],
  ["[2001:db8::1]:5000/repo:tag", { domain: "[2001:db8::1]:5000", path: "repo", tag: "tag" }],
  [`[2001:db8::1]:5000/repo@${sha256}`, { domain: "[2001:db8::1]:5000", path: "repo", digest: sha256 }],
  [`[2001:db8::1]:5000/repo:tag@${sha256}`, { domain: "[2001:db8::1]:5000", path: "repo", tag: "tag", digest: sha256 }],
  ["[2001:db8::]:5000/repo", { domain: "[2001:db8::]:5000", path: "repo" }],
  ["[::1]:5000/repo", { domain: "[::1]:5000", path: "repo" }],
  ["[fc00::1]:5000/docker/docker", { domain: "[fc00::1]:5000", path: "docker/docker" }],
  ["[fc00:1:2:3:4:5:6:7]:5000/library/debian", { domain: "[fc00:1:2:3:4:5:6:7]:5000", path: "library/debian" }],
  ["test.com/foo", { domain: "test.com", path: "foo" }],
  ["test_com/foo", { domain: "docker.io", path: "test_com/foo" }],
  ["docker/migrator", { domain: "docker.io", path: "docker/migrator" }],
  ["test.com:8080/foo", { domain: "test.com:8080", path: "foo" }],
  ["test-com:8080/foo", { domain: "test-com:8080", path: "foo" }],
  ["foo", { domain: "docker.io", path: "library/foo" }],
  ["xn--n3h.com/foo", { domain: "xn--n3h.com", path: "foo" }],
  ["xn--n3h.com:18080/foo", { domain: "xn--n3h.com:18080", path: "foo" }],
  ["docker.io/foo", { domain: "docker.io", path: "library/foo" }],
  ["docker.io/library/foo", { domain: "docker.io", path: "library/foo" }],
  ["docker.io/library/foo/bar", { domain: "docker.io", path: "library/foo/bar" }],
  ["index.docker.io/foo", { domain: "docker.io", path: "library/foo" }],
  ["index.docker.io/docker/docker", { domain: "docker.io", path: "docker/docker" }],
  ["index.docker.io/library/debian", { domain: "docker.io", path: "library/debian" }],
  ["library/debian", { domain: "docker.io", path: "library/debian" }],
  ["localhost/foo", { domain: "localhost", path: "foo" }],
  ["localhost:5000/x:1", { domain: "localhost:5000", path: "x", tag: "1" }],
  ["localhost", { domain: "docker.io", path: "library/localhost" }],
  ["localhost:5000", { domain: "docker.io", path: "library/localhost", tag: "5000" }],
  ["Docker/docker", { domain: "Docker", path: "docker" }],
  ["DOCKER/docker", { domain: "DOCKER", path: "docker" }],
  ["Foo/bar", { domain: "Foo", path: "bar" }],
  ["Example.COM:443/team/app", { domain: "Example.COM:443", path: "team/app" }],
  [`docker.io/${hex64}`, { domain: "docker.io", path: `library/${hex64}` }],
  [`${hex64}:latest`, { domain: "docker.io", path: `library/${hex64}`, tag: "latest" }],
  [
    "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
    { domain: "docker.io", path: "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev" },
  ],
  ["a/b/c/d", { domain: "docker.io", path: "a/b/c/d" }],
  ["registry.example.com/a/b/c/d:1.0", { domain: "registry.example.com", path: "a/b/c/d", tag: "1.0" }],
  ["a.b", { domain: "docker.io", path: "library/a.b" }],
  ["a_b", { domain: "docker.io", path: "library/a_b" }],
  ["a__b", { domain: "docker.io", path: "library/a__b" }],
  ["a-b", { domain: "docker.io", path: "library/a-b" }],
  ["a--b", { domain: "docker.io", path: "library/a--b" }],
  ["a---b", { domain: "docker.io", path: "library/a---b" }],
  ["a-b_c__d/e.f-9", { domain: "docker.io", path: "a-b_c__d/e.f-9" }],
  [`alpine:_${"a".repeat(127)}`, { domain: "docker.io", path: "library/alpine", tag: `_${"a".repeat(127)}` }],
  [`alpine@${sha384}`, { domain: "docker.io", path: "library/alpine", digest: sha384 }],
  [`${"a".repeat(247)}`, { domain: "docker.io", path: `library/${"a".repeat(247)}` }],
  [
    `example.com/${"a".repeat(255)}`, // only the path counts towards 255
    { domain: "example.com", path: "a".repeat(255) },
  ],
];

const invalid: Array<[input: string, reason: RegExp]> = [
  ["", /the reference is empty/],
  [":justtag", /repository name is missing/],
  [`@${sha256}`, /repository name is missing/],
  [`repo@sha256:${"f".repeat(34)}`, /invalid checksum digest length/],
  [`validname@invaliddigest:${"f".repeat(64)}`, /unsupported digest algorithm "invaliddigest"/],
  [`repo@sha256:${"F".repeat(64)}`, /invalid checksum digest format/],
  [`repo@sha256:${"f".repeat(31)}`, /digest "sha256:f+" is not valid/],
  [`repo@sha512:${"f".repeat(64)}`, /sha512 needs 128 hex characters, got 64/],
  ["repo@", /digest "" is not valid/],
  ["Uppercase:tag", /repository name must be lowercase/],
  ["test:5000/Uppercase/lowercase:tag", /repository name must be lowercase/],
  ["docker/Docker", /repository name must be lowercase/],
  ["docker.io/docker/Docker", /repository name must be lowercase/],
  [`${"a/".repeat(128)}a:tag`, /must not be more than 255 characters \(it has 257\)/],
  ["a".repeat(248), /must not be more than 255 characters \(it has 256\)/],
  ["aa/asdf$$^/aa", /path component "asdf\$\$\^" is not valid/],
  ["https://github.com/docker/docker", /has no scheme \("https:\/\/"\)/],
  ["-docker", /path component "-docker" is not valid/],
  ["-docker/docker", /path component "-docker" is not valid/],
  ["-docker.io/docker/docker", /"-docker.io" is not a valid registry host/],
  ["docker///docker", /empty component/],
  ["docker.io/docker///docker", /empty component/],
  ["a/", /empty component/],
  ["/a", /empty component/],
  ["a//b", /empty component/],
  ["[fc00::1]", /registry host alone/],
  ["[fc00::1]:5000", /registry host alone/],
  ["[2001:db8::1]:tag", /registry host alone/],
  ["fc00::1:5000/debian", /"fc00::1:5000" is not a valid registry host/],
  ["[fe80::1%eth0]:5000/debian", /"\[fe80::1%eth0\]:5000" is not a valid registry host/],
  ["[2001:db8:3:4::192.0.2.33]:5000/debian", /is not a valid registry host/],
  ["[fe80::1%@invalidzone]:5000/repo", /unexpected "@"/],
  [`a@${sha256}@${sha256}`, /unexpected "@"/],
  ["example.com:/app", /is not a valid registry host/],
  ["example.com:port/app", /is not a valid registry host/],
  ["exa_mple.com/app", /"exa_mple.com" is not a valid registry host/],
  ["Foo_Bar/app", /"Foo_Bar" is not a valid registry host/],
  [hex64, /64-character hexadecimal string is an image id/],
  [`alpine:${"a".repeat(129)}`, /tag is longer than 128 characters/],
  ["alpine:.tag", /tag ".tag" is not valid/],
  ["alpine:-tag", /tag "-tag" is not valid/],
  ["alpine:", /tag after ":" is empty/],
  ["alpine:a:b", /tag "a:b" is not valid/],
  ["a___b", /path component "a___b"/],
  ["a-", /path component "a-"/],
  ["a.", /path component "a."/],
  ["a..b", /path component "a..b"/],
  ["a._b", /path component "a._b"/],
  ["a.-b", /path component "a.-b"/],
  ["localhost:99999/x", /port 99999 of registry "localhost:99999" is out of range: a port is a number from 1 to 65535/],
  ["localhost:0/x", /port 0 of registry "localhost:0" is out of range/],
  ["example.com:65536/app", /port 65536 of registry "example.com:65536" is out of range/],
  ["[::1]:123456/app", /port 123456 of registry "\[::1\]:123456" is out of range/],
  ["[1:2:3]:5000/app", /registry "\[1:2:3\]:5000" is not a valid IPv6 address/],
  ["[::1::]/app", /is not a valid IPv6 address/],
  ["[1:2:3:4:5:6:7:8:9]/app", /is not a valid IPv6 address/],
  ["[12345::]/app", /is not a valid IPv6 address/],
  [
    "999.1.1.1:5000/app",
    /registry "999.1.1.1:5000" is not a valid host: a host that ends in a number is an IPv4 address/,
  ],
  ["1.2.3.4.5/app", /"1.2.3.4.5" is not a valid host/],
  ["registry.08/app", /"registry.08" is not a valid host/],
  ["a b", /contains no whitespace/],
  ["alpine\n", /contains no whitespace/],
  ["Bad Repo", /contains no whitespace/],
];

describe("parseReference", () => {
  it.each(valid)("parses %j", (input, expected) => {
    expect(plain(parseReference(input))).toStrictEqual(expected);
  });

  it.each(invalid)("rejects %j", (input, reason) => {
    const stagesError = caught(() => parseReference(input));
    expect(InvalidReferenceError.isInstance(stagesError)).toBe(true);
    expect(stagesError.code).toBe("INVALID_REFERENCE");
    expect(stagesError.message.startsWith(`invalid reference ${JSON.stringify(input)}: `)).toBe(true);
    expect(stagesError.message).toMatch(reason);
    expect(stagesError.hint).toBeTruthy();
  });

  it("names the offending path in the lowercase error and hints the fix", () => {
    expect(() => parseReference("foo/Bar")).toThrowError(
      'invalid reference "foo/Bar": repository name must be lowercase',
    );
    const hints = ["localhost:5000/Team/App:Tag", "Alpine:V1", `Foo/Bar@${sha256}`].map(
      (input) => caught(() => parseReference(input)).hint,
    );
    expect(hints).toEqual(['write "localhost:5000/team/app:Tag"', 'write "alpine:V1"', `write "Foo/bar@${sha256}"`]);
  });

  it("leaves no undefined keys on the result", () => {
    expect(Object.keys(parseReference("alpine"))).toEqual(["domain", "path"]);
  });

  it("cuts very long input in messages", () => {
    const input = `a b${"c".repeat(10_000)}`;
    expect(() => parseReference(input)).toThrow(/…"/);
    expect(caught(() => parseReference(input)).message.length).toBeLessThan(400);
  });

  it("answers adversarial input quickly", () => {
    const inputs = [
      `${"a-".repeat(5000)}!`,
      `${"a.".repeat(5000)}/!`,
      `${"a/".repeat(5000)}!`,
      `${"a".repeat(10_000)}:${"b".repeat(10_000)}`,
      `${"a-a.".repeat(2500)}a-/b`,
      `[${":".repeat(10_000)}`,
      `x@sha256:${"f".repeat(10_000)}!`,
    ];
    const start = Date.now();
    for (const input of inputs) expect(() => parseReference(input)).toThrow(InvalidReferenceError);
    expect(Date.now() - start).toBeLessThan(1000);
  });
});

// TestParseRepositoryInfo of normalize_test.go, and the cases where familiar forms differ.
const familiar: Array<[input: string, familiarForm: string, fullForm: string]> = [
  ["fooo/bar", "fooo/bar", "docker.io/fooo/bar"],
  ["index.docker.io/fooo/bar", "fooo/bar", "docker.io/fooo/bar"],
  ["library/ubuntu", "ubuntu", "docker.io/library/ubuntu"],
  ["nonlibrary/ubuntu", "nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu"],
  ["other/library", "other/library", "docker.io/other/library"],
  ["127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase"],
  ["127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase"],
  ["example.com/private/moonbase", "example.com/private/moonbase", "example.com/private/moonbase"],
  ["example.com:8000/privatebasee", "example.com:8000/privatebasee", "example.com:8000/privatebasee"],
  ["index.docker.io/library/ubuntu-12.04-base", "ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base"],
  ["docker.io/foo", "foo", "docker.io/library/foo"],
  ["library/foo/bar", "library/foo/bar", "docker.io/library/foo/bar"],
  ["store/foo/bar", "store/foo/bar", "docker.io/store/foo/bar"],
  ["Foo/bar", "Foo/bar", "Foo/bar"],
  ["FOO/bar", "FOO/bar", "FOO/bar"],
  ["alpine:3.20", "alpine:3.20", "docker.io/library/alpine:3.20"],
  ["user/app", "user/app", "docker.io/user/app"],
  ["localhost:5000/x:1", "localhost:5000/x:1", "localhost:5000/x:1"],
  ["localhost/x", "localhost/x", "localhost/x"],
  [`alpine:3@${sha256}`, `alpine:3@${sha256}`, `docker.io/library/alpine:3@${sha256}`],
  [`[::1]:5000/a/b@${sha256}`, `[::1]:5000/a/b@${sha256}`, `[::1]:5000/a/b@${sha256}`],
  // Docker prints "example.com/app" here, which names another image; we keep the domain.
  ["docker.io/example.com/app", "docker.io/example.com/app", "docker.io/example.com/app"],
  ["docker.io/localhost/app", "docker.io/localhost/app", "docker.io/localhost/app"],
  ["docker.io/library/example.com", "example.com", "docker.io/library/example.com"],
];

describe("familiarReference and formatReference", () => {
  it.each(familiar)("%j is %j, in full %j", (input, familiarForm, fullForm) => {
    const reference = parseReference(input);
    expect(familiarReference(reference)).toBe(familiarForm);
    expect(formatReference(reference)).toBe(fullForm);
    expect(referenceEquals(parseReference(familiarForm), reference)).toBe(true);
    expect(referenceEquals(parseReference(fullForm), reference)).toBe(true);
  });
});

describe("withDefaultTag", () => {
  it("adds latest only when there is neither tag nor digest", () => {
    expect(formatReference(withDefaultTag(parseReference("alpine")))).toBe("docker.io/library/alpine:latest");
    expect(familiarReference(withDefaultTag(parseReference("localhost:5000/x")))).toBe("localhost:5000/x:latest");
    expect(formatReference(withDefaultTag(parseReference("alpine:3")))).toBe("docker.io/library/alpine:3");
    expect(formatReference(withDefaultTag(parseReference(`alpine@${sha256}`)))).toBe(
      `docker.io/library/alpine@${sha256}`,
    );
  });
});

describe("repositoryOf and referenceEquals", () => {
  it("gives domain/path", () => {
    expect(repositoryOf(parseReference("alpine:3.20"))).toBe("docker.io/library/alpine");
    expect(repositoryOf(parseReference(`[::1]:5000/a/b:1@${sha256}`))).toBe("[::1]:5000/a/b");
  });

  it("compares all four parts", () => {
    expect(referenceEquals(parseReference("alpine"), parseReference("docker.io/library/alpine"))).toBe(true);
    expect(referenceEquals(parseReference("alpine"), parseReference("alpine:latest"))).toBe(false);
    expect(referenceEquals(parseReference("alpine:1"), parseReference(`alpine:1@${sha256}`))).toBe(false);
    expect(referenceEquals(parseReference("a.io/x"), parseReference("b.io/x"))).toBe(false);
  });
});

describe("parseRepository", () => {
  it("accepts names without tag or digest", () => {
    expect(plain(parseRepository("registry.example.com/taxi/backend"))).toStrictEqual({
      domain: "registry.example.com",
      path: "taxi/backend",
    });
    expect(plain(parseRepository("localhost:5000/stages"))).toStrictEqual({ domain: "localhost:5000", path: "stages" });
    expect(plain(parseRepository("user/app"))).toStrictEqual({ domain: "docker.io", path: "user/app" });
  });

  it("rejects a tag or a digest and says what to write", () => {
    expect(() => parseRepository("registry.example.com/app:1")).toThrowError(
      'invalid repository "registry.example.com/app:1": a repository has no tag (":1")',
    );
    expect(() => parseRepository(`app@${sha256}`)).toThrowError(/a repository has no digest/);
    expect(() => parseRepository(`app:1@${sha256}`)).toThrowError(/a repository has no tag or digest/);
    const error = caught(() => parseRepository("registry.example.com/app:1"));
    expect(InvalidReferenceError.isInstance(error)).toBe(true);
    expect(error.hint).toBe('give the repository without ":1": "registry.example.com/app"');
  });

  it("explains that a registry host alone is not a repository", () => {
    expect(caught(() => parseRepository("localhost:5000")).hint).toContain('"localhost:5000/project"');
  });

  it("passes parse errors through", () => {
    expect(() => parseRepository("Foo/Bar")).toThrow(/must be lowercase/);
  });

  it("names the registry, the port and the valid range when the port is out of range", () => {
    const error = caught(() => parseRepository("localhost:99999/x"));
    expect(InvalidReferenceError.isInstance(error)).toBe(true);
    expect(error.message).toBe(
      'invalid reference "localhost:99999/x": port 99999 of registry "localhost:99999" is out of range: a port is a number from 1 to 65535',
    );
    expect(error.hint).toBe("write the registry's port, e.g. localhost:5000");
  });
});

describe("isDigest and parseDigest", () => {
  it.each([sha256, sha384, sha512, `sha256:${hex64}`])("accepts %s", (text) => {
    expect(isDigest(text)).toBe(true);
    expect(parseDigest(text)).toBe(text);
  });

  it.each([
    "",
    "sha256",
    "sha256:",
    ":abc",
    `sha256:${"f".repeat(63)}`,
    `sha256:${"f".repeat(65)}`,
    `sha256:${"F".repeat(64)}`,
    `SHA256:${"f".repeat(64)}`,
    `md5:${"f".repeat(32)}`,
    `sha512:${"f".repeat(64)}`,
    hex64,
    `sha256:${"g".repeat(64)}`,
  ])("rejects %j", (text) => {
    expect(isDigest(text)).toBe(false);
    expect(() => parseDigest(text)).toThrow(InvalidReferenceError);
  });

  it("is false for non-strings", () => {
    expect(isDigest(undefined)).toBe(false);
    expect(isDigest(42)).toBe(false);
  });
});

// Arbitraries that follow the grammar, so that the properties see real references, not just errors.
const pathComponent = fc.stringMatching(/^[a-z0-9]{1,6}(?:(?:[._]|__|-{1,3})[a-z0-9]{1,6}){0,3}$/);
const path = fc.array(pathComponent, { minLength: 1, maxLength: 5 }).map((parts) => parts.join("/"));
const label = fc.stringMatching(/^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,8}[a-zA-Z0-9])$/);
const domain = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join(".")),
  fc.constantFrom("localhost", "docker.io", "index.docker.io", "[::1]", "[2001:db8::1]", "Registry.Example.COM"),
  fc.stringMatching(/^\[[a-fA-F0-9]{0,4}:[a-fA-F0-9:]{0,16}\]$/),
);
const port = fc.option(fc.integer({ min: 0, max: 65535 }).map(String), { nil: undefined });
const tag = fc.stringMatching(/^[\w][\w.-]{0,20}$/);
const digest = fc.oneof(
  fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`),
  fc.stringMatching(/^[a-f0-9]{128}$/).map((hex) => `sha512:${hex}`),
);
const referenceText = fc
  .record({
    domain: fc.option(domain, { nil: undefined }),
    port,
    path,
    tag: fc.option(tag, { nil: undefined }),
    digest: fc.option(digest, { nil: undefined }),
  })
  .map(({ domain, port, path, tag, digest }) => {
    const host = domain === undefined ? "" : `${domain}${port === undefined ? "" : `:${port}`}/`;
    return `${host}${path}${tag === undefined ? "" : `:${tag}`}${digest === undefined ? "" : `@${digest}`}`;
  });

/** Whether a URL takes `host` (with its port) as it is; port 0 cannot be reached, so it does not count. */
function isUrlHost(host: string): boolean {
  try {
    return new URL(`http://${host}/`).port !== "0";
  } catch {
    return false;
  }
}

function tryParse(text: string): ImageReference | undefined {
  try {
    return parseReference(text);
  } catch (error) {
    if (!InvalidReferenceError.isInstance(error)) throw error;
    return undefined;
  }
}

describe("properties", () => {
  it("grammar-shaped references parse, but for three known exceptions", () => {
    fc.assert(
      fc.property(referenceText, (text) => {
        if (/^[a-f0-9]{64}$/.test(text)) return; // an image id, not a name
        // A first component with "." is taken for a host, and "_" makes it an invalid one (Docker
        // then returns no domain at all; we refuse).
        if (/^[^/]*\.[^/]*_[^/]*\/|^[^/]*_[^/]*\.[^/]*\//.test(text)) {
          expect(() => parseReference(text)).toThrow(/is not a valid registry host/);
          return;
        }
        // A host no URL can hold (port 0, a bad IPv6 or IPv4 address): refused, saying why.
        const host = text.includes("/") ? text.slice(0, text.indexOf("/")) : "";
        if (/[.:[]|^localhost$/.test(host) && !isUrlHost(host)) {
          expect(() => parseReference(text)).toThrow(/out of range|not a valid IPv6 address|not a valid host/);
          return;
        }
        expect(tryParse(text)).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });

  it("every registry host it accepts is one a URL (and so a registry client) accepts", () => {
    const hosts = fc.oneof(
      domain,
      fc.stringMatching(/^[0-9]{1,3}(?:\.[0-9]{1,4}){0,4}$/),
      fc.stringMatching(/^\[[0-9a-f:]{2,24}\]$/),
      fc.stringMatching(/^(?:0x[0-9a-f]{0,3}|0[0-9]{0,3})(?:\.[0-9a-z]{1,4}){0,3}$/),
    );
    fc.assert(
      fc.property(hosts, fc.option(fc.integer({ min: 0, max: 200000 }), { nil: undefined }), (host, port) => {
        const domainText = `${host}${port === undefined ? "" : `:${port}`}`;
        const reference = tryParse(`${domainText}/app`);
        if (reference === undefined || reference.domain !== domainText) return;
        expect(isUrlHost(domainText)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("the full form parses back to the same reference, and is a fixed point", () => {
    fc.assert(
      fc.property(referenceText, (text) => {
        const reference = tryParse(text);
        if (reference === undefined) return;
        const full = formatReference(reference);
        expect(plain(parseReference(full))).toStrictEqual(plain(reference));
        expect(formatReference(parseReference(full))).toBe(full);
      }),
      { numRuns: 500 },
    );
  });

  it("the familiar form parses back to the same reference and is never longer", () => {
    fc.assert(
      fc.property(referenceText, (text) => {
        const reference = tryParse(text);
        if (reference === undefined) return;
        const short = familiarReference(reference);
        expect(plain(parseReference(short))).toStrictEqual(plain(reference));
        expect(short.length).toBeLessThanOrEqual(formatReference(reference).length);
      }),
      { numRuns: 500 },
    );
  });

  it("any text either parses to a round-tripping reference or throws InvalidReferenceError", () => {
    const alphabet = fc.constantFrom(..."abcAZ09_.-/:@[]% ".split(""), "sha256:", "library/", "localhost");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 20 }), (parts) => {
        const reference = tryParse(parts.join(""));
        if (reference === undefined) return;
        expect(plain(parseReference(formatReference(reference)))).toStrictEqual(plain(reference));
        expect(plain(parseReference(familiarReference(reference)))).toStrictEqual(plain(reference));
        expect(reference.path.toLowerCase()).toBe(reference.path);
      }),
      { numRuns: 2000 },
    );
  });

  it("withDefaultTag is idempotent and always leaves a tag or a digest", () => {
    fc.assert(
      fc.property(referenceText, (text) => {
        const reference = tryParse(text);
        if (reference === undefined) return;
        const tagged = withDefaultTag(reference);
        expect(tagged.tag !== undefined || tagged.digest !== undefined).toBe(true);
        expect(withDefaultTag(tagged)).toStrictEqual(tagged);
      }),
    );
  });
});
