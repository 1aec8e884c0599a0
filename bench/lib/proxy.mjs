// A counting HTTP proxy in front of a registry: every request and response byte that crosses it is
// counted, so the benchmarks report HTTP requests and bytes pulled for stages and docker alike.
import { createServer, request as forward } from "node:http";

/** Starts a proxy on a free loopback port that forwards to `target` (host:port). */
export function startCountingProxy(target) {
  const [targetHost, targetPort] = target.split(":");
  // stageManifests: requests naming a stage's tag (`/manifests/image-stage-…`), what a push or pull
  // asks per stage; the rest are per command (the version check, the commit record).
  const counters = { requests: 0, heads: 0, stageManifests: 0, responseBytes: 0, blobBytes: 0, byMethod: {} };
  const server = createServer((incoming, outgoing) => {
    counters.requests++;
    counters.byMethod[incoming.method] = (counters.byMethod[incoming.method] ?? 0) + 1;
    if (incoming.method === "HEAD") counters.heads++;
    if (/\/manifests\/image-stage-/.test(incoming.url ?? "")) counters.stageManifests++;
    const isBlob = /\/blobs\/sha256:/.test(incoming.url ?? "") && incoming.method === "GET";
    const upstream = forward(
      {
        host: targetHost,
        port: Number(targetPort),
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.on("data", (chunk) => {
          counters.responseBytes += chunk.length;
          if (isBlob) counters.blobBytes += chunk.length;
        });
        response.pipe(outgoing);
      },
    );
    upstream.on("error", (error) => {
      outgoing.writeHead(502);
      outgoing.end(String(error));
    });
    incoming.pipe(upstream);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        address: `localhost:${port}`,
        counters,
        reset() {
          counters.requests = 0;
          counters.heads = 0;
          counters.stageManifests = 0;
          counters.responseBytes = 0;
          counters.blobBytes = 0;
          counters.byMethod = {};
        },
        snapshot() {
          return { ...counters, byMethod: { ...counters.byMethod } };
        },
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}
