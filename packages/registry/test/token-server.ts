// A small real token server for Distribution's `auth: token`: checks basic credentials or an
// identity (refresh) token, and issues RS256 JWTs carrying the x5c of a self-signed certificate
// that the registry trusts through `rootcertbundle`.
import { execFileSync } from "node:child_process";
import { createSign, randomBytes, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireProgram } from "./registry-server.js";

export interface TokenRequestRecord {
  method: string;
  scopes: string[];
  service: string | null;
  /** How the client authenticated: none, basic (user name) or refresh token. */
  via: "anonymous" | "basic" | "refresh_token";
  username: string | null;
  granted: boolean;
}

export interface TokenServerOptions {
  username: string;
  password: string;
  /** Identity token accepted with grant_type=refresh_token. */
  refreshToken?: string;
  /** Allow anonymous pull tokens. Default false. */
  anonymousPull?: boolean;
  /** Actions never granted, even to the user (e.g. `delete`: a user who may push but not delete). */
  deniedActions?: readonly string[];
  service?: string;
  issuer?: string;
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certificatePath: string;
  requests: TokenRequestRecord[];
  /** Every token issued so far (to check none leaks). */
  issued: string[];
  stop(): Promise<void>;
}

function base64url(value: Buffer | string): string {
  return Buffer.from(value).toString("base64url");
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}

function parseScopes(values: string[]): Array<{ type: string; name: string; actions: string[] }> {
  const access: Array<{ type: string; name: string; actions: string[] }> = [];
  for (const value of values.flatMap((scope) => scope.split(" ")).filter(Boolean)) {
    const first = value.indexOf(":");
    const last = value.lastIndexOf(":");
    if (first === -1 || first === last) continue;
    access.push({
      type: value.slice(0, first),
      name: value.slice(first + 1, last),
      actions: value.slice(last + 1).split(","),
    });
  }
  return access;
}

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  requireProgram("openssl", "apt-get install openssl");
  const directory = mkdtempSync(join(tmpdir(), "stages-token-test-"));
  const keyPath = join(directory, "key.pem");
  const certificatePath = join(directory, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certificatePath,
      "-days",
      "2",
      "-subj",
      "/CN=stages-test-token",
    ],
    { stdio: "ignore" },
  );
  const key = readFileSync(keyPath, "utf8");
  const certificate = new X509Certificate(readFileSync(certificatePath));
  const service = options.service ?? "stages-test-registry";
  const issuer = options.issuer ?? "stages-test-issuer";
  const requests: TokenRequestRecord[] = [];
  const issued: string[] = [];

  const sign = (subject: string, access: ReturnType<typeof parseScopes>): string => {
    const header = { alg: "RS256", typ: "JWT", x5c: [certificate.raw.toString("base64")] };
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub: subject,
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString("hex"),
      access,
    };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = createSign("RSA-SHA256").update(input).sign(key);
    return `${input}.${base64url(signature)}`;
  };

  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://token");
    let scopes = url.searchParams.getAll("scope");
    let via: TokenRequestRecord["via"] = "anonymous";
    let username: string | null = null;
    let authenticated = false;
    let requestService = url.searchParams.get("service");
    if (request.method === "POST") {
      const form = new URLSearchParams(await readBody(request));
      scopes = (form.get("scope") ?? "").split(" ").filter(Boolean);
      requestService = form.get("service");
      if (form.get("grant_type") === "refresh_token") {
        via = "refresh_token";
        authenticated = options.refreshToken !== undefined && form.get("refresh_token") === options.refreshToken;
        username = authenticated ? options.username : null;
      }
    } else {
      const header = request.headers.authorization ?? "";
      if (header.startsWith("Basic ")) {
        via = "basic";
        const decoded = Buffer.from(header.slice(6), "base64").toString();
        const colon = decoded.indexOf(":");
        username = decoded.slice(0, colon);
        authenticated = username === options.username && decoded.slice(colon + 1) === options.password;
      }
    }
    const refused = via !== "anonymous" && !authenticated;
    const anonymousAllowed = via === "anonymous" && options.anonymousPull === true;
    const granted = !refused && (authenticated || anonymousAllowed);
    requests.push({ method: request.method ?? "GET", scopes, service: requestService, via, username, granted });
    if (!granted) {
      response.writeHead(401, { "content-type": "application/json" });
      response.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }));
      return;
    }
    let access = parseScopes(scopes);
    if (!authenticated)
      access = access.map((entry) => ({ ...entry, actions: entry.actions.filter((action) => action === "pull") }));
    const denied = options.deniedActions ?? [];
    access = access.map((entry) => ({ ...entry, actions: entry.actions.filter((action) => !denied.includes(action)) }));
    const token = sign(username ?? "", access);
    issued.push(token);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certificatePath,
    requests,
    issued,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
