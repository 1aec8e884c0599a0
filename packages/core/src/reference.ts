import { InvalidReferenceError } from "./errors.js";

/*
 * Docker image references, parsed and normalized as github.com/distribution/reference does
 * (`ParseNormalizedNamed`, `FamiliarString`, `TagNameOnly`), digests validated as
 * github.com/opencontainers/go-digest does. The patterns below are that package's, one for one;
 * RE2's leftmost-first submatches agree with JavaScript's backtracking ones for them.
 *
 * Three deliberate departures, all for references Docker accepts but misreads or cannot use:
 * - a first component that Docker takes for a registry host but that is not a valid host
 *   (`foo_bar.com/app`) is an error here; Docker silently yields a reference without a domain.
 * - `familiarReference` keeps `docker.io/` when dropping it would make the first path component
 *   read as a host (`docker.io/example.com/app`); Docker prints `example.com/app`, another image.
 * - a registry host no URL can hold is an error here: a port outside 1-65535 (Docker's grammar takes
 *   any digits, and the docker CLI fails only when it connects), an invalid IPv6 address in brackets,
 *   or a host ending in a number that is not a valid IPv4 address (`999.1.1.1`).
 * The 255-character limit applies to the path only, as in distribution/reference v0.6 (older
 * versions counted the host too); registries limit the path.
 */

/** Registry of references that name none. */
export const defaultDomain = "docker.io";
/** Tag of references that name neither tag nor digest (`TagNameOnly`). */
export const defaultTag = "latest";
/** Longest repository path Docker accepts, counted after normalization (`library/` included). */
export const repositoryPathMaxLength = 255;

const legacyDefaultDomain = "index.docker.io";
const officialRepositoryPrefix = "library/";
const localhost = "localhost";

const alphanumeric = "[a-z0-9]+";
const separator = "(?:[._]|__|[-]+)";
const domainNameComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const optionalPort = "(?::[0-9]+)?";
const tagPattern = "[\\w][\\w.-]{0,127}";
const digestPattern = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}";
const ipv6Address = "\\[(?:[a-fA-F0-9:]+)\\]";
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6Address})`;
const domainAndPort = `${host}${optionalPort}`;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePattern = `(?:${domainAndPort}/)?${remoteName}`;

const referenceRegexp = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const anchoredIdentifierRegexp = /^[a-f0-9]{64}$/;
const anchoredDomainRegexp = new RegExp(`^${domainAndPort}$`);
const anchoredPathComponentRegexp = new RegExp(`^${pathComponent}$`);
const anchoredTagRegexp = new RegExp(`^${tagPattern}$`);
const anchoredDigestRegexp = new RegExp(`^${digestPattern}$`);

/** Hex length of the digest algorithms Docker accepts (go-digest's registered ones). */
const digestHexLengths: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

declare const digestBrand: unique symbol;
/** A content digest `algorithm:hex` (sha256 with 64, sha384 with 96, sha512 with 128 lowercase hex). */
export type Digest = string & { readonly [digestBrand]: true };

declare const imageReferenceBrand: unique symbol;
/** A normalized Docker image reference; make one with `parseReference` or `parseRepository`. */
export interface ImageReference {
  /** Registry host with optional port, e.g. `docker.io`, `localhost:5000`, `[::1]:5000`. */
  readonly domain: string;
  /** Repository path inside the registry, e.g. `library/alpine`. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: Digest;
  readonly [imageReferenceBrand]: true;
}

const formatHint =
  "a reference is [host[:port]/]path[:tag][@sha256:<64 hex>], e.g. registry.example.com/team/app:1.0 or alpine:3.20";

/** Parses a Docker reference and normalizes it (`docker.io`, `library/`); adds no default tag. */
export function parseReference(text: string): ImageReference {
  if (text === "") fail(text, "the reference is empty", formatHint);
  if (anchoredIdentifierRegexp.test(text)) {
    fail(
      text,
      "a 64-character hexadecimal string is an image id, not a repository name",
      "to name an image by content write name@sha256:<hex>; to use the string as a name, prefix it with a registry, e.g. docker.io/<hex>",
    );
  }
  // Whitespace first: "Bad Repo" is wrong for its space before it is wrong for its case.
  if (/\s/.test(text)) fail(text, "a reference contains no whitespace", formatHint);
  const { domain, remainder, pathStart } = splitDockerDomain(text);
  const tagSeparator = remainder.indexOf(":");
  const remote = tagSeparator === -1 ? remainder : remainder.slice(0, tagSeparator);
  if (remote.toLowerCase() !== remote) {
    const given = text.slice(pathStart);
    const colon = given.indexOf(":");
    const lowered = colon === -1 ? given.toLowerCase() : `${given.slice(0, colon).toLowerCase()}${given.slice(colon)}`;
    fail(text, "repository name must be lowercase", `write ${quote(`${text.slice(0, pathStart)}${lowered}`)}`);
  }
  return parseCanonical(text, `${domain}/${remainder}`);
}

/** Parses a REPO argument: a reference with neither tag nor digest, e.g. `registry.example.com/team/app`. */
export function parseRepository(text: string): ImageReference {
  const reference = parseReference(text);
  if (reference.tag !== undefined || reference.digest !== undefined) {
    const suffix = `${reference.tag === undefined ? "" : `:${reference.tag}`}${reference.digest === undefined ? "" : `@${reference.digest}`}`;
    const hostOnly = !text.includes("/") && reference.digest === undefined && /^[0-9]+$/.test(reference.tag ?? "");
    throw new InvalidReferenceError(
      `invalid repository ${quote(text)}: a repository has no ${reference.tag === undefined ? "digest" : reference.digest === undefined ? "tag" : "tag or digest"} (${quote(suffix)})`,
      {
        hint: hostOnly
          ? `a registry host alone is not a repository; add a path, e.g. "${text}/project"`
          : `give the repository without ${quote(suffix)}: "${familiarName(reference)}"`,
      },
    );
  }
  return reference;
}

/** Full form of a reference: `docker.io/library/alpine:3.20`, `name:tag@digest` when both. */
export function formatReference(reference: ImageReference): string {
  return `${repositoryOf(reference)}${suffixOf(reference)}`;
}

/** Short form Docker prints (`alpine:3.20`, `user/app`, `localhost:5000/x:1`); parses back to the same reference. */
export function familiarReference(reference: ImageReference): string {
  return `${familiarName(reference)}${suffixOf(reference)}`;
}

/** The reference with tag `latest` when it has neither tag nor digest (Docker's `TagNameOnly`). */
export function withDefaultTag(reference: ImageReference): ImageReference {
  if (reference.tag !== undefined || reference.digest !== undefined) return reference;
  return { ...reference, tag: defaultTag };
}

/** The repository of a reference: `domain/path`, e.g. `docker.io/library/alpine`. */
export function repositoryOf(reference: ImageReference): string {
  return `${reference.domain}/${reference.path}`;
}

/** True when both references name the same repository, tag and digest. */
export function referenceEquals(left: ImageReference, right: ImageReference): boolean {
  return (
    left.domain === right.domain && left.path === right.path && left.tag === right.tag && left.digest === right.digest
  );
}

/** True when `text` is a digest Docker accepts: `sha256:<64 hex>`, `sha384:<96 hex>` or `sha512:<128 hex>`. */
export function isDigest(text: unknown): text is Digest {
  return typeof text === "string" && digestProblem(text) === null;
}

/** Returns `text` as a Digest or throws InvalidReferenceError. */
export function parseDigest(text: string): Digest {
  const problem = digestProblem(text);
  if (problem !== null) {
    throw new InvalidReferenceError(`invalid digest ${quote(text)}: ${problem}`, {
      hint: "a digest is sha256:<64 lowercase hex> (or sha384/sha512)",
    });
  }
  return text as Digest;
}

/** Docker's `splitDockerDomain`: which part of a familiar name is the registry host. */
function splitDockerDomain(name: string): { domain: string; remainder: string; pathStart: number } {
  const slash = name.indexOf("/");
  if (slash === -1) return { domain: defaultDomain, remainder: `${officialRepositoryPrefix}${name}`, pathStart: 0 };
  const first = name.slice(0, slash);
  let domain: string;
  let remainder: string;
  let pathStart: number;
  if (looksLikeDomain(first)) {
    domain = first === legacyDefaultDomain ? defaultDomain : first;
    remainder = name.slice(slash + 1);
    pathStart = slash + 1;
  } else {
    domain = defaultDomain;
    remainder = name;
    pathStart = 0;
  }
  if (domain === defaultDomain && !remainder.includes("/")) remainder = `${officialRepositoryPrefix}${remainder}`;
  return { domain, remainder, pathStart };
}

/** A first component is a host when it has a dot or a port, is `localhost`, or has uppercase (paths can't). */
function looksLikeDomain(component: string): boolean {
  return (
    component === localhost ||
    component.includes(".") ||
    component.includes(":") ||
    component.toLowerCase() !== component
  );
}

/** Docker's `Parse` of the already domain-qualified text, reporting errors against the user's `original`. */
function parseCanonical(original: string, text: string): ImageReference {
  const match = referenceRegexp.exec(text);
  if (match === null) {
    // Docker answers "must be lowercase" when only the host has uppercase and is invalid; saying
    // which part is wrong helps more.
    const { reason, hint } = diagnose(original);
    fail(original, reason, hint);
  }
  const name = match[1] ?? "";
  const nameMatch = anchoredNameRegexp.exec(name);
  const domain = nameMatch?.[1];
  const path = nameMatch?.[2] ?? name;
  if (domain === undefined) {
    // Docker would take the whole name as a path and return no domain; the user meant a host.
    const host = name.slice(0, name.indexOf("/"));
    fail(
      original,
      `${quote(host)} is not a valid registry host`,
      'a host is dot-separated labels of letters, digits and "-" (no "_"), with an optional :port',
    );
  }
  const hostProblem = registryHostProblem(domain);
  if (hostProblem !== null) fail(original, hostProblem.reason, hostProblem.hint);
  if (path.length > repositoryPathMaxLength) {
    fail(
      original,
      `repository name must not be more than ${repositoryPathMaxLength} characters (it has ${path.length})`,
      "shorten the repository path",
    );
  }
  const tag = match[2];
  const digest = match[3];
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem !== null) fail(original, problem, "a digest is sha256:<64 lowercase hex> (or sha384/sha512)");
  }
  return makeReference(domain, path, tag, digest as Digest | undefined);
}

/**
 * What makes a host that Docker's grammar accepts unusable as a registry address, or null.
 * The grammar takes any digits as a port, any hex and colons as IPv6 and any dotted numbers as a
 * name; a URL (and so every registry client, the engine's included) takes none of the invalid ones,
 * and would fail later with a bare "Invalid URL". The checks follow the WHATWG URL host parser.
 */
function registryHostProblem(domain: string): { reason: string; hint: string } | null {
  const bracket = domain.startsWith("[") ? domain.indexOf("]") + 1 : 0;
  const colon = domain.indexOf(":", bracket);
  const host = colon === -1 ? domain : domain.slice(0, colon);
  if (colon !== -1) {
    const port = Number(domain.slice(colon + 1));
    if (port < 1 || port > 65535) {
      return {
        reason: `port ${domain.slice(colon + 1)} of registry ${quote(domain)} is out of range: a port is a number from 1 to 65535`,
        hint: `write the registry's port, e.g. ${host}:5000`,
      };
    }
  }
  if (host.startsWith("[")) {
    if (!isIpv6Address(host.slice(1, -1))) {
      return {
        reason: `registry ${quote(domain)} is not a valid IPv6 address`,
        hint: 'an IPv6 address is 8 groups of 1-4 hex digits separated by ":", or fewer with one "::", e.g. [::1]:5000',
      };
    }
    return null;
  }
  const labels = host.split(".");
  if (endsInNumber(labels) && !isIpv4Address(labels)) {
    return {
      reason: `registry ${quote(domain)} is not a valid host: a host that ends in a number is an IPv4 address, and this one is not`,
      hint: "an IPv4 address is 4 numbers from 0 to 255, e.g. 192.168.1.10:5000; a host name ends in a letter",
    };
  }
  return null;
}

function isIpv6Address(text: string): boolean {
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = (half: string | undefined) => (half === undefined || half === "" ? [] : half.split(":"));
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (![...head, ...tail].every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return false;
  const count = head.length + tail.length;
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** WHATWG "ends in a number": the last label is digits, or a number the IPv4 parser reads (`0x1f`). */
function endsInNumber(labels: readonly string[]): boolean {
  const last = labels.at(-1) ?? "";
  return /^[0-9]+$/.test(last) || ipv4Number(last) !== null;
}

/** WHATWG IPv4 parser: up to 4 numbers (decimal, 0x hex, 0 octal), all but the last below 256. */
function isIpv4Address(labels: readonly string[]): boolean {
  if (labels.length > 4) return false;
  const numbers = labels.map(ipv4Number);
  if (numbers.some((number) => number === null)) return false;
  const last = numbers.at(-1) as number;
  return numbers.slice(0, -1).every((number) => (number as number) <= 255) && last < 256 ** (5 - labels.length);
}

function ipv4Number(text: string): number | null {
  if (text === "") return null;
  let digits = text;
  let pattern = /^[0-9]*$/;
  let radix = 10;
  if (/^0[xX]/.test(text)) {
    digits = text.slice(2);
    pattern = /^[0-9a-fA-F]*$/;
    radix = 16;
  } else if (text.length > 1 && text.startsWith("0")) {
    digits = text.slice(1);
    pattern = /^[0-7]*$/;
    radix = 8;
  }
  if (!pattern.test(digits)) return null;
  return digits === "" ? 0 : Number.parseInt(digits, radix);
}

function makeReference(domain: string, path: string, tag: string | undefined, digest: Digest | undefined) {
  const reference: { domain: string; path: string; tag?: string; digest?: Digest } = { domain, path };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return reference as ImageReference;
}

/** go-digest's `Digest.Validate`, with its messages; null when valid. */
function digestProblem(text: string): string | null {
  const colon = text.indexOf(":");
  if (colon <= 0 || colon + 1 === text.length) return "invalid checksum digest format";
  const algorithm = text.slice(0, colon);
  const encoded = text.slice(colon + 1);
  const hexLength = digestHexLengths[algorithm];
  if (hexLength === undefined) {
    return anchoredDigestRegexp.test(text)
      ? `unsupported digest algorithm "${algorithm}"`
      : "invalid checksum digest format";
  }
  if (encoded.length !== hexLength) {
    return `invalid checksum digest length: ${algorithm} needs ${hexLength} hex characters, got ${encoded.length}`;
  }
  if (!/^[a-f0-9]+$/.test(encoded)) return "invalid checksum digest format: the hex must be lowercase 0-9a-f";
  return null;
}

/** Docker only says "invalid reference format"; find which part is wrong so the user knows what to fix. */
function diagnose(text: string): { reason: string; hint: string } {
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.exec(text);
  if (scheme !== null) {
    return {
      reason: `a reference has no scheme (${quote(scheme[0])})`,
      hint: `write ${quote(text.slice(scheme[0].length))}`,
    };
  }
  if (/\s/.test(text)) return { reason: "a reference contains no whitespace", hint: formatHint };

  const at = text.indexOf("@");
  const nameAndTag = at === -1 ? text : text.slice(0, at);
  const digest = at === -1 ? undefined : text.slice(at + 1);
  if (digest !== undefined && (digest.includes("@") || digest.includes("/"))) {
    return { reason: 'unexpected "@": it may only introduce a digest at the end', hint: formatHint };
  }
  const lastSlash = nameAndTag.lastIndexOf("/");
  const colon = nameAndTag.indexOf(":", lastSlash + 1);
  const name = colon === -1 ? nameAndTag : nameAndTag.slice(0, colon);
  const tag = colon === -1 ? undefined : nameAndTag.slice(colon + 1);

  if (name === "") return { reason: "the repository name is missing", hint: formatHint };
  if (!name.includes("/") && name.startsWith("[")) {
    return {
      reason: "a registry host alone is not a reference",
      hint: "add a repository path after the host, e.g. [::1]:5000/app",
    };
  }
  const components = name.split("/");
  const first = components[0] ?? "";
  const path = components.length > 1 && looksLikeDomain(first) ? components.slice(1) : components;
  if (path.length < components.length && !anchoredDomainRegexp.test(first)) {
    return {
      reason: `${quote(first)} is not a valid registry host`,
      hint: 'a host is dot-separated labels of letters, digits and "-", or [IPv6], with an optional :port',
    };
  }
  for (const component of path) {
    if (component === "") {
      return {
        reason: "the repository path has an empty component",
        hint: 'remove the leading, trailing or doubled "/"',
      };
    }
    if (!anchoredPathComponentRegexp.test(component)) {
      return {
        reason: `path component ${quote(component)} is not valid`,
        hint: 'a path component is lowercase letters and digits, joined by single ".", "_", "__" or any number of "-"',
      };
    }
  }
  if (tag !== undefined && !anchoredTagRegexp.test(tag)) {
    return {
      reason:
        tag === ""
          ? 'the tag after ":" is empty'
          : tag.length > 128
            ? `the tag is longer than 128 characters (it has ${tag.length})`
            : `tag ${quote(tag)} is not valid`,
      hint: 'a tag is up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"',
    };
  }
  if (digest !== undefined && !anchoredDigestRegexp.test(digest)) {
    return {
      reason: `digest ${quote(digest)} is not valid`,
      hint: "a digest is sha256:<64 lowercase hex> (or sha384/sha512)",
    };
  }
  return { reason: "invalid reference format", hint: formatHint };
}

function familiarName(reference: ImageReference): string {
  if (reference.domain !== defaultDomain) return repositoryOf(reference);
  const path = reference.path;
  if (path.startsWith(officialRepositoryPrefix)) {
    const rest = path.slice(officialRepositoryPrefix.length);
    if (!rest.includes("/")) return rest;
  }
  const slash = path.indexOf("/");
  if (slash !== -1 && looksLikeDomain(path.slice(0, slash))) return repositoryOf(reference);
  return path;
}

function suffixOf(reference: ImageReference): string {
  return `${reference.tag === undefined ? "" : `:${reference.tag}`}${reference.digest === undefined ? "" : `@${reference.digest}`}`;
}

/** Quotes user text for a message, cut so that a pasted megabyte does not flood the terminal. */
function quote(text: string): string {
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}

function fail(text: string, reason: string, hint: string): never {
  throw new InvalidReferenceError(`invalid reference ${quote(text)}: ${reason}`, { hint });
}
