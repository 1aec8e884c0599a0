import { describe, expect, it } from "vitest";
import { createTemplateSet } from "../index.js";
import type { GoValue } from "../model.js";
import { type SprigOptions, sprigFunctions } from "./sprig.js";
import { urlJoin, urlParse } from "./url.js";

function render(text: string, options: SprigOptions = {}): string {
  const set = createTemplateSet(sprigFunctions(options));
  set.add({ file: "werf.yaml", text });
  return set.execute("werf.yaml", null).text;
}

const parts = (fields: Record<string, string>) =>
  new Map<string, GoValue>(
    Object.entries({
      fragment: "",
      host: "",
      hostname: "",
      opaque: "",
      path: "",
      query: "",
      scheme: "",
      userinfo: "",
      ...fields,
    }),
  );

// Sprig v3.2.3's url_test.go (urlTests): each URL parses to its dict and joins back to itself.
const sprigCases: [string, Record<string, string>][] = [
  [
    "proto://auth@host:80/path?query#fragment",
    {
      fragment: "fragment",
      host: "host:80",
      hostname: "host",
      path: "/path",
      query: "query",
      scheme: "proto",
      userinfo: "auth",
    },
  ],
  ["proto://host:80/path", { host: "host:80", hostname: "host", path: "/path", scheme: "proto" }],
  ["something", { path: "something" }],
  [
    "proto://user:passwor%20d@host:80/path",
    { host: "host:80", hostname: "host", path: "/path", scheme: "proto", userinfo: "user:passwor%20d" },
  ],
  [
    "proto://host:80/pa%20th?key=val%20ue",
    { host: "host:80", hostname: "host", path: "/pa th", query: "key=val%20ue", scheme: "proto" },
  ],
];

describe("urlParse and urlJoin", () => {
  it.each(sprigCases)("%s", (url, fields) => {
    expect(urlParse(url)).toEqual(parts(fields));
    expect(urlJoin(parts(fields))).toBe(url);
  });

  it("runs Sprig's template tests", () => {
    expect(render('{{ index ( urlParse "proto://auth@host:80/path?query#fragment" ) "host" }}')).toBe("host:80");
    expect(
      render(
        '{{ urlJoin (dict "fragment" "fragment" "host" "host:80" "path" "/path" "query" "query" "scheme" "proto") }}',
      ),
    ).toBe("proto://host:80/path?query#fragment");
    expect(
      render(
        '{{ urlJoin (dict "fragment" "fragment" "host" "host:80" "path" "/path" "scheme" "proto" "userinfo" "ASDJKJSD") }}',
      ),
    ).toBe("proto://ASDJKJSD@host:80/path#fragment");
  });

  // Go's net/url rules (url.Parse and URL.String; outputs as Go 1.22 gives them).
  it("reads schemes, opaque URLs, IPv6 hosts and file URLs as Go's url.Parse", () => {
    expect(urlParse("mailto:user@example.com")).toEqual(parts({ scheme: "mailto", opaque: "user@example.com" }));
    expect(urlParse("HTTPS://[::1]:8443/x")).toEqual(
      parts({ scheme: "https", host: "[::1]:8443", hostname: "::1", path: "/x" }),
    );
    expect(urlParse("file:///etc/hosts")).toEqual(parts({ scheme: "file", path: "/etc/hosts" }));
    expect(urlJoin(parts({ scheme: "file", path: "/etc/hosts" }))).toBe("file:///etc/hosts");
    expect(urlParse("https://example.com/a%2Fb?q#frag%20ment")).toEqual(
      parts({
        scheme: "https",
        host: "example.com",
        hostname: "example.com",
        path: "/a/b",
        query: "q",
        fragment: "frag ment",
      }),
    );
    expect(urlJoin(parts({ scheme: "https", host: "example.com", path: "/a b/ü", fragment: "x y" }))).toBe(
      "https://example.com/a%20b/%C3%BC#x%20y",
    );
    // A path without a leading slash after a host gets one; a colon in a first relative segment gets ./
    expect(urlJoin(parts({ host: "example.com", path: "relative" }))).toBe("//example.com/relative");
    expect(urlJoin(parts({ path: "a:b/c" }))).toBe("./a:b/c");
  });

  it("fails as Sprig does, with Go's url errors", () => {
    expect(() => render('{{ urlParse "http://a b.com/" }}')).toThrow(
      'error calling urlParse: unable to parse url: parse "http://a b.com/": invalid character " " in host name',
    );
    expect(() => render('{{ urlParse "%zz" }}')).toThrow(
      'error calling urlParse: unable to parse url: parse "%zz": invalid URL escape "%zz"',
    );
    expect(() => render('{{ urlParse "1http://x" }}')).toThrow(
      'parse "1http://x": first path segment in URL cannot contain colon',
    );
    expect(() => render('{{ urlParse "http://x:port/" }}')).toThrow(
      'parse "http://x:port/": invalid port ":port" after host',
    );
    expect(() => render('{{ urlParse ":x" }}')).toThrow('parse ":x": missing protocol scheme');
    expect(() => urlParse("http://x/\n")).toThrow('parse "http://x/\\n": net/url: invalid control character in URL');
    expect(() => render('{{ urlJoin (dict "host" 80) }}')).toThrow(
      "error calling urlJoin: unable to parse host key, must be of type string, but int found",
    );
  });
});

describe("getHostByName", () => {
  it("answers one of the resolver's addresses", () => {
    const lookupHost = (name: string) => (name === "db.internal" ? ["10.0.0.1", "10.0.0.2"] : []);
    expect(["10.0.0.1", "10.0.0.2"]).toContain(render('{{ "db.internal" | getHostByName }}', { lookupHost }));
    // Sprig indexes rand.Intn(len(addrs)): a name without addresses panics there.
    expect(() => render('{{ getHostByName "nowhere.invalid" }}', { lookupHost })).toThrow(
      "error calling getHostByName: invalid argument to Intn",
    );
  });

  it("says a renderer without a resolver cannot resolve", () => {
    expect(() => render('{{ getHostByName "example.com" }}')).toThrow(
      'error calling getHostByName: cannot resolve "example.com": this renderer was given no name resolver',
    );
  });
});
