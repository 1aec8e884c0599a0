import { Agent, type ClientRequest } from "node:http";
import type { Socket } from "node:net";
import type { Client, ConnectConfig } from "ssh2";

/**
 * An HTTP agent whose connections are SSH channels running `docker system dial-stdio` on the
 * remote host, as the docker CLI does for `DOCKER_HOST=ssh://`. Not docker-modem's `protocol: "ssh"`:
 * that one logs in once per request (a full SSH handshake each time) and builds its URLs so that
 * Node warns about them (DEP0170) on every run. Here one SSH connection carries every channel, and
 * HTTP keep-alive reuses channels; a dropped connection is made again by the next request.
 *
 * ssh2 is imported when the first connection is made, so that runs without SSH never load it.
 * The TCP connection is held open (ref'd) only while requests are in flight (a streamed response
 * included): an idle one does not keep the process alive.
 */
export function createSshAgent(config: ConnectConfig): Agent {
  let client: Promise<Client> | undefined;
  let tcp: Pick<Socket, "ref" | "unref"> | undefined;
  let inFlight = 0;

  const open = (): Promise<Client> => {
    const opening = (async () => {
      // A bundle (the CLI's) gives the CommonJS module as the default export only.
      const loaded = (await import("ssh2")) as typeof import("ssh2") & { default?: typeof import("ssh2") };
      const { Client } = loaded.default ?? loaded;
      const connection = new Client();
      await new Promise<void>((resolve, reject) => {
        connection.once("ready", () => resolve());
        connection.once("error", reject);
        connection.connect(config);
      });
      // Later errors close the connection; the next request opens a new one.
      connection.on("error", () => {});
      connection.on("close", () => {
        if (client === opening) client = undefined;
      });
      // ssh2 keeps its TCP socket private; it is the handle that keeps the event loop alive.
      tcp = (connection as unknown as { _sock?: Pick<Socket, "ref" | "unref"> })._sock;
      if (inFlight === 0) tcp?.unref();
      return connection;
    })();
    opening.catch(() => {
      if (client === opening) client = undefined;
    });
    return opening;
  };

  class SshAgent extends Agent {
    addRequest(request: ClientRequest, options: unknown): void {
      inFlight++;
      tcp?.ref();
      request.once("close", () => {
        inFlight--;
        if (inFlight === 0) tcp?.unref();
      });
      (Agent.prototype as unknown as { addRequest(request: ClientRequest, options: unknown): void }).addRequest.call(
        this,
        request,
        options,
      );
    }

    override createConnection(_options: unknown, callback?: (error: Error | null, stream: Socket) => void): Socket {
      client ??= open();
      const current = client;
      current.then(
        (connection) =>
          connection.exec("docker system dial-stdio", (error, channel) => {
            if (error) {
              // A connection that can open no channel any more is made again next time.
              if (client === current) client = undefined;
              callback?.(error, undefined as never);
              return;
            }
            callback?.(null, asSocket(channel));
          }),
        (error: Error) => callback?.(error, undefined as never),
      );
      return undefined as never;
    }
  }

  return new SshAgent({ keepAlive: true });
}

/**
 * A channel is a duplex stream, not a net.Socket: the agent's keep-alive handling calls socket
 * methods it lacks (ref, unref, setKeepAlive, setTimeout, setNoDelay). They mean nothing for a
 * channel (the SSH connection's TCP socket is ref'd per request above), so they do nothing.
 */
function asSocket(channel: object): Socket {
  const noop = () => channel;
  for (const method of ["ref", "unref", "setKeepAlive", "setTimeout", "setNoDelay"]) {
    if (!(method in channel)) Object.defineProperty(channel, method, { value: noop, configurable: true });
  }
  return channel as Socket;
}
