import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineError } from "@stages/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerConnection, dockerOptionsFromEnv } from "../src/index.js";
import { freePort, startPrivateDockerd } from "./engine.js";

/**
 * The connection on a dockerd of its own that also listens on TCP with TLS and client
 * certificates (as a remote build host would), whatever engine the other tests use.
 */
let certificates: string;
let tlsPort: number;
let dockerd: { host: string; stop(): Promise<void> } | undefined;

beforeAll(async () => {
  certificates = mkdtempSync(join(tmpdir(), "stages-tls-"));
  makeCertificates(certificates);
  tlsPort = await freePort();
  dockerd = await startPrivateDockerd({
    tls: {
      port: tlsPort,
      ca: join(certificates, "ca.pem"),
      cert: join(certificates, "server-cert.pem"),
      key: join(certificates, "server-key.pem"),
    },
  });
});

afterAll(async () => {
  await dockerd?.stop();
  if (certificates) rmSync(certificates, { recursive: true, force: true });
});

describe("docker connection", () => {
  it("pings and reads the version over a unix socket", async () => {
    const connection = createDockerConnection({ host: dockerd?.host });
    expect(connection.endpoint).toBe(dockerd?.host);
    await connection.ping();
    const version = await connection.version();
    expect(version.apiVersion).toMatch(/^1\.\d+$/);
    expect(version.os).toBe("linux");
  });

  it("connects over TCP with TLS, verifying the engine, from DOCKER_* variables", async () => {
    const options = dockerOptionsFromEnv({
      DOCKER_HOST: `tcp://127.0.0.1:${tlsPort}`,
      DOCKER_TLS_VERIFY: "1",
      DOCKER_CERT_PATH: certificates,
    });
    const connection = createDockerConnection(options);
    expect(connection.endpoint).toBe(`tcp://127.0.0.1:${tlsPort}`);
    await connection.ping();
    expect((await connection.version()).os).toBe("linux");
  });

  it("fails to verify an engine whose certificate another CA signed, unless verification is off", async () => {
    const otherCa = join(certificates, "other-ca");
    execFileSync("mkdir", [otherCa]);
    execFileSync("cp", [join(certificates, "cert.pem"), join(certificates, "key.pem"), otherCa]);
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=another-ca"],
        ...["-keyout", join(otherCa, "ca-key.pem"), "-out", join(otherCa, "ca.pem")],
      ],
      { stdio: "pipe" },
    );
    const host = `tcp://127.0.0.1:${tlsPort}`;
    const verified = createDockerConnection({ host, certPath: otherCa, tlsVerify: true });
    const failure = await verified.ping().catch((error: unknown) => error);
    expect(EngineError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toMatch(/certificate/);
    const unverified = createDockerConnection({ host, certPath: otherCa, tlsVerify: false });
    await unverified.ping();
  });

  it("connects with TLS material given as options (a docker context's files), verifying the engine", async () => {
    const read = (name: string) => readFileSync(join(certificates, name), "utf8");
    const connection = createDockerConnection({
      host: `tcp://127.0.0.1:${tlsPort}`,
      certificates: { ca: read("ca.pem"), cert: read("cert.pem"), key: read("key.pem") },
      tlsVerify: true,
    });
    await connection.ping();
    // Verification is real: a CA that did not sign the engine's certificate fails.
    const wrongCa = createDockerConnection({
      host: `tcp://127.0.0.1:${tlsPort}`,
      certificates: { ca: read("cert.pem"), cert: read("cert.pem"), key: read("key.pem") },
      tlsVerify: true,
    });
    await expect(wrongCa.ping()).rejects.toThrow(/certificate/);
  });

  it("fails against a TLS engine without a client certificate", async () => {
    const connection = createDockerConnection({ host: `https://127.0.0.1:${tlsPort}` });
    await expect(connection.ping()).rejects.toSatisfy((error: unknown) => EngineError.isInstance(error));
  });

  it("says what to do when no engine answers on a socket", async () => {
    const missing = join(certificates, "missing.sock");
    const connection = createDockerConnection({ host: `unix://${missing}` });
    const failure = await connection.ping().catch((error: unknown) => error);
    expect(EngineError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toBe(
      `[docker] no Docker Engine answers at unix://${missing} (ENOENT): start dockerd or set DOCKER_HOST`,
    );
  });

  it("says what to do when no engine answers on a TCP port", async () => {
    const port = await freePort();
    const connection = createDockerConnection({ host: `tcp://127.0.0.1:${port}` });
    await expect(connection.ping()).rejects.toThrow(
      `no Docker Engine answers at tcp://127.0.0.1:${port} (ECONNREFUSED): start dockerd or set DOCKER_HOST`,
    );
  });
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as `docker` docs make them. */
function makeCertificates(directory: string): void {
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: directory, stdio: "pipe" });
  openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=stages-test-ca",
    "-keyout",
    "ca-key.pem",
    "-out",
    "ca.pem",
  ]);
  writeFileSync(
    join(directory, "server.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
  );
  writeFileSync(join(directory, "client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const [name, subject] of [
    ["server", "/CN=127.0.0.1"],
    ["client", "/CN=stages-test-client"],
  ] as const) {
    openssl([
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      subject,
      "-keyout",
      `${name}-key.pem`,
      "-out",
      `${name}.csr`,
    ]);
    openssl([
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca-key.pem",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}-cert.pem`,
    ]);
  }
  // The layout DOCKER_CERT_PATH expects.
  execFileSync("cp", [join(directory, "client-cert.pem"), join(directory, "cert.pem")]);
  execFileSync("cp", [join(directory, "client-key.pem"), join(directory, "key.pem")]);
}
