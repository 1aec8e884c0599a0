/*
 * Sprig's certificate functions (crypto.go): genCA, genSelfSignedCert and genSignedCert (a new RSA
 * 2048 key each), their WithKey forms (a PEM key: PKCS#1 RSA, SEC 1 EC, PKCS#8 Ed25519/RSA/EC;
 * DSA keys fail as Go's x509 refuses them), and buildCustomCert. Certificates are what Go's
 * x509.CreateCertificate makes of Sprig's template: version 3, a random 128-bit serial, the CN as
 * subject, now to now + days, keyUsage (digitalSignature, keyEncipherment; certSign for a CA),
 * extKeyUsage serverAuth and clientAuth, basicConstraints, a CA's subjectKeyId (SHA-1 of its public
 * key), the signer's as authorityKeyId, DNS names then IPs as subjectAltName; signed with SHA-256
 * (RSA PKCS#1 v1.5, ECDSA) or Ed25519. The value is Sprig's certificate struct: `.Cert` and `.Key`.
 */
import { sha1 } from "@noble/hashes/legacy";
import { sha256 } from "@noble/hashes/sha2";
import { type FunctionMap, GoObject, type GoValue } from "../model.js";
import { expectArity, intArgument, stringArgument } from "./arguments.js";
import { ellipticCurves } from "./curves.js";
import {
  bigIntBytes,
  bytesBigInt,
  derBitString,
  derExplicit,
  derInteger,
  derObjectIdentifier,
  derOctetString,
  derSequence,
  pemEncode,
} from "./der.js";
import { generateRsaKey, rsaPrivateKeyDer } from "./keys.js";
import { randomBytes } from "./random.js";

type PrivateKey =
  | { kind: "rsa"; n: bigint; e: bigint; d: bigint; p: bigint; q: bigint }
  | { kind: "ecdsa"; secret: Uint8Array }
  | { kind: "ed25519"; seed: Uint8Array }
  | { kind: "dsa" };

// ---- DER reading (what the parsing of keys and certificates needs) ----

interface DerNode {
  tag: number;
  /** The whole element, header included. */
  raw: Uint8Array;
  content: Uint8Array;
}

function readElements(bytes: Uint8Array): DerNode[] {
  const nodes: DerNode[] = [];
  for (let at = 0; at < bytes.length; ) {
    const tag = bytes[at] as number;
    if (at + 1 >= bytes.length) throw new Error("asn1: syntax error: data truncated");
    let size = bytes[at + 1] as number;
    let start = at + 2;
    if (size & 0x80) {
      const count = size & 0x7f;
      if (count === 0 || count > 4) throw new Error("asn1: syntax error: indefinite length found (not DER)");
      size = 0;
      for (let i = 0; i < count; i++) size = size * 256 + (bytes[start + i] ?? 0);
      start += count;
    }
    if (start + size > bytes.length) throw new Error("asn1: syntax error: data truncated");
    nodes.push({ tag, raw: bytes.subarray(at, start + size), content: bytes.subarray(start, start + size) });
    at = start + size;
  }
  return nodes;
}

function children(node: DerNode | undefined, tag = 0x30): DerNode[] {
  if (node === undefined || node.tag !== tag) throw new Error("asn1: structure error: tags don't match");
  return readElements(node.content);
}

function integerOf(node: DerNode | undefined): bigint {
  if (node === undefined || node.tag !== 0x02) throw new Error("asn1: structure error: tags don't match");
  return bytesBigInt(node.content);
}

function oidOf(node: DerNode | undefined): string {
  if (node === undefined || node.tag !== 0x06) throw new Error("asn1: structure error: tags don't match");
  const bytes = node.content;
  const arcs = [Math.floor((bytes[0] ?? 0) / 40), (bytes[0] ?? 0) % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join(".");
}

const oids = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRsa: "1.2.840.113549.1.1.11",
  ecPublicKey: "1.2.840.10045.2.1",
  prime256v1: "1.2.840.10045.3.1.7",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  ed25519: "1.3.101.112",
  commonName: "2.5.4.3",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  subjectKeyId: "2.5.29.14",
  authorityKeyId: "2.5.29.35",
  subjectAltName: "2.5.29.17",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};

// ---- PEM ----

/** Go's pem.Decode of the first block: its type and bytes, or null. */
function pemDecode(text: string): { type: string; bytes: Uint8Array } | null {
  const match = /-----BEGIN ([^\n-]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (match === null) return null;
  const body = (match[2] as string).replace(/\s+/g, "");
  try {
    return { type: match[1] as string, bytes: Uint8Array.from(globalThis.atob(body), (char) => char.charCodeAt(0)) };
  } catch {
    return null;
  }
}

function parsePkcs1(bytes: Uint8Array): PrivateKey {
  const [, n, e, d, p, q] = children(readElements(bytes)[0]).map((node) => integerOf(node));
  if (n === undefined || e === undefined || d === undefined || p === undefined || q === undefined) {
    throw new Error("asn1: structure error: too few fields");
  }
  return { kind: "rsa", n, e, d, p, q };
}

function parseSec1(bytes: Uint8Array): PrivateKey {
  const fields = children(readElements(bytes)[0]);
  const secret = fields[1];
  if (secret?.tag !== 0x04) throw new Error("x509: failed to parse EC private key");
  const curve = fields.find((field) => field.tag === 0xa0);
  if (curve !== undefined && oidOf(readElements(curve.content)[0]) !== oids.prime256v1) {
    throw new Error("x509: unknown elliptic curve");
  }
  return { kind: "ecdsa", secret: secret.content.slice() };
}

/** Sprig's parsePrivateKeyPEM, with its messages. */
export function parsePrivateKeyPem(text: string): PrivateKey {
  const block = pemDecode(text);
  if (block === null) throw new Error("no PEM data in input");
  if (block.type === "PRIVATE KEY") {
    try {
      const [, algorithm, key] = children(readElements(block.bytes)[0]);
      const oid = oidOf(children(algorithm)[0]);
      const inner = children(key, 0x04);
      if (oid === oids.rsaEncryption) return parsePkcs1(key?.content as Uint8Array);
      if (oid === oids.ecPublicKey) return parseSec1(key?.content as Uint8Array);
      if (oid === oids.ed25519 && inner[0]?.tag === 0x04 && inner[0].content.length === 32) {
        return { kind: "ed25519", seed: inner[0].content.slice() };
      }
      throw new Error(`x509: PKCS#8 wrapping contained private key with unknown algorithm: ${oid}`);
    } catch (error) {
      throw new Error(`decoding PEM as PKCS#8: ${(error as Error).message}`);
    }
  }
  if (!block.type.endsWith(" PRIVATE KEY")) {
    throw new Error(`no private key data in PEM block of type ${block.type}`);
  }
  switch (block.type.slice(0, -12)) {
    case "RSA":
      try {
        return parsePkcs1(block.bytes);
      } catch (error) {
        throw new Error(`parsing RSA private key from PEM: ${(error as Error).message}`);
      }
    case "EC":
      try {
        return parseSec1(block.bytes);
      } catch (error) {
        throw new Error(`parsing EC private key from PEM: ${(error as Error).message}`);
      }
    case "DSA":
      return { kind: "dsa" };
    default:
      throw new Error(`invalid private key type ${block.type}`);
  }
}

// ---- keys ----

function ecdsaPrivateDer(secret: Uint8Array): Uint8Array {
  return derSequence(
    derInteger(1n),
    derOctetString(secret),
    derExplicit(0, derObjectIdentifier(oids.prime256v1)),
    derExplicit(
      1,
      derBitString(ellipticCurves("a certificate with an ECDSA or Ed25519 key").p256.getPublicKey(secret, false)),
    ),
  );
}

/** Sprig's pemBlockForKey. */
function keyPem(key: PrivateKey): string {
  switch (key.kind) {
    case "rsa":
      return pemEncode("RSA PRIVATE KEY", rsaPrivateKeyDer(key));
    case "ecdsa":
      return pemEncode("EC PRIVATE KEY", ecdsaPrivateDer(key.secret));
    case "ed25519":
      return pemEncode(
        "PRIVATE KEY",
        derSequence(
          derInteger(0n),
          derSequence(derObjectIdentifier(oids.ed25519)),
          derOctetString(derOctetString(key.seed)),
        ),
      );
    case "dsa":
      throw new Error("unreachable");
  }
}

/** The subjectPublicKey bits and the SubjectPublicKeyInfo of a key (x509.MarshalPKIXPublicKey). */
function publicKeyInfo(key: PrivateKey): { bits: Uint8Array; info: Uint8Array } {
  let algorithm: Uint8Array;
  let bits: Uint8Array;
  switch (key.kind) {
    case "rsa":
      algorithm = derSequence(derObjectIdentifier(oids.rsaEncryption), new Uint8Array([0x05, 0x00]));
      bits = derSequence(derInteger(key.n), derInteger(key.e));
      break;
    case "ecdsa":
      algorithm = derSequence(derObjectIdentifier(oids.ecPublicKey), derObjectIdentifier(oids.prime256v1));
      bits = ellipticCurves("a certificate with an ECDSA or Ed25519 key").p256.getPublicKey(key.secret, false);
      break;
    case "ed25519":
      algorithm = derSequence(derObjectIdentifier(oids.ed25519));
      bits = ellipticCurves("a certificate with an ECDSA or Ed25519 key").ed25519.getPublicKey(key.seed);
      break;
    case "dsa":
      throw new Error("x509: unsupported public key type: *dsa.PublicKey");
  }
  return { bits, info: derSequence(algorithm, derBitString(bits)) };
}

function signatureAlgorithm(key: PrivateKey): Uint8Array {
  switch (key.kind) {
    case "rsa":
      return derSequence(derObjectIdentifier(oids.sha256WithRsa), new Uint8Array([0x05, 0x00]));
    case "ecdsa":
      return derSequence(derObjectIdentifier(oids.ecdsaWithSha256));
    case "ed25519":
      return derSequence(derObjectIdentifier(oids.ed25519));
    case "dsa":
      // Go's dsa.PrivateKey is no crypto.Signer.
      throw new Error("x509: certificate private key does not implement crypto.Signer");
  }
}

// DigestInfo prefix of SHA-256 for PKCS#1 v1.5 signatures.
const sha256DigestInfo = Uint8Array.from([
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
]);

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let square = base % modulus;
  for (let rest = exponent; rest > 0n; rest >>= 1n) {
    if ((rest & 1n) === 1n) result = (result * square) % modulus;
    square = (square * square) % modulus;
  }
  return result;
}

function sign(key: PrivateKey, message: Uint8Array): Uint8Array {
  switch (key.kind) {
    case "rsa": {
      const size = bigIntBytes(key.n).length;
      const digest = new Uint8Array([...sha256DigestInfo, ...sha256(message)]);
      const padded = new Uint8Array(size);
      padded[1] = 0x01;
      padded.fill(0xff, 2, size - digest.length - 1);
      padded.set(digest, size - digest.length);
      const signature = bigIntBytes(modPow(bytesBigInt(padded), key.d, key.n));
      const out = new Uint8Array(size);
      out.set(signature, size - signature.length);
      return out;
    }
    case "ecdsa":
      return ellipticCurves("a certificate with an ECDSA or Ed25519 key")
        .p256.sign(sha256(message), key.secret)
        .toDERRawBytes();
    case "ed25519":
      return ellipticCurves("a certificate with an ECDSA or Ed25519 key").ed25519.sign(message, key.seed);
    case "dsa":
      throw new Error("x509: only RSA, ECDSA and Ed25519 keys supported");
  }
}

// ---- certificates ----

function tagged(tag: number, content: Uint8Array): Uint8Array {
  return derSequence(content).map((byte, index) => (index === 0 ? tag : byte));
}

/** pkix.Name{CommonName: cn} as Go marshals it: PrintableString when it can, else UTF8String. */
function commonName(cn: string): Uint8Array {
  if (cn === "") return derSequence();
  const bytes = new TextEncoder().encode(cn);
  const printable = /^[A-Za-z0-9 '()+,\-./:=?*&]*$/.test(cn);
  const value = tagged(printable ? 0x13 : 0x0c, bytes);
  const attribute = derSequence(derObjectIdentifier(oids.commonName), value);
  return derSequence(tagged(0x31, attribute));
}

/** Go's time encoding in certificates: UTCTime for 1950-2049, else GeneralizedTime, to the second. */
function certificateTime(milliseconds: number): Uint8Array {
  const date = new Date(milliseconds);
  const year = date.getUTCFullYear();
  const pad = (value: number) => String(value).padStart(2, "0");
  const rest = `${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  const utc = year >= 1950 && year < 2050;
  const text = utc ? `${pad(year % 100)}${rest}` : `${String(year).padStart(4, "0")}${rest}`;
  return tagged(utc ? 0x17 : 0x18, new TextEncoder().encode(text));
}

/** Go's net.ParseIP: IPv4 as 4 bytes (as marshalled in subjectAltName), IPv6 as 16; null when it is not one. */
function parseIp(text: string): Uint8Array | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4 !== null) {
    const parts = v4.slice(1).map(Number);
    if (
      parts.some(
        (part, index) =>
          part > 255 || ((v4[index + 1] as string).length > 1 && (v4[index + 1] as string).startsWith("0")),
      )
    ) {
      return null;
    }
    return Uint8Array.from(parts);
  }
  if (!text.includes(":")) return null;
  let head = text;
  let tail = "";
  const double = text.indexOf("::");
  if (double >= 0) {
    head = text.slice(0, double);
    tail = text.slice(double + 2);
    if (tail.includes("::")) return null;
  }
  const groups = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && piece.includes(".")) {
        const embedded = parseIp(piece);
        if (embedded === null || embedded.length !== 4) return null;
        out.push(
          ((embedded[0] as number) << 8) | (embedded[1] as number),
          ((embedded[2] as number) << 8) | (embedded[3] as number),
        );
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(Number.parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const first = groups(head);
  const last = groups(tail);
  if (first === null || last === null) return null;
  const missing = 8 - first.length - last.length;
  if (double < 0 ? missing !== 0 : missing < 1) return null;
  const all = [...first, ...Array.from({ length: double < 0 ? 0 : missing }, () => 0), ...last];
  const out = new Uint8Array(16);
  all.forEach((group, index) => {
    out[index * 2] = group >> 8;
    out[index * 2 + 1] = group & 0xff;
  });
  return out;
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? derSequence(derObjectIdentifier(oid), new Uint8Array([0x01, 0x01, 0xff]), derOctetString(value))
    : derSequence(derObjectIdentifier(oid), derOctetString(value));
}

/** Go's marshalKeyUsage of digitalSignature | keyEncipherment (| certSign). */
function keyUsage(ca: boolean): Uint8Array {
  return ca ? new Uint8Array([0x03, 0x02, 0x02, 0xa4]) : new Uint8Array([0x03, 0x02, 0x05, 0xa0]);
}

interface Signer {
  /** The signer's subject, as it is in its certificate (the new one's issuer). */
  subject: Uint8Array;
  subjectKeyId: Uint8Array | null;
  key: PrivateKey;
}

interface CertificateRequest {
  cn: string;
  ips: Uint8Array[];
  dnsNames: string[];
  days: number;
  ca: boolean;
}

/** x509.CreateCertificate over Sprig's template; self-signed when no signer is given. */
function createCertificate(request: CertificateRequest, key: PrivateKey, signer: Signer | null): string {
  const signingKey = signer?.key ?? key;
  const algorithm = signatureAlgorithm(signingKey);
  const subject = commonName(request.cn);
  const { bits, info } = publicKeyInfo(key);
  const issuer = signer?.subject ?? subject;
  const sameName = issuer.length === subject.length && issuer.every((byte, index) => byte === subject[index]);
  const subjectKeyId = request.ca ? sha1(bits) : null;
  const authorityKeyId = !sameName ? (signer?.subjectKeyId ?? null) : null;
  const extensions: Uint8Array[] = [
    extension(oids.keyUsage, true, keyUsage(request.ca)),
    extension(
      oids.extKeyUsage,
      false,
      derSequence(derObjectIdentifier(oids.serverAuth), derObjectIdentifier(oids.clientAuth)),
    ),
    extension(
      oids.basicConstraints,
      true,
      request.ca ? derSequence(new Uint8Array([0x01, 0x01, 0xff])) : derSequence(),
    ),
  ];
  if (subjectKeyId !== null) extensions.push(extension(oids.subjectKeyId, false, derOctetString(subjectKeyId)));
  if (authorityKeyId !== null) {
    extensions.push(extension(oids.authorityKeyId, false, derSequence(tagged(0x80, authorityKeyId))));
  }
  if (request.dnsNames.length > 0 || request.ips.length > 0) {
    const names = [
      ...request.dnsNames.map((name) => tagged(0x82, new TextEncoder().encode(name))),
      ...request.ips.map((ip) => tagged(0x87, ip)),
    ];
    // Go marks subjectAltName critical when the subject is empty.
    extensions.push(extension(oids.subjectAltName, request.cn === "", derSequence(...names)));
  }
  const now = Date.now();
  const serial = bytesBigInt(randomBytes(16));
  const tbs = derSequence(
    derExplicit(0, derInteger(2n)),
    derInteger(serial),
    algorithm,
    issuer,
    derSequence(certificateTime(now), certificateTime(now + request.days * 86_400_000)),
    subject,
    info,
    derExplicit(3, derSequence(...extensions)),
  );
  return pemEncode("CERTIFICATE", derSequence(tbs, algorithm, derBitString(sign(signingKey, tbs))));
}

/** What genSignedCert needs of its CA's certificate: its subject and subjectKeyId (x509.ParseCertificate). */
function parseSignerCertificate(der: Uint8Array): { subject: Uint8Array; subjectKeyId: Uint8Array | null } {
  const [tbs] = children(readElements(der)[0]);
  const fields = children(tbs);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[offset + 4];
  if (subject?.tag !== 0x30 || fields.length < offset + 6) throw new Error("x509: malformed certificate");
  let subjectKeyId: Uint8Array | null = null;
  const extensionsField = fields.find((field) => field.tag === 0xa3);
  if (extensionsField !== undefined) {
    for (const item of children(readElements(extensionsField.content)[0])) {
      const parts = children(item);
      if (oidOf(parts[0]) !== oids.subjectKeyId) continue;
      const value = parts[parts.length - 1];
      subjectKeyId = readElements(value?.content ?? new Uint8Array())[0]?.content.slice() ?? null;
    }
  }
  return { subject: subject.raw.slice(), subjectKeyId };
}

// ---- Sprig's functions ----

/** Sprig's certificate struct: `.Cert` and `.Key` (PEM). */
function certificateValue(cert: string, key: string): GoObject {
  return new GoObject("sprig.certificate", { Cert: cert, Key: key });
}

function certificateArgument(value: GoValue | undefined): { cert: string; key: string } {
  if (value instanceof GoObject && value.typeName === "sprig.certificate") {
    return { cert: String(value.fields.Cert ?? ""), key: String(value.fields.Key ?? "") };
  }
  throw new Error(
    `wrong type for value; expected sprig.certificate; got ${value === null || value === undefined ? "<nil>" : value instanceof GoObject ? value.typeName : typeof value}`,
  );
}

function listArgument(value: GoValue | undefined): GoValue[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  throw new Error("wrong type for value; expected []interface {}");
}

function ipsOf(value: GoValue | undefined): Uint8Array[] {
  return listArgument(value).map((ip) => {
    if (typeof ip !== "string") throw new Error(`error parsing ip: ${String(ip)} is not a string`);
    const parsed = parseIp(ip);
    if (parsed === null) throw new Error(`error parsing ip: ${ip}`);
    return parsed;
  });
}

function dnsNamesOf(value: GoValue | undefined): string[] {
  return listArgument(value).map((name) => {
    if (typeof name !== "string") {
      throw new Error(`error processing alternate dns name: ${String(name)} is not a string`);
    }
    return name;
  });
}

function newRsaKey(): PrivateKey {
  return { kind: "rsa", ...generateRsaKey(2048) };
}

function keyFromPem(text: string): PrivateKey {
  try {
    return parsePrivateKeyPem(text);
  } catch (error) {
    throw new Error(`parsing private key: ${(error as Error).message}`);
  }
}

function issue(request: CertificateRequest, key: PrivateKey, signer: Signer | null): GoObject {
  let cert: string;
  try {
    cert = createCertificate(request, key, signer);
  } catch (error) {
    throw new Error(`error creating certificate: ${(error as Error).message}`);
  }
  return certificateValue(cert, keyPem(key));
}

function signerOf(ca: { cert: string; key: string }): Signer {
  const block = pemDecode(ca.cert);
  if (block === null) throw new Error("unable to decode certificate");
  let parsed: ReturnType<typeof parseSignerCertificate>;
  try {
    parsed = parseSignerCertificate(block.bytes);
  } catch (error) {
    throw new Error(`error parsing certificate: decodedSignerCert.Bytes: ${(error as Error).message}`);
  }
  let key: PrivateKey;
  try {
    key = parsePrivateKeyPem(ca.key);
  } catch (error) {
    throw new Error(`error parsing private key: ${(error as Error).message}`);
  }
  return { ...parsed, key };
}

/** Sprig's buildCustomCert: base64 PEM certificate and key, checked, as a certificate value. */
function buildCustomCertificate(base64Cert: string, base64Key: string): GoObject {
  const decode = (text: string, what: string) => {
    try {
      return new TextDecoder().decode(Uint8Array.from(globalThis.atob(text), (char) => char.charCodeAt(0)));
    } catch {
      throw new Error(`unable to decode base64 ${what}`);
    }
  };
  const cert = decode(base64Cert, "certificate");
  const key = decode(base64Key, "private key");
  const block = pemDecode(cert);
  if (block === null) throw new Error("unable to decode certificate");
  try {
    parseSignerCertificate(block.bytes);
  } catch (error) {
    throw new Error(`error parsing certificate: decodedCert.Bytes: ${(error as Error).message}`);
  }
  try {
    parsePrivateKeyPem(key);
  } catch (error) {
    throw new Error(`error parsing private key: ${(error as Error).message}`);
  }
  return certificateValue(cert, key);
}

/** Sprig's certificate functions. */
export function certificateFunctions(): FunctionMap {
  const request = (args: readonly GoValue[], withNames: boolean, ca = false): CertificateRequest => ({
    cn: stringArgument(args[0]),
    ips: withNames ? ipsOf(args[1]) : [],
    dnsNames: withNames ? dnsNamesOf(args[2]) : [],
    days: intArgument(withNames ? args[3] : args[1]),
    ca,
  });
  return {
    genCA: (args, context) => {
      expectArity(context.name, args, 2);
      return issue(request(args, false, true), newRsaKey(), null);
    },
    genCAWithKey: (args, context) => {
      expectArity(context.name, args, 3);
      return issue(request(args, false, true), keyFromPem(stringArgument(args[2])), null);
    },
    genSelfSignedCert: (args, context) => {
      expectArity(context.name, args, 4);
      return issue(request(args, true), newRsaKey(), null);
    },
    genSelfSignedCertWithKey: (args, context) => {
      expectArity(context.name, args, 5);
      return issue(request(args, true), keyFromPem(stringArgument(args[4])), null);
    },
    genSignedCert: (args, context) => {
      expectArity(context.name, args, 5);
      const signer = signerOf(certificateArgument(args[4]));
      return issue(request(args, true), newRsaKey(), signer);
    },
    genSignedCertWithKey: (args, context) => {
      expectArity(context.name, args, 6);
      const signer = signerOf(certificateArgument(args[4]));
      return issue(request(args, true), keyFromPem(stringArgument(args[5])), signer);
    },
    buildCustomCert: (args, context) => {
      expectArity(context.name, args, 2);
      return buildCustomCertificate(stringArgument(args[0]), stringArgument(args[1]));
    },
  };
}
