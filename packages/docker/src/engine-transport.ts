import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { stringify } from "node:querystring";
import type { Readable } from "node:stream";

/** The engine answered with a status the caller did not accept. */
export interface EngineStatusFailure {
  statusCode: number;
  /** The parsed JSON answer, or the raw bytes when it was not JSON. */
  json: unknown;
  message: string;
}

/** One HTTP exchange with the engine, as EngineClient describes it. */
export interface TransportRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  file: Readable | undefined;
  registryAuth: string | undefined;
  signal: AbortSignal | undefined;
  acceptedStatus: ReadonlySet<number>;
  stream: boolean;
}

/** Where and how to reach the engine: a unix socket, or TCP with optional TLS. */
export type TransportTarget =
  | { kind: "unix"; socketPath: string }
  | {
      kind: "tcp";
      host: string;
      port: number;
      tls: { ca?: Buffer; cert?: Buffer; key?: Buffer; verify: boolean } | null;
    };

/**
 * Speaks the Engine API over node:http — unix sockets, TCP and TLS — with keep-alive connections.
 * (A client library such as dockerode costs ~200 ms of module loading on every CLI run; the API
 * stages uses is small enough to call directly.)
 */
export function createEngineTransport(target: TransportTarget) {
  const agent =
    target.kind === "tcp" && target.tls !== null
      ? new HttpsAgent({
          keepAlive: true,
          ...(target.tls.ca ? { ca: target.tls.ca } : {}),
          ...(target.tls.cert ? { cert: target.tls.cert } : {}),
          ...(target.tls.key ? { key: target.tls.key } : {}),
          rejectUnauthorized: target.tls.verify,
        })
      : new HttpAgent({ keepAlive: true });
  const send = target.kind === "tcp" && target.tls !== null ? httpsRequest : httpRequest;

  /** Resolves with the response (stream) or its bytes; rejects with an EngineStatusFailure or a socket error. */
  return function exchange(request: TransportRequest): Promise<IncomingMessage | Buffer> {
    const query = queryString(request.query);
    const headers: Record<string, string> = {};
    let body: Buffer | undefined;
    if (request.file) headers["content-type"] = "application/x-tar";
    else if (request.body !== undefined && request.method === "POST") {
      body = Buffer.from(JSON.stringify(request.body));
      headers["content-type"] = "application/json";
      headers["content-length"] = String(body.length);
    }
    if (request.registryAuth) headers["x-registry-auth"] = request.registryAuth;
    const options: RequestOptions = {
      method: request.method,
      path: `${request.path}${query ? `?${query}` : ""}`,
      headers,
      agent,
      ...(target.kind === "unix" ? { socketPath: target.socketPath } : { host: target.host, port: target.port }),
      ...(request.signal ? { signal: request.signal } : {}),
    };
    return new Promise((resolve, reject) => {
      const outgoing = send(options, (response) => {
        const status = response.statusCode ?? 0;
        const accepted = (status >= 200 && status < 300) || request.acceptedStatus.has(status);
        if (accepted && request.stream) {
          resolve(response);
          return;
        }
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.once("error", reject);
        response.once("end", () => {
          const bytes = Buffer.concat(chunks);
          if (accepted) {
            resolve(bytes);
            return;
          }
          let json: unknown = bytes;
          try {
            json = JSON.parse(bytes.toString("utf8"));
          } catch {
            // not JSON: keep the bytes
          }
          const failure: EngineStatusFailure = {
            statusCode: status,
            json,
            message: `HTTP ${status} ${response.statusMessage ?? ""}`.trim(),
          };
          reject(failure);
        });
      });
      outgoing.once("error", reject);
      if (request.file) {
        request.file.once("error", (error) => outgoing.destroy(error));
        request.file.pipe(outgoing);
      } else outgoing.end(body);
    });
  };
}

/** Query values as the engine expects them: objects as JSON, arrays repeated, booleans as words. */
function queryString(query: Record<string, unknown>): string {
  const flat: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) flat[key] = value.map(String);
    else if (value !== null && typeof value === "object") flat[key] = JSON.stringify(value);
    else flat[key] = String(value);
  }
  return stringify(flat);
}
