import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the echoing registry received. */
export interface EchoedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface EchoRegistry {
  /** `127.0.0.1:PORT`: a registry host the engine reaches over plain HTTP (loopback). */
  host: string;
  /** Every request so far, in order. */
  requests: EchoedRequest[];
  close(): Promise<void>;
}

const errorCodes: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "DENIED",
  404: "NAME_UNKNOWN",
  429: "TOOMANYREQUESTS",
  500: "UNKNOWN",
  503: "UNAVAILABLE",
};

/**
 * A registry that leaks what it is sent, as some real ones do: every answer is an error in the
 * distribution format whose message and detail carry the request's headers, Authorization
 * included. The first `/v2/` ping without credentials gets a Basic challenge, so that clients
 * (the engine too) send their credentials on the next requests. Tests use it to prove that no
 * path prints a secret a registry echoed. `status` is the answer to every other request (HEAD:
 * 404): 401 by default, which the engine reports at once with the body's message ("unauthorized:
 * ... authorization: Basic ..."); 403 does the same, while 400 and 5xx make the engine retry its
 * upload for about 50 s first.
 */
export async function startEchoRegistry(options: { status?: number } = {}): Promise<EchoRegistry> {
  const status = options.status ?? 401;
  const requests: EchoedRequest[] = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers });
    request.resume();
    const challenge = !request.headers.authorization;
    // A HEAD (does the blob exist?) answered "no" moves clients on to a request with a body to echo in.
    const code = challenge ? 401 : request.method === "HEAD" ? 404 : status;
    const echoed = Object.entries(request.headers)
      .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(", ") : value}`)
      .join("; ");
    const body = JSON.stringify({
      errors: [
        {
          code: errorCodes[code] ?? "UNKNOWN",
          message: `request rejected; it carried ${echoed}`,
          detail: request.headers,
        },
      ],
    });
    response.writeHead(code, {
      "content-type": "application/json",
      "docker-distribution-api-version": "registry/2.0",
      ...(challenge ? { "www-authenticate": 'Basic realm="stages-echo"' } : {}),
    });
    response.end(request.method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
