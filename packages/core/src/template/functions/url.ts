/*
 * Sprig's urlParse and urlJoin (url.go) over Go's net/url: url.Parse's rules (scheme, opaque,
 * authority, userinfo, host and port checks, percent-decoding per component) and URL.String's
 * (escaping per component), byte for byte as Go, for what a URL string can hold.
 */
import { goTypeName } from "../format.js";
import { type FunctionMap, GoFloat, GoObject, type GoValue } from "../model.js";
import { expectArity, mapArgument, stringArgument } from "./arguments.js";

type Mode = "path" | "host" | "userPassword" | "queryComponent" | "fragment";

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function isAlphanumeric(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39);
}

/** Go's shouldEscape for one byte. */
function shouldEscape(code: number, mode: Mode): boolean {
  if (isAlphanumeric(code)) return false;
  const char = String.fromCharCode(code);
  if (mode === "host" && "!$&'()*+,;=:[]<>\"".includes(char)) return false;
  if ("-_.~".includes(char)) return false;
  if ("$&+,/:;=?@".includes(char)) {
    switch (mode) {
      case "path":
        return char === "?";
      case "userPassword":
        return char === "@" || char === "/" || char === "?" || char === ":";
      case "queryComponent":
        return true;
      case "fragment":
        return false;
    }
  }
  if (mode === "fragment" && "!()*".includes(char)) return false;
  return true;
}

/** Go's url.escape. */
function escapeUrl(text: string, mode: Mode): string {
  let out = "";
  for (const byte of utf8.encode(text)) {
    if (!shouldEscape(byte, mode)) out += String.fromCharCode(byte);
    else if (byte === 0x20 && mode === "queryComponent") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const isHex = (char: string | undefined) => char !== undefined && /^[0-9a-fA-F]$/.test(char);

/** Go's url.unescape, with its errors. */
function unescapeUrl(text: string, mode: Mode): string {
  const bytes: number[] = [];
  const raw = utf8.encode(text);
  for (let i = 0; i < raw.length; ) {
    const byte = raw[i] as number;
    if (byte === 0x25) {
      const pair = String.fromCharCode(raw[i + 1] ?? 0, raw[i + 2] ?? 0);
      if (i + 2 >= raw.length || !isHex(pair[0]) || !isHex(pair[1])) {
        throw new Error(`invalid URL escape ${JSON.stringify(fromUtf8.decode(raw.subarray(i, i + 3)))}`);
      }
      const value = Number.parseInt(pair, 16);
      if (mode === "host" && value < 0x80 && pair !== "25" && Number.parseInt(pair[0] as string, 16) < 8) {
        throw new Error(`invalid URL escape ${JSON.stringify(`%${pair}`)}`);
      }
      bytes.push(value);
      i += 3;
    } else if (byte === 0x2b) {
      bytes.push(mode === "queryComponent" ? 0x20 : 0x2b);
      i++;
    } else {
      if (mode === "host" && byte < 0x80 && shouldEscape(byte, mode)) {
        throw new Error(`invalid character ${JSON.stringify(String.fromCharCode(byte))} in host name`);
      }
      bytes.push(byte);
      i++;
    }
  }
  return fromUtf8.decode(Uint8Array.from(bytes));
}

/** A URL as Go's url.URL holds the fields Sprig reads and writes. */
interface GoUrl {
  scheme: string;
  opaque: string;
  user: { username: string; password: string | null } | null;
  host: string;
  path: string;
  rawPath: string;
  omitHost: boolean;
  forceQuery: boolean;
  rawQuery: string;
  fragment: string;
}

function emptyUrl(): GoUrl {
  return {
    scheme: "",
    opaque: "",
    user: null,
    host: "",
    path: "",
    rawPath: "",
    omitHost: false,
    forceQuery: false,
    rawQuery: "",
    fragment: "",
  };
}

/** Go's getScheme. */
function splitScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i] as string;
    if (/[a-zA-Z]/.test(char)) continue;
    if (/[0-9+\-.]/.test(char)) {
      if (i === 0) return ["", raw];
      continue;
    }
    if (char === ":") {
      if (i === 0) throw new Error("missing protocol scheme");
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ["", raw];
  }
  return ["", raw];
}

/** Go's validOptionalPort: "" or ":" followed by digits. */
function validOptionalPort(port: string): boolean {
  return port === "" || /^:[0-9]*$/.test(port);
}

/** Go's parseHost (without IPv6 zones, which a URL in a werf.yaml does not carry). */
function parseHost(host: string): string {
  if (host.startsWith("[")) {
    const close = host.lastIndexOf("]");
    if (close < 0) throw new Error("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${JSON.stringify(colonPort)} after host`);
    return unescapeUrl(host, "host");
  }
  const colon = host.lastIndexOf(":");
  if (colon !== -1) {
    const colonPort = host.slice(colon);
    if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${JSON.stringify(colonPort)} after host`);
  }
  return unescapeUrl(host, "host");
}

const userinfoCharacters = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

function parseAuthority(authority: string): Pick<GoUrl, "user" | "host"> {
  const at = authority.lastIndexOf("@");
  const host = parseHost(at < 0 ? authority : authority.slice(at + 1));
  if (at < 0) return { user: null, host };
  const userinfo = authority.slice(0, at);
  if (!userinfoCharacters.test(userinfo)) throw new Error("net/url: invalid userinfo");
  const colon = userinfo.indexOf(":");
  if (colon < 0) return { user: { username: unescapeUrl(userinfo, "userPassword"), password: null }, host };
  return {
    user: {
      username: unescapeUrl(userinfo.slice(0, colon), "userPassword"),
      password: unescapeUrl(userinfo.slice(colon + 1), "userPassword"),
    },
    host,
  };
}

/** Go's url.Parse; its errors read `parse "<url>": <why>`. */
export function parseGoUrl(raw: string): GoUrl {
  const hash = raw.indexOf("#");
  const withoutFragment = hash < 0 ? raw : raw.slice(0, hash);
  let url: GoUrl;
  try {
    url = parseWithoutFragment(withoutFragment);
  } catch (error) {
    throw new Error(`parse ${JSON.stringify(withoutFragment)}: ${(error as Error).message}`);
  }
  if (hash >= 0 && hash + 1 < raw.length) {
    try {
      url.fragment = unescapeUrl(raw.slice(hash + 1), "fragment");
    } catch (error) {
      throw new Error(`parse ${JSON.stringify(raw)}: ${(error as Error).message}`);
    }
  }
  return url;
}

function parseWithoutFragment(raw: string): GoUrl {
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) throw new Error("net/url: invalid control character in URL");
  }
  const url = emptyUrl();
  if (raw === "*") {
    url.path = "*";
    return url;
  }
  const [scheme, afterScheme] = splitScheme(raw);
  url.scheme = scheme.toLowerCase();
  let rest = afterScheme;
  if (rest.endsWith("?") && rest.split("?").length === 2) {
    url.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const question = rest.indexOf("?");
    if (question >= 0) {
      url.rawQuery = rest.slice(question + 1);
      rest = rest.slice(0, question);
    }
  }
  if (!rest.startsWith("/")) {
    if (url.scheme !== "") {
      url.opaque = rest;
      return url;
    }
    const segment = rest.split("/")[0] as string;
    if (segment.includes(":")) throw new Error("first path segment in URL cannot contain colon");
  }
  if ((url.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    rest = "";
    const slash = authority.indexOf("/");
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    Object.assign(url, parseAuthority(authority));
  } else if (url.scheme !== "" && rest.startsWith("/")) {
    url.omitHost = true;
  }
  url.path = unescapeUrl(rest, "path");
  url.rawPath = escapeUrl(url.path, "path") === rest ? "" : rest;
  return url;
}

/** Go's Userinfo.String. */
function userString(user: NonNullable<GoUrl["user"]>): string {
  const name = escapeUrl(user.username, "userPassword");
  return user.password === null ? name : `${name}:${escapeUrl(user.password, "userPassword")}`;
}

/** Go's URL.Hostname: the host without its port and IPv6 brackets. */
function hostname(host: string): string {
  let name = host;
  const colon = host.lastIndexOf(":");
  if (colon !== -1 && validOptionalPort(host.slice(colon))) name = host.slice(0, colon);
  if (name.startsWith("[") && name.endsWith("]")) name = name.slice(1, -1);
  return name;
}

/** Go's URL.String. */
export function formatGoUrl(url: GoUrl): string {
  let out = "";
  if (url.scheme !== "") out += `${url.scheme}:`;
  if (url.opaque !== "") {
    out += url.opaque;
  } else {
    if (url.scheme !== "" || url.host !== "" || url.user !== null) {
      if (!(url.omitHost && url.host === "" && url.user === null)) {
        if (url.host !== "" || url.path !== "" || url.user !== null) out += "//";
        if (url.user !== null) out += `${userString(url.user)}@`;
        if (url.host !== "") out += escapeUrl(url.host, "host");
      }
    }
    const path =
      url.rawPath !== "" && unescapeOrNull(url.rawPath) === url.path ? url.rawPath : escapeUrl(url.path, "path");
    if (path !== "" && !path.startsWith("/") && url.host !== "") out += "/";
    if (out === "" && (path.split("/")[0] as string).includes(":")) out += "./";
    out += path;
  }
  if (url.forceQuery || url.rawQuery !== "") out += `?${url.rawQuery}`;
  if (url.fragment !== "") out += `#${escapeUrl(url.fragment, "fragment")}`;
  return out;
}

function unescapeOrNull(text: string): string | null {
  try {
    return unescapeUrl(text, "path");
  } catch {
    return null;
  }
}

/** reflect.Kind's name of a value, as Sprig's dictGetOrEmpty reports a non-string. */
function kindName(value: GoValue): string {
  if (typeof value === "number") return "int";
  if (typeof value === "boolean") return "bool";
  if (value instanceof GoFloat) return "float64";
  if (Array.isArray(value)) return "slice";
  if (value instanceof Map) return "map";
  if (value instanceof GoObject) return value.typeName.startsWith("*") ? "ptr" : "struct";
  return goTypeName(value);
}

function dictString(dict: Map<string, GoValue>, key: string): string {
  if (!dict.has(key)) return "";
  const value = dict.get(key) ?? null;
  if (typeof value === "string") return value;
  // reflect.TypeOf(nil).Kind() panics in Sprig; the message says what it is.
  throw new Error(
    `unable to parse ${key} key, must be of type string, but ${value === null ? "nil" : kindName(value)} found`,
  );
}

/** Sprig's urlParse: a dict of scheme, host, hostname, path, query, opaque, fragment, userinfo. */
export function urlParse(raw: string): Map<string, GoValue> {
  let url: GoUrl;
  try {
    url = parseGoUrl(raw);
  } catch (error) {
    throw new Error(`unable to parse url: ${(error as Error).message}`);
  }
  return new Map<string, GoValue>([
    ["scheme", url.scheme],
    ["host", url.host],
    ["hostname", hostname(url.host)],
    ["path", url.path],
    ["query", url.rawQuery],
    ["opaque", url.opaque],
    ["fragment", url.fragment],
    ["userinfo", url.user === null ? "" : userString(url.user)],
  ]);
}

/** Sprig's urlJoin: the URL of such a dict (missing keys are empty). */
export function urlJoin(dict: Map<string, GoValue>): string {
  const url = emptyUrl();
  url.scheme = dictString(dict, "scheme");
  url.host = dictString(dict, "host");
  url.path = dictString(dict, "path");
  url.rawQuery = dictString(dict, "query");
  url.opaque = dictString(dict, "opaque");
  url.fragment = dictString(dict, "fragment");
  const userinfo = dictString(dict, "userinfo");
  if (userinfo !== "") {
    try {
      url.user = parseGoUrl(`proto://${userinfo}@host`).user;
    } catch (error) {
      throw new Error(`unable to parse userinfo in dict: ${(error as Error).message}`);
    }
  }
  return formatGoUrl(url);
}

/** Sprig's URL functions. */
export function urlFunctions(): FunctionMap {
  return {
    urlParse: (args, context) => {
      expectArity(context.name, args, 1);
      return urlParse(stringArgument(args[0]));
    },
    urlJoin: (args, context) => {
      expectArity(context.name, args, 1);
      return urlJoin(mapArgument(args[0]));
    },
  };
}
