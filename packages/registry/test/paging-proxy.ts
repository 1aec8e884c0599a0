// Distribution 2.8 ignores `n` on /tags/list (tag pagination came with Distribution 3). This HTTP
// proxy gives the registry the OCI distribution spec's pagination: it forwards every request, and
// answers `GET /v2/<name>/tags/list?n=&last=` with one sorted page and a `Link: <...>; rel="next"`.
import { createServer, request as httpRequest, type Server } from "node:http";

export interface PagingProxy {
  host: string;
  /** Tag-list pages served. */
  pages: number;
  stop(): Promise<void>;
}

export async function startPagingProxy(target: { host: string; port: number }): Promise<PagingProxy> {
  const state = { pages: 0 };
  const server: Server = createServer(async (incoming, outgoing) => {
    const url = new URL(incoming.url ?? "/", "http://proxy");
    const tagList = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (incoming.method === "GET" && tagList && url.searchParams.has("n")) {
      const upstream = await fetch(`http://${target.host}:${target.port}${url.pathname}`, {
        headers: incoming.headers.authorization ? { authorization: incoming.headers.authorization } : {},
      });
      const body = (await upstream.json()) as { name: string; tags: string[] | null };
      if (upstream.status !== 200) {
        outgoing.writeHead(upstream.status, { "content-type": "application/json" });
        outgoing.end(JSON.stringify(body));
        return;
      }
      const size = Number(url.searchParams.get("n"));
      const last = url.searchParams.get("last");
      const remaining = (body.tags ?? []).sort().filter((tag) => last === null || tag > last);
      const page = remaining.slice(0, size);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (remaining.length > size) {
        headers.link = `<${url.pathname}?n=${size}&last=${encodeURIComponent(page.at(-1) ?? "")}>; rel="next"`;
      }
      state.pages++;
      outgoing.writeHead(200, headers);
      outgoing.end(JSON.stringify({ name: body.name, tags: page }));
      return;
    }
    const forward = httpRequest(
      { host: target.host, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    forward.on("error", () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    get pages() {
      return state.pages;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
