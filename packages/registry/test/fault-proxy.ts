// A TCP proxy (node:net) in front of a registry that injects faults into chosen requests:
// connection resets, resets in the middle of a body, and canned HTTP answers (429, 503, ...).
import { connect, createServer, type Server, type Socket } from "node:net";

export type Fault =
  /** Reset the connection as soon as the request starts: nothing reaches the registry. */
  | { kind: "reset" }
  /** Forward this many bytes of the request (headers included), then reset. */
  | { kind: "reset-after"; bytes: number }
  /** Answer with this status instead of the registry, then close. */
  | { kind: "status"; status: number; headers?: Record<string, string> }
  /** Swallow the request and never answer. */
  | { kind: "stall" }
  /** Forward the request, pass this many bytes of the answer (headers included), then reset. */
  | { kind: "cut-answer"; bytes: number };

export interface FaultRule {
  fault: Fault;
  method?: string;
  path?: RegExp;
  /** How many matching requests get the fault. Default 1; Infinity for all. */
  times?: number;
}

export interface FaultProxy {
  host: string;
  port: number;
  inject(rule: FaultRule): void;
  clear(): void;
  /** Every request line seen (method and path without query), in order. */
  readonly requests: Array<{ method: string; path: string }>;
  /** Faults applied, in order. */
  readonly applied: Array<{ kind: Fault["kind"]; method: string; path: string }>;
  stop(): Promise<void>;
}

const requestLine = /^([A-Z]+) (\S+) HTTP\/1\.[01]\r\n/;
const statusTexts: Record<number, string> = {
  408: "Request Timeout",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export interface FaultProxyOptions {
  /** Port to listen on (127.0.0.1); default: any free port. */
  port?: number;
  /**
   * Asked for each request that no rule matches (e.g. a seeded random choice of a fraction of
   * requests); `head` is the start of the request, headers included.
   */
  decide?: (request: { method: string; path: string; head: string }) => Fault | null;
}

export async function startFaultProxy(
  target: { host: string; port: number },
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const rules: Array<Required<Pick<FaultRule, "fault" | "times">> & FaultRule> = [];
  const requests: Array<{ method: string; path: string }> = [];
  const applied: Array<{ kind: Fault["kind"]; method: string; path: string }> = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(target.port, target.host);
    sockets.add(upstream);
    let forwardThenReset: number | null = null;
    let stalled = false;
    let answerBudget: number | null = null;
    const kill = () => {
      client.resetAndDestroy();
      upstream.destroy();
    };
    client.on("data", (chunk: Buffer) => {
      if (stalled) return;
      if (forwardThenReset !== null) {
        if (chunk.byteLength >= forwardThenReset) {
          upstream.write(chunk.subarray(0, forwardThenReset), () => setTimeout(kill, 20));
          forwardThenReset = null;
          client.pause();
          return;
        }
        forwardThenReset -= chunk.byteLength;
        upstream.write(chunk);
        return;
      }
      const head = chunk.toString("latin1", 0, Math.min(chunk.byteLength, 4096));
      const match = requestLine.exec(head);
      if (match) {
        const method = match[1] as string;
        const path = (match[2] as string).split("?")[0] as string;
        requests.push({ method, path });
        const rule = rules.find(
          (candidate) =>
            candidate.times > 0 &&
            (candidate.method === undefined || candidate.method === method) &&
            (candidate.path === undefined || candidate.path.test(path)),
        );
        if (rule) rule.times--;
        const fault = rule ? rule.fault : (options.decide?.({ method, path, head }) ?? null);
        if (fault) {
          applied.push({ kind: fault.kind, method, path });
          if (fault.kind === "reset") {
            kill();
            return;
          }
          if (fault.kind === "stall") {
            stalled = true;
            return;
          }
          if (fault.kind === "cut-answer") {
            answerBudget = fault.bytes;
            upstream.write(chunk);
            return;
          }
          if (fault.kind === "status") {
            const headers = Object.entries({ "Content-Length": "0", Connection: "close", ...fault.headers })
              .map(([key, value]) => `${key}: ${value}\r\n`)
              .join("");
            client.end(`HTTP/1.1 ${fault.status} ${statusTexts[fault.status] ?? "Fault"}\r\n${headers}\r\n`);
            upstream.destroy();
            return;
          }
          forwardThenReset = fault.bytes;
          if (chunk.byteLength >= forwardThenReset) {
            upstream.write(chunk.subarray(0, forwardThenReset), () => setTimeout(kill, 20));
            forwardThenReset = null;
            client.pause();
            return;
          }
          forwardThenReset -= chunk.byteLength;
        }
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (client.destroyed) return;
      if (answerBudget !== null) {
        if (chunk.byteLength >= answerBudget) {
          client.write(chunk.subarray(0, answerBudget), () => setTimeout(kill, 20));
          answerBudget = null;
          upstream.pause();
          return;
        }
        answerBudget -= chunk.byteLength;
      }
      client.write(chunk);
    });
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => {
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on("close", () => {
      sockets.delete(upstream);
      if (!client.destroyed) client.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    port,
    inject(rule) {
      rules.push({ ...rule, times: rule.times ?? 1 });
    },
    clear() {
      rules.length = 0;
    },
    requests,
    applied,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
