import { ed25519 } from "@noble/curves/ed25519";
import { p256 } from "@noble/curves/nist";
import { sha1 } from "@noble/hashes/legacy";
import { sha256 } from "@noble/hashes/sha2";
import { beforeAll, describe, expect, it } from "vitest";
import { createTemplateSet } from "../index.js";
import { GoObject, type GoValue } from "../model.js";
import { loadEllipticCurves } from "./curves.js";
import { derInteger, derSequence, pemEncode } from "./der.js";
import { type DerNode, readDer } from "./der-test-support.js";
import { generateDsaKey } from "./keys.js";
import { sprigFunctions } from "./sprig.js";

function render(text: string, data: GoValue = null): string {
  const set = createTemplateSet(sprigFunctions());
  set.add({ file: "werf.yaml", text });
  return set.execute("werf.yaml", data).text;
}

/** Runs a template that hands a value to `.Keep.Set`, and gives that value (a certificate struct). */
function call(text: string, data: GoValue = null): GoObject {
  const set = createTemplateSet(sprigFunctions());
  let kept = null as GoValue;
  set.add({ file: "werf.yaml", text });
  set.execute(
    "werf.yaml",
    new Map<string, GoValue>([
      ["Data", data],
      [
        "Keep",
        new GoObject(
          "k",
          {},
          {
            Set: (args) => {
              kept = args[0] ?? null;
              return "";
            },
          },
        ),
      ],
    ]),
  );
  if (!(kept instanceof GoObject)) throw new Error("nothing kept");
  return kept;
}

function pem(text: string, type: string): Uint8Array {
  const match = new RegExp(`-----BEGIN ${type}-----\\n([\\s\\S]*?)\\n-----END ${type}-----\\n`).exec(text);
  if (match === null) throw new Error(`no ${type} in ${text}`);
  return Uint8Array.from(globalThis.atob((match[1] as string).replaceAll("\n", "")), (char) => char.charCodeAt(0));
}

const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
const big = (bytes: Uint8Array) => BigInt(`0x${hex(bytes) || "0"}`);
const oid = (node: DerNode | undefined) => hex(node?.content ?? new Uint8Array());

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let square = base % modulus;
  for (let rest = exponent; rest > 0n; rest >>= 1n) {
    if (rest & 1n) result = (result * square) % modulus;
    square = (square * square) % modulus;
  }
  return result;
}

/** A certificate's parts, and a check of its signature with the issuer's public key. */
function certificate(text: string) {
  const [cert] = readDer(pem(text, "CERTIFICATE"));
  const [tbs, algorithm, signature] = cert?.children ?? [];
  const [version, serial, , issuer, validity, subject, spki, extensionsField] = tbs?.children ?? [];
  const extensions = new Map(
    (extensionsField?.children[0]?.children ?? []).map((extension) => {
      const parts = extension.children;
      return [oid(parts[0]), { critical: parts.length === 3, value: (parts.at(-1) as DerNode).content }] as const;
    }),
  );
  const publicBits = (spki?.children[1]?.content ?? new Uint8Array()).subarray(1);
  const times = (validity?.children ?? []).map((time) => new TextDecoder().decode(time.content));
  return {
    version: big(version?.children[0]?.content ?? new Uint8Array()),
    serial: big(serial?.content ?? new Uint8Array()),
    algorithm: oid(algorithm?.children[0]),
    issuer: hex(issuer?.raw ?? new Uint8Array()),
    subject: hex(subject?.raw ?? new Uint8Array()),
    times,
    keyAlgorithm: oid(spki?.children[0]?.children[0]),
    publicBits,
    extensions,
    tbs: tbs?.raw ?? new Uint8Array(),
    signature: (signature?.content ?? new Uint8Array()).subarray(1),
  };
}

type Parsed = ReturnType<typeof certificate>;

function verifies(cert: Parsed, issuer: Parsed): boolean {
  if (issuer.keyAlgorithm === "2a864886f70d010101") {
    const [n, e] = readDer(issuer.publicBits)[0]?.children.map((node) => big(node.content)) ?? [];
    const padded = modPow(big(cert.signature), e as bigint, n as bigint).toString(16);
    return padded.endsWith(hex(sha256(cert.tbs))) && padded.startsWith("1ffff");
  }
  if (issuer.keyAlgorithm === "2a8648ce3d0201") {
    return p256.verify(cert.signature, sha256(cert.tbs), issuer.publicBits, { format: "der" } as never);
  }
  return ed25519.verify(cert.signature, cert.tbs, issuer.publicBits);
}

const rsaSha256 = "2a864886f70d01010b";
const keyUsage = "551d0f";
const extKeyUsage = "551d25";
const basicConstraints = "551d13";
const subjectKeyId = "551d0e";
const authorityKeyId = "551d23";
const subjectAltName = "551d11";
const days = (cert: Parsed) => {
  const parse = (text: string) =>
    Date.UTC(
      2000 + Number(text.slice(0, 2)),
      Number(text.slice(2, 4)) - 1,
      Number(text.slice(4, 6)),
      Number(text.slice(6, 8)),
      Number(text.slice(8, 10)),
      Number(text.slice(10, 12)),
    );
  return (parse(cert.times[1] as string) - parse(cert.times[0] as string)) / 86_400_000;
};

// Sprig's TestGenCA, TestGenSelfSignedCert and TestGenSignedCert check the PEM blocks and the CN;
// these check the certificates as Go's x509.CreateCertificate writes them (the same certificates
// were checked with openssl x509 -text and openssl verify while this was written).
describe("certificates", () => {
  beforeAll(loadEllipticCurves);
  let ca: GoObject;
  let caCert: Parsed;
  beforeAll(() => {
    ca = call('{{ .Keep.Set (genCA "stages-ca" 365) }}');
    caCert = certificate(ca.fields.Cert as string);
  });

  it("genCA: a self-signed CA with an RSA 2048 key, its own subjectKeyId, keyCertSign", () => {
    expect(caCert.version).toBe(2n);
    expect(caCert.serial < 1n << 128n).toBe(true);
    expect(caCert.algorithm).toBe(rsaSha256);
    expect(caCert.issuer).toBe(caCert.subject);
    expect(caCert.subject).toBe("30143112301006035504031309" + "7374616765732d6361");
    expect(days(caCert)).toBe(365);
    expect(caCert.extensions.get(keyUsage)).toEqual({
      critical: true,
      value: Uint8Array.from([0x03, 0x02, 0x02, 0xa4]),
    });
    expect(hex(caCert.extensions.get(extKeyUsage)?.value as Uint8Array)).toBe(
      "301406082b0601050507030106082b06010505070302",
    );
    expect(caCert.extensions.get(basicConstraints)).toEqual({
      critical: true,
      value: Uint8Array.from([0x30, 0x03, 0x01, 0x01, 0xff]),
    });
    expect(hex(caCert.extensions.get(subjectKeyId)?.value as Uint8Array)).toBe(`0414${hex(sha1(caCert.publicBits))}`);
    expect(caCert.extensions.has(authorityKeyId)).toBe(false);
    expect(verifies(caCert, caCert)).toBe(true);
    const [key] = readDer(pem(ca.fields.Key as string, "RSA PRIVATE KEY"));
    const [n] = readDer(caCert.publicBits)[0]?.children.map((node) => big(node.content)) ?? [];
    expect(big(key?.children[1]?.content as Uint8Array)).toBe(n);
    expect((n as bigint).toString(2)).toHaveLength(2048);
  });

  it("genSignedCert: signed by the CA (its subject as issuer, its key id as authorityKeyId), DNS names then IPs", () => {
    const cert = call(
      '{{ .Keep.Set (genSignedCert "api.example.com" (list "10.0.0.1" "::1") (list "api.example.com" "api") 30 .Data) }}',
      ca,
    );
    const parsed = certificate(cert.fields.Cert as string);
    expect(parsed.issuer).toBe(caCert.subject);
    expect(verifies(parsed, caCert)).toBe(true);
    expect(verifies(parsed, parsed)).toBe(false);
    expect(days(parsed)).toBe(30);
    expect(parsed.extensions.get(keyUsage)?.value).toEqual(Uint8Array.from([0x03, 0x02, 0x05, 0xa0]));
    expect(parsed.extensions.get(basicConstraints)?.value).toEqual(Uint8Array.from([0x30, 0x00]));
    expect(parsed.extensions.has(subjectKeyId)).toBe(false);
    expect(hex(parsed.extensions.get(authorityKeyId)?.value as Uint8Array)).toBe(
      `30168014${hex(sha1(caCert.publicBits))}`,
    );
    const names = readDer(parsed.extensions.get(subjectAltName)?.value as Uint8Array)[0]?.children ?? [];
    expect(names.map((name) => [name.tag, hex(name.content)])).toEqual([
      [0x82, hex(new TextEncoder().encode("api.example.com"))],
      [0x82, hex(new TextEncoder().encode("api"))],
      [0x87, "0a000001"],
      [0x87, "00000000000000000000000000000001"],
    ]);
    expect(cert.fields.Key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
  });

  it("the WithKey forms take a PEM key of each kind Go signs with (RSA, ECDSA, Ed25519)", () => {
    const ecdsa = call(
      '{{ .Keep.Set (genSelfSignedCertWithKey "self" nil (list "x.test") 10 (genPrivateKey "ecdsa")) }}',
    );
    const self = certificate(ecdsa.fields.Cert as string);
    expect(self.algorithm).toBe("2a8648ce3d040302");
    expect(verifies(self, self)).toBe(true);
    expect(ecdsa.fields.Key).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    const edCa = call('{{ .Keep.Set (genCAWithKey "ed-ca" 5 (genPrivateKey "ed25519")) }}');
    const edCaCert = certificate(edCa.fields.Cert as string);
    expect(edCaCert.algorithm).toBe("2b6570");
    const leaf = call('{{ .Keep.Set (genSignedCertWithKey "leaf" nil nil 5 .Data (genPrivateKey "ecdsa")) }}', edCa);
    const leafCert = certificate(leaf.fields.Cert as string);
    expect(leafCert.algorithm).toBe("2b6570");
    expect(verifies(leafCert, edCaCert)).toBe(true);
    expect(leafCert.extensions.has(subjectAltName)).toBe(false);
    // The key given is the key printed (Sprig re-encodes it the same way).
    const key = render(
      '{{ $k := genPrivateKey "ecdsa" }}{{ (genSelfSignedCertWithKey "k" nil nil 1 $k).Key | eq $k }}',
    );
    expect(key).toBe("true");
  });

  it("buildCustomCert gives back a certificate value of a checked base64 certificate and key", () => {
    const data = new Map<string, GoValue>([
      ["Cert", globalThis.btoa(ca.fields.Cert as string)],
      ["Key", globalThis.btoa(ca.fields.Key as string)],
    ]);
    expect(render("{{ (buildCustomCert .Cert .Key).Cert }}", data)).toBe(ca.fields.Cert);
    expect(() => render('{{ buildCustomCert "!!" .Key }}', data)).toThrow("unable to decode base64 certificate");
    expect(() => render('{{ buildCustomCert .Cert "a2V5" }}', data)).toThrow(
      "error parsing private key: no PEM data in input",
    );
  });

  it("fails as Sprig does", () => {
    expect(() => render('{{ genSelfSignedCert "x" (list "300.1.1.1") nil 1 }}')).toThrow("error parsing ip: 300.1.1.1");
    expect(() => render('{{ genSelfSignedCert "x" (list 1) nil 1 }}')).toThrow("error parsing ip: 1 is not a string");
    expect(() => render('{{ genCAWithKey "x" 1 "nope" }}')).toThrow("parsing private key: no PEM data in input");
    // A small DSA key in Sprig's sequence (genPrivateKey "dsa" makes L2048 parameters: seconds).
    const { p, q, g, y, x } = generateDsaKey(512, 160);
    const dsaKey = pemEncode("DSA PRIVATE KEY", derSequence(...[0n, p, q, g, y, x].map(derInteger)));
    expect(() => render('{{ genCAWithKey "x" 1 .Key }}', new Map([["Key", dsaKey]]))).toThrow(
      "error creating certificate: x509: certificate private key does not implement crypto.Signer",
    );
  });
});
